"""A request the web server could not parse is the client's error: a warning, no traceback.

aiohttp, under Faust's web server, logs every request it cannot parse (a 100 kB
header, a request line over 8190 bytes, bytes that are not HTTP) with
``logger.exception("Error handling request from %s")`` on ``aiohttp.server``
(``RequestHandler.handle_error``): ERROR and a traceback for what a client sent,
which any client can repeat to fill an operator's log and page someone. It already
answers 400 (431 for a header too large); only the log level is wrong.

This filter rewrites such a record, and only such a record, a 4xx
``HttpProcessingError``, into one warning line that names the client and the error,
cut to :data:`SHOWN_CHARS` (the message can quote what the client sent). A failure of
the server itself, a 5xx or any other exception, still logs at ERROR with its
traceback.
"""

from __future__ import annotations

import logging

from aiohttp.http_exceptions import HttpProcessingError

SERVER_LOGGER = "aiohttp.server"
SHOWN_CHARS = 200


class ClientErrorsAsWarnings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, HttpProcessingError) and 400 <= error.code < 500:
            what = f"{error.code} {error.message}"
            if len(what) > SHOWN_CHARS:
                what = what[:SHOWN_CHARS] + "..."
            record.msg = f"{record.getMessage()}: {what}"
            record.args = ()
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info, record.exc_text = None, None
        return True


def install() -> None:
    """On the logger aiohttp's server logs through (idempotent: one filter)."""
    server = logging.getLogger(SERVER_LOGGER)
    if not any(isinstance(f, ClientErrorsAsWarnings) for f in server.filters):
        server.addFilter(ClientErrorsAsWarnings())
