"""What an alert's email says: a subject a person can triage from, and the fields.

``Message-ID`` is derived from the alert's id, the same on every try, so a mail system
or a person can see a resend for what it is.
"""

from __future__ import annotations

from email.message import EmailMessage

from projections.alerts.routing import Alert, alert_id, route_name
from schemas.system_events import EscalationRaised


def message(alert: Alert, sender: str, to: str) -> EmailMessage:
    mail = EmailMessage()
    what = "escalation" if isinstance(alert, EscalationRaised) else "notification"
    mail["Subject"] = f"[leadledger] {what} {route_name(alert)}: {alert.subject}"
    mail["From"] = sender
    mail["To"] = to
    mail["Message-ID"] = f"<{alert_id(alert)}@leadledger>"
    lines = [
        f"{what.capitalize()} {route_name(alert)} about {alert.subject}.",
        "",
        f"id: {alert_id(alert)}",
        f"occurred at: {alert.occurred_at.isoformat()}",
    ]
    if isinstance(alert, EscalationRaised):
        lines.append(f"due at: {alert.data.due_at.isoformat()}")
        if alert.data.action:
            lines.append(f"action: {alert.data.action}")
    lines.append(f"notify: {', '.join(alert.data.notify)}")
    lines += [f"{key}: {value}" for key, value in sorted((alert.data.details or {}).items())]
    mail.set_content("\n".join(lines) + "\n")
    return mail
