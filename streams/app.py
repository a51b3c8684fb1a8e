"""The worker's Faust app, built from the environment: ``faust -A streams.app worker``."""

from __future__ import annotations

from streams import event_loop

event_loop.install()  # before Faust creates the worker's loop (streams/event_loop.py)

from projections.policy import load_policy  # noqa: E402
from streams.delivery import shutdown  # noqa: E402
from streams.settings import Settings  # noqa: E402
from streams.wiring import build_app  # noqa: E402

settings = Settings.from_env()
app = build_app(settings, load_policy(settings.policy_file))
shutdown.install(app)  # Ctrl-C and SIGTERM end the worker even when the broker is gone
