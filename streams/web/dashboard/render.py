"""The dashboards' HTML, written on the server from ``projections.dashboard.figures``.

Every number sits in an element with a stable id or ``data-`` attributes (a row's
``data-rule``, a cell's ``data-field``), so the browser test reads the page as a person
sees it and compares it with the JSON views. Text from events (lead ids, owners,
reasons) is escaped. The page refreshes itself: a small inline script fetches the same
URL and swaps the panels (a ``<noscript>`` meta refresh does it without script); the
script and style carry the response's CSP nonce.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

from streams.web.dashboard.chart import bar_chart

REFRESH_SECONDS = 15
KPI_FIELDS = (
    ("shares_received", "shares"),
    ("acceptance_rate", "acceptance"),
    ("conversion_rate", "conversion"),
    ("median_follow_up_hours", "median follow-up h"),
    ("response_sla_compliance", "response SLA"),
)
STYLE = """
body{font:14px system-ui,sans-serif;margin:1.5rem;color:#222}
header{display:flex;gap:1rem;align-items:baseline;flex-wrap:wrap}
section{margin:1.5rem 0}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:.25rem .6rem;text-align:left}
td.n{text-align:right}.bad{color:#c0392b;font-weight:600}.ok{color:#1e7b34}
.muted{color:#777}
"""
REFRESH_SCRIPT = """
setInterval(async () => {
  const answer = await fetch(location.href, {credentials: "same-origin"});
  if (answer.redirected || !answer.ok) { location.reload(); return; }
  const page = new DOMParser().parseFromString(await answer.text(), "text/html");
  document.getElementById("panels").replaceWith(page.getElementById("panels"));
}, INTERVAL_MS);
""".replace("INTERVAL_MS", str(REFRESH_SECONDS * 1000))


def duration(seconds: int | None) -> str:
    """``2d 3h``, ``3h 12m``, ``12m``; past due: ``overdue 5m``."""
    if seconds is None:
        return "-"
    prefix = "overdue " if seconds < 0 else ""
    left = abs(seconds)
    days, rest = divmod(left, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{prefix}{days}d {hours}h"
    if hours:
        return f"{prefix}{hours}h {minutes}m"
    return f"{prefix}{minutes}m"


def _cell(value: Any, field: str, *, numeric: bool = False, css: str = "") -> str:
    shown = "-" if value is None else str(value)
    classes = " ".join(c for c in ("n" if numeric else "", css) if c)
    attr = f' class="{classes}"' if classes else ""
    return f'<td data-field="{escape(field)}"{attr}>{escape(shown)}</td>'


def _row(attrs: Mapping[str, Any], cells: Iterable[str]) -> str:
    data = "".join(f' data-{k}="{escape(str(v))}"' for k, v in attrs.items())
    return f"<tr{data}>{''.join(cells)}</tr>"


def _table(table_id: str, heads: Sequence[str], rows: Sequence[str], empty: str) -> str:
    if not rows:
        return f'<p id="{table_id}" class="muted">{escape(empty)}</p>'
    head = "".join(f"<th>{escape(h)}</th>" for h in heads)
    return f'<table id="{table_id}"><tr>{head}</tr>{"".join(rows)}</table>'


def _seconds_cell(seconds: int | None) -> str:
    css = "bad" if seconds is not None and seconds < 0 else ""
    shown = escape(duration(seconds))
    data = "" if seconds is None else f' data-seconds="{seconds}"'
    return f'<td data-field="time_to_breach"{data} class="n {css}">{shown}</td>'


def open_clocks_panel(clocks: Mapping[str, Any]) -> str:
    by_rule = [
        _row(
            {"rule": r["rule"]},
            [
                _cell(r["rule"], "rule"),
                _cell(r["open"], "open", numeric=True),
                _seconds_cell(r["next_breach_seconds"]),
            ],
        )
        for r in clocks["by_rule"]
    ]
    nearest = [
        _row(
            {"lead": r["lead_id"], "rule": r["rule"]},
            [
                _cell(r["lead_id"], "lead_id"),
                _cell(r["rule"], "rule"),
                _cell(r["owner"], "owner"),
                _cell(r["due_at"], "due_at"),
                _seconds_cell(r["seconds_to_breach"]),
            ],
        )
        for r in clocks["nearest"]
    ]
    return (
        '<section id="open-clocks"><h2>Open clocks: '
        f'<span id="open-clocks-total">{clocks["total"]}</span></h2>'
        + _table("open-clocks-by-rule", ["rule", "open", "next breach in"], by_rule, "none open")
        + "<h3>Closest to a breach</h3>"
        + _table(
            "nearest-breaches",
            ["lead", "rule", "owner", "due", "time to breach"],
            nearest,
            "none open",
        )
        + "</section>"
    )


def breaches_panel(breaches: Mapping[str, Any]) -> str:
    rows = [
        _row(
            {"rule": r["rule"], "owner": r["owner"]},
            [
                _cell(r["rule"], "rule"),
                _cell(r["owner"], "owner"),
                _cell(r["count"], "count", numeric=True),
            ],
        )
        for r in breaches["by_rule_owner"]
    ]
    return (
        '<section id="breaches-panel"><h2>Breaches this week: '
        f'<span id="breaches-total">{breaches["total"]}</span></h2>'
        f'<p class="muted">escalations due since {escape(breaches["since"])}</p>'
        + _table("breaches", ["rule", "owner (then)", "breaches"], rows, "no breach this week")
        + "</section>"
    )


def follow_up_panel(
    weeks: Sequence[Mapping[str, Any]], value_key: str, title: str, target: float | None
) -> str:
    bars = [(str(w["week"]), w[value_key]) for w in weeks]
    rows = [
        _row(
            {"week": w["week"]},
            [
                _cell(w["week"], "week"),
                _cell(w[value_key], value_key, numeric=True),
                _cell(w["count"], "count", numeric=True),
            ],
        )
        for w in weeks
    ]
    return (
        f'<section id="follow-up"><h2>{escape(title)}</h2>'
        + bar_chart(bars, chart_id="follow-up-chart", unit="h", target=target)
        + _table("follow-up-table", ["week", "hours", "leads"], rows, "nothing measured yet")
        + "</section>"
    )


def funnel_panel(funnel: Sequence[Mapping[str, Any]]) -> str:
    rows = [
        _row(
            {"status": f["status"]},
            [_cell(f["status"], "status"), _cell(f["count"], "count", numeric=True)],
        )
        for f in funnel
    ]
    return (
        '<section id="funnel-panel"><h2>Funnel</h2>'
        + _table("funnel", ["status", "leads"], rows, "no leads yet")
        + "</section>"
    )


def _meets(value: bool | None) -> str:
    return {True: "meets", False: "misses", None: "-"}[value]


def kpis_panel(rows_in: Sequence[Mapping[str, Any]]) -> str:
    rows = []
    for r in rows_in:
        cells = [_cell(r["partner_id"], "partner_id"), _cell(r["agreement_id"], "agreement_id")]
        cells += [_cell(r[key], key, numeric=True) for key, _ in KPI_FIELDS]
        targets = ", ".join(f"{k} {v:g}" for k, v in sorted(r["targets"].items())) or "-"
        cells.append(_cell(targets, "targets"))
        for check in ("conversion_rate", "follow_up"):
            verdict = r["meets"].get(check)
            css = {True: "ok", False: "bad"}.get(verdict, "")
            cells.append(_cell(_meets(verdict), f"meets_{check}", css=css))
        rows.append(_row({"partner": r["partner_id"], "agreement": r["agreement_id"]}, cells))
    heads = ["partner", "agreement", *(label for _, label in KPI_FIELDS)]
    heads += ["targets", "conversion target", "follow-up target"]
    return (
        '<section id="kpis-panel"><h2>Partner KPIs against targets</h2>'
        + _table("partner-kpis", heads, rows, "no shares received yet")
        + "</section>"
    )


def rejections_panel(rejections: Sequence[Mapping[str, Any]]) -> str:
    rows = [
        _row(
            {"reason": r["reason"]},
            [_cell(r["reason"], "reason"), _cell(r["count"], "count", numeric=True)],
        )
        for r in rejections
    ]
    return (
        '<section id="rejections-panel"><h2>Rejections by reason</h2>'
        + _table("rejections", ["reason", "count"], rows, "no rejection")
        + "</section>"
    )


def pending_panel(figures: Mapping[str, Any]) -> str:
    rows = [
        _row(
            {"lead": p["lead_id"]},
            [
                _cell(p["lead_id"], "lead_id"),
                _cell(p["agreement_id"], "agreement_id"),
                _cell(p["respond_by"], "respond_by"),
                _seconds_cell(p["seconds_to_breach"]),
            ],
        )
        for p in figures["pending_responses"]
    ]
    return (
        '<section id="pending"><h2>Shares waiting for your answer: '
        f'<span id="pending-total">{len(rows)}</span>, overdue '
        f'<span id="overdue-responses">{figures["overdue_responses"]}</span></h2>'
        + _table(
            "pending-responses",
            ["lead", "agreement", "respond by", "time to breach"],
            rows,
            "none waiting",
        )
        + "</section>"
    )


def operator_panels(figures: Mapping[str, Any], follow_up_target: float | None) -> str:
    return "".join(
        (
            open_clocks_panel(figures["open_clocks"]),
            breaches_panel(figures["breaches"]),
            follow_up_panel(
                figures["follow_up"],
                "average_hours",
                "Weekly MQL follow-up time (average hours, MQL to the first sales decision)",
                follow_up_target,
            ),
            funnel_panel(figures["funnel"]),
            kpis_panel(figures["partner_kpis"]),
            rejections_panel(figures["rejections"]),
        )
    )


def partner_panels(figures: Mapping[str, Any]) -> str:
    counts = (
        f'<section id="counts"><h2>Leads</h2><p>received and held: '
        f'<span id="received">{figures["received"]}</span>; shared: '
        f'<span id="shared">{figures["shared"]}</span></p></section>'
    )
    targets = [
        r["targets"]["max_follow_up_hours"]
        for r in figures["partner_kpis"]
        if "max_follow_up_hours" in r["targets"]
    ]
    return "".join(
        (
            counts,
            pending_panel(figures),
            follow_up_panel(
                figures["follow_up"],
                "median_hours",
                "Weekly follow-up time (median hours, share to your answer)",
                min(targets) if targets else None,
            ),
            kpis_panel(figures["partner_kpis"]),
            rejections_panel(figures["rejections"]),
        )
    )


def page(title: str, who: str, as_of: str, panels: str, nonce: str) -> str:
    """A whole dashboard page: header with who is logged in, logout, the panels."""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>"
        f'<noscript><meta http-equiv="refresh" content="{REFRESH_SECONDS}"></noscript>'
        f'<style nonce="{nonce}">{STYLE}</style></head><body>'
        f"<header><h1>{escape(title)}</h1>"
        f'<span id="who">{escape(who)}</span>'
        '<form method="post" action="/dashboard/logout"><button id="logout">Log out</button></form>'
        "</header>"
        f'<div id="panels" data-as-of="{escape(as_of)}">'
        f'<p class="muted">as of <span id="as-of">{escape(as_of)}</span>; refreshes every '
        f"{REFRESH_SECONDS} s</p>{panels}</div>"
        f'<script nonce="{nonce}">{REFRESH_SCRIPT}</script></body></html>'
    )


def login_page(nonce: str, problem: str | None = None) -> str:
    """The login form: the token is POSTed, so it never appears in a URL or a log line."""
    shown = f'<p id="login-error" class="bad">{escape(problem)}</p>' if problem else ""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<title>leadledger: log in</title><style nonce="{nonce}">{STYLE}</style></head><body>'
        "<h1>leadledger SLA dashboard</h1>"
        f"{shown}"
        '<form id="login" method="post" action="/dashboard/login">'
        "<label>API token (operator or partner) "
        '<input id="token" name="token" type="password" autocomplete="off" required></label> '
        '<button id="login-button" type="submit">Log in</button></form>'
        '<p class="muted">The token is kept in an HttpOnly cookie for this site only.</p>'
        "</body></html>"
    )


def refusal_page(nonce: str, status: int, message: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<title>leadledger: {status}</title><style nonce="{nonce}">{STYLE}</style></head><body>'
        f'<h1>{status}</h1><p id="refusal">{escape(message)}</p>'
        '<p><a href="/dashboard/login">Log in</a></p>'
        '<form method="post" action="/dashboard/logout"><button id="logout">Log out</button></form>'
        "</body></html>"
    )
