"""The global agreement book follows the whole agreements topic on the real broker."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from projections.agreement.state import ACTIVE, state_at
from projections.policy import Policy
from streams.broker.topics import AGREEMENTS, topic_name
from streams.state.agreement_book import AgreementBookFollower
from tests.support.agreements import Agreement, at
from tests.support.kafka_auth import client_access
from tests.support.kafka_io import producer, publish

pytestmark = pytest.mark.integration


async def test_book_catches_up_with_what_the_broker_acknowledged(
    kafka_bootstrap: str, test_namespace: str, created_topics: list[str]
) -> None:
    topic = topic_name(AGREEMENTS, test_namespace)
    agreements = [Agreement(f"B{uuid.uuid4().hex[:6]}-{n}") for n in range(4)]
    follower = AgreementBookFollower(client_access(kafka_bootstrap).aiokafka(), topic, Policy())
    task = asyncio.create_task(follower.run())
    try:
        with producer(kafka_bootstrap) as prod:
            for ag in agreements[:2]:
                publish(prod, topic, ag.proposed(), *ag.signed_by_all(at(1)))
            assert await follower.caught_up(20.0)
            assert {a.agreement_id for a in agreements[:2]} <= set(follower.book)
            for ag in agreements[2:]:
                publish(prod, topic, ag.proposed(), *ag.signed_by_all(at(1)))
        assert await follower.caught_up(20.0)
        for ag in agreements:
            state = follower.get(ag.agreement_id)
            assert state is not None
            assert state_at(state, at(2)) == ACTIVE
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
