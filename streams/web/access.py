"""The views' gate: ``Authorization: Bearer <token>`` checked before any view runs.

The rule is ``projections.access.decide``; the tokens are the token file's hashes
(``streams.web.token_store``). The check runs before the table routing, and again on the
worker a request is forwarded to (Faust forwards the headers), before any lookup, so
a refused request learns nothing, not even whether the view exists.

``LEADLEDGER_AUTH=off`` opens every view, for a local experiment only: the worker
then logs a warning at start and on every view it serves.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from projections.access import (
    Decision,
    TokenEntry,
    authenticate,
    decide,
    decide_publish,
    presented_token,
)
from streams.settings import Settings
from streams.web.token_store import TokenFile

log = logging.getLogger(__name__)
Handler = Callable[..., Awaitable[Any]]
OPEN_WARNING = (
    "LEADLEDGER_AUTH=off: every view is open to anyone who can reach this port, "
    "every partner's data included; never run a shared or production worker like this"
)


class Gate:
    def __init__(self, settings: Settings) -> None:
        self.enabled = settings.auth
        self.tokens = TokenFile(settings.token_path)
        if not self.enabled:
            log.warning(OPEN_WARNING)

    def check(self, request: Any, partner_scope: str | None) -> Decision:
        if not self.enabled:
            log.warning("open view %s: %s", request.path, OPEN_WARNING)
            return Decision(200)
        authorization = request.headers.get("Authorization")
        who = authenticate(self.tokens.current(), authorization)
        return decide(
            who, partner_scope, token_presented=presented_token(authorization) is not None
        )

    def publisher(self, request: Any) -> tuple[TokenEntry | None, Decision]:
        """Who publishes through the door: a partner's token, whatever ``LEADLEDGER_AUTH``
        says (with no token there is no publisher to stamp)."""
        authorization = request.headers.get("Authorization")
        who = authenticate(self.tokens.current(), authorization)
        presented = presented_token(authorization) is not None
        return who, decide_publish(who, token_presented=presented)

    def _guard(self, scope: Callable[[Any], str | None]) -> Callable[[Handler], Handler]:
        def wrap(handler: Handler) -> Handler:
            @functools.wraps(handler)
            async def checked(view: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
                decision = self.check(request, scope(request))
                if not decision.allowed:
                    headers = {"WWW-Authenticate": 'Bearer realm="leadledger"'}
                    return view.json(
                        {"error": decision.reason},
                        status=decision.status,
                        headers=headers if decision.status == 401 else None,
                    )
                return await handler(view, request, *args, **kwargs)

            return checked

        return wrap

    def operator(self, handler: Handler) -> Handler:
        """For views across partners: leads, agreements, disputes, escalations, stats."""
        return self._guard(lambda _request: None)(handler)

    def partner(self, match_info: str = "partner_id") -> Callable[[Handler], Handler]:
        """For a view of one partner, named by the path's ``match_info`` part."""
        return self._guard(lambda request: str(request.match_info[match_info]))
