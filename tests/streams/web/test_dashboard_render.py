"""The dashboard's HTML and SVG, rendered without a server: stable ids and data
attributes for every number, escaping, the login form, the chart's bars and target."""

from __future__ import annotations

from html.parser import HTMLParser

from streams.web.dashboard.chart import bar_chart
from streams.web.dashboard.render import duration, login_page, operator_panels, page

FIGURES = {
    "open_clocks": {
        "total": 1,
        "by_rule": [{"rule": "MQL_NOT_ACCEPTED", "open": 1, "next_breach_seconds": 3700}],
        "nearest": [
            {
                "lead_id": "<script>x</script>",
                "rule": "MQL_NOT_ACCEPTED",
                "owner": "rep-1",
                "due_at": "2026-11-12T13:00:00Z",
                "seconds_to_breach": 3700,
            }
        ],
    },
    "breaches": {
        "since": "2026-11-05T12:00:00Z",
        "total": 3,
        "by_rule": {"MQL_NOT_ASSIGNED": 3},
        "by_rule_owner": [{"rule": "MQL_NOT_ASSIGNED", "owner": "unassigned", "count": 3}],
    },
    "follow_up": [{"week": "2026-W46", "average_hours": 12.5, "count": 4}],
    "funnel": [{"status": "MQL", "count": 7}],
    "partner_kpis": [],
    "rejections": [{"reason": "share refused: NDA not signed", "count": 2}],
}


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Elements()
    parser.feed(html)
    return parser.tags


def test_every_number_has_a_stable_handle() -> None:
    html = operator_panels(FIGURES, follow_up_target=48.0)
    ids = {attrs.get("id") for _, attrs in _elements(html)}
    assert {
        "open-clocks-total",
        "open-clocks-by-rule",
        "nearest-breaches",
        "breaches-total",
        "breaches",
        "follow-up-chart",
        "funnel",
        "partner-kpis",
        "rejections",
    } <= ids
    assert '<tr data-status="MQL"><td data-field="status">MQL</td>' in html
    assert 'data-field="time_to_breach" data-seconds="3700"' in html
    assert "1h 1m" in html


def test_text_from_events_is_escaped() -> None:
    html = operator_panels(FIGURES, follow_up_target=None)
    assert "<script>x" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html


def test_the_chart_is_inline_svg_with_readable_bars() -> None:
    svg = bar_chart([("W1", 10.0), ("W2", None), ("W3", 60.5)], chart_id="c", unit="h", target=48)
    bars = [a for tag, a in _elements(svg) if tag == "rect"]
    assert [(b["data-label"], b["data-value"]) for b in bars] == [("W1", "10"), ("W3", "60.5")]
    assert 'class="target" data-value="48"' in svg
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")  # nothing fetched
    assert "nothing measured yet" in bar_chart([], chart_id="c", unit="h")


def test_the_login_form_posts_the_token() -> None:
    html = login_page("n0nce", "this token is unknown or was revoked")
    form = next(a for tag, a in _elements(html) if tag == "form")
    assert (form["method"], form["action"]) == ("post", "/dashboard/login")
    token = next(a for tag, a in _elements(html) if tag == "input")
    assert token["type"] == "password"
    assert 'id="login-error"' in html


def test_the_page_refreshes_itself_and_logs_out_by_post() -> None:
    html = page("t", "operator", "2026-11-12T12:00:00Z", "<p>x</p>", "n0nce")
    assert '<script nonce="n0nce">' in html
    assert "setInterval" in html
    assert '<meta http-equiv="refresh"' in html  # inside <noscript>
    logout = [a for tag, a in _elements(html) if tag == "form"]
    assert logout == [{"method": "post", "action": "/dashboard/logout"}]


def test_durations() -> None:
    assert [duration(s) for s in (59, 3700, 90000, -300, None)] == [
        "0m",
        "1h 1m",
        "1d 1h",
        "overdue 5m",
        "-",
    ]
