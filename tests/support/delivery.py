"""What a fake topic's ``send`` returns: Faust's delivery future, already delivered."""

from __future__ import annotations

import asyncio
from typing import Any


def delivered() -> asyncio.Future[Any]:
    done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    done.set_result(None)
    return done
