"""The worker's Faust app, built from the environment: ``faust -A streams.app worker``."""

from __future__ import annotations

from projections.policy import load_policy
from streams.delivery import shutdown
from streams.settings import Settings
from streams.wiring import build_app

settings = Settings.from_env()
app = build_app(settings, load_policy(settings.policy_file))
shutdown.install(app)  # Ctrl-C and SIGTERM end the worker even when the broker is gone
