"""A request the web server cannot parse is logged as the client's error: one warning line,
no traceback (issue 20, item 5: a 100 kB header was logged at ERROR with a traceback).

Faust's web server is aiohttp's; this runs aiohttp's server in-process, with the filter
the worker installs, and captures what it logs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.http_exceptions import BadHttpMessage

from streams.web import http_log
from streams.web.http_log import SERVER_LOGGER, SHOWN_CHARS, ClientErrorsAsWarnings


@pytest.fixture
async def server() -> AsyncIterator[int]:
    async def ok(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/stats", ok)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    http_log.install()
    http_log.install()  # idempotent
    logger = logging.getLogger(SERVER_LOGGER)
    assert sum(isinstance(f, ClientErrorsAsWarnings) for f in logger.filters) == 1
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield port
    finally:
        await runner.cleanup()


async def _ask(port: int, request: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), timeout=10)
    writer.close()
    return answer


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET /stats HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n",
        b"GET /" + b"l" * 100_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /stats HTTP/1.1\r\nHost: x\r\nBad Header\x01: y\r\n\r\n",
    ],
    ids=["100 kB header", "100 kB request line", "malformed header"],
)
async def test_an_unparsable_request_is_a_4xx_and_one_warning_without_traceback(
    server: int, request_bytes: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger=SERVER_LOGGER):
        answer = await _ask(server, request_bytes)
    status = int(answer.split(b" ", 2)[1])
    assert 400 <= status < 500, answer[:200]
    records = [r for r in caplog.records if r.name == SERVER_LOGGER]
    assert records, "aiohttp logged nothing: the test no longer sees what it checks"
    assert all(r.levelno == logging.WARNING for r in records), [r.levelname for r in records]
    assert all(r.exc_info is None and r.exc_text is None for r in records)
    for record in records:
        message = record.getMessage()
        assert message.startswith("Error handling request from")
        assert len(message) < 100 + SHOWN_CHARS + 10  # never the 100 kB it was sent
    assert "Traceback" not in caplog.text


def test_a_server_error_keeps_its_level_and_traceback() -> None:
    """Only the client's errors (4xx) are rewritten; the server's own stay ERROR."""
    caught = ClientErrorsAsWarnings()
    exc = RuntimeError("the server's own bug")
    own = logging.LogRecord(
        SERVER_LOGGER, logging.ERROR, "", 0, "Error", (), (type(exc), exc, None)
    )
    assert caught.filter(own)
    assert own.levelno == logging.ERROR
    assert own.exc_info is not None
    client = BadHttpMessage("x" * 1000)
    record = logging.LogRecord(
        SERVER_LOGGER,
        logging.ERROR,
        "",
        0,
        "Error handling request from %s",
        ("1.2.3.4",),
        (type(client), client, None),
    )
    assert caught.filter(record)
    assert record.levelname == "WARNING"
    assert record.exc_info is None
    assert record.getMessage().startswith("Error handling request from 1.2.3.4: 400 ")
    assert record.getMessage().endswith("...")
