"""Runtime settings, read once from the environment (12-factor), validated by pydantic."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_HOME = (
    Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "leadledger"
)


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    bootstrap_servers: str = Field(default="127.0.0.1:9092", min_length=1)
    namespace: str = Field(default="leadledger", pattern=r"^[A-Za-z0-9_-]+$")
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=6066, ge=1, le=65535)
    store: str = "memory://"
    home: Path = DEFAULT_HOME
    policy_file: Path | None = None
    # How often the intake janitor deletes processed messages from the leads topic
    # (streams/agents/janitor.py); 0 turns it off.
    janitor_seconds: float = Field(default=5.0, ge=0)
    # Replicas of every topic the project or Faust creates (changelogs included); 3 on
    # a production cluster, so losing one broker loses no table.
    replication_factor: int = Field(default=1, ge=1)
    # An offset commit running longer than this makes the worker exit to be restarted
    # (streams/delivery/commit_watchdog.py).
    commit_stall_seconds: float = Field(default=60.0, gt=0)
    # The API tokens' hashes (streams/web/token_store.py); default <home>/tokens.json.
    tokens_file: Path | None = None
    # The key-encryption keys that wrap the lead keys (streams/personal_data/keyring.py);
    # default <home>/keyring.json. Shared by every worker and by replay/export.
    keyring_file: Path | None = None
    # False (LEADLEDGER_AUTH=off) opens every view: local experiments only, logged loudly.
    auth: bool = True

    @property
    def token_path(self) -> Path:
        return self.tokens_file or self.home / "tokens.json"

    @property
    def keyring_path(self) -> Path:
        return self.keyring_file or self.home / "keyring.json"

    @property
    def app_id(self) -> str:
        """Faust app id: consumer group and changelog prefix, one per namespace."""
        return self.namespace

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        mapping = {
            "KAFKA_BOOTSTRAP_SERVERS": "bootstrap_servers",
            "LEADLEDGER_NAMESPACE": "namespace",
            "LEADLEDGER_WEB_HOST": "web_host",
            "LEADLEDGER_WEB_PORT": "web_port",
            "LEADLEDGER_STORE": "store",
            "LEADLEDGER_HOME": "home",
            "LEADLEDGER_POLICY": "policy_file",
            "LEADLEDGER_JANITOR_SECONDS": "janitor_seconds",
            "LEADLEDGER_REPLICATION_FACTOR": "replication_factor",
            "LEADLEDGER_COMMIT_STALL_SECONDS": "commit_stall_seconds",
            "LEADLEDGER_TOKENS": "tokens_file",
            "LEADLEDGER_KEYRING": "keyring_file",
            "LEADLEDGER_AUTH": "auth",
        }
        for variable, key in mapping.items():
            if env.get(variable):
                values[key] = env[variable]
        return cls.model_validate(values)
