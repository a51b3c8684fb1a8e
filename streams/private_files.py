"""Owner-only files written atomically: the credentials, the partner registry, the token
file. Each is read by running workers while an operator's command rewrites it, so a
reader must see the old file or the new one, never half of one; and each holds secrets
or names who may do what, so only the owner may read it (0600, from its creation on).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def write_private_json(path: Path, body: Any) -> None:
    """Write ``body`` as JSON to ``path``: a 0600 temporary file beside it, flushed to
    disk, then renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.stem}-", dir=path.parent)
    try:
        os.fchmod(handle, 0o600)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(body, out, indent=2)
            out.flush()
            os.fsync(out.fileno())
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
