"""Alerts as the worker raises them, for the deliverer's tests."""

from __future__ import annotations

from datetime import UTC, datetime

from schemas.system_events import (
    EscalationRaised,
    EscalationRaisedData,
    NotificationRaised,
    NotificationRaisedData,
)

RAISED_AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def escalation(
    escalation_id: str, rule: str = "SAL_NOT_CONVERTED", notify: list[str] | None = None
) -> EscalationRaised:
    return EscalationRaised(
        event_id=escalation_id,
        subject=f"lead-{escalation_id}",
        occurred_at=RAISED_AT,
        source="system",
        data=EscalationRaisedData.model_validate(
            {
                "escalation_id": escalation_id,
                "rule": rule,
                "due_at": RAISED_AT,
                "notify": notify if notify is not None else ["sales-management"],
            }
        ),
    )


def notification(notification_id: str, kind: str = "mql_to_sales") -> NotificationRaised:
    return NotificationRaised(
        event_id=notification_id,
        subject=f"lead-{notification_id}",
        occurred_at=RAISED_AT,
        source="system",
        data=NotificationRaisedData(
            notification_id=notification_id,
            kind=kind,
            notify=["marketing"],
            details={"owner": "rep-1"},
        ),
    )
