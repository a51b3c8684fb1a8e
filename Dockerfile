FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY schemas schemas
COPY projections projections
COPY streams streams
RUN pip install --no-cache-dir .
CMD ["leadledger", "worker"]
