"""The SLA dashboards in a real headless Chromium, on a real broker and worker, after
``leadledger demo``: log in through the form, read the numbers off the page, compare
them with the JSON views; a partner's dashboard shows nothing of another partner.

Screenshots go to the test's tmp dir; their paths are printed (``pytest -s`` shows them).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from streams.cli.main import cli
from tests.support.chromium import Page, browser, page_of, require_chromium
from tests.support.live_worker import LiveWorker

pytestmark = pytest.mark.integration
RUN = "browser"
READ_PAGE = """(() => {
  const text = id => { const e = document.getElementById(id); return e ? e.textContent : null; };
  const table = id => Array.from(document.querySelectorAll('#' + id + ' tr'))
    .filter(r => Object.keys(r.dataset).length)
    .map(r => { const row = {...r.dataset};
      r.querySelectorAll('td[data-field]').forEach(td => {
        row[td.dataset.field] = td.dataset.seconds !== undefined ? Number(td.dataset.seconds)
          : td.textContent; });
      return row; });
  const bars = Array.from(document.querySelectorAll('#follow-up-chart rect.bar'))
    .map(b => [b.dataset.label, Number(b.dataset.value)]);
  return {who: text('who'), openTotal: text('open-clocks-total'),
    breachesTotal: text('breaches-total'), received: text('received'), shared: text('shared'),
    overdue: text('overdue-responses'), byRule: table('open-clocks-by-rule'),
    nearest: table('nearest-breaches'), breaches: table('breaches'), funnel: table('funnel'),
    kpis: table('partner-kpis'), rejections: table('rejections'),
    pending: table('pending-responses'), bars: bars, cookie: document.cookie,
    body: document.body.innerText};
})()"""


def _demo(worker: LiveWorker) -> str:
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": worker.bootstrap,
        "LEADLEDGER_NAMESPACE": worker.namespace,
        "LEADLEDGER_WEB_PORT": worker.base_url.rsplit(":", 1)[1],
        "LEADLEDGER_HOME": str(worker.home),
        "LEADLEDGER_TOKENS": str(worker.tokens_path),
    }
    result = CliRunner().invoke(cli, ["demo", "--run", RUN, "--timeout", "180"], env=env)
    assert result.exit_code == 0, f"{result.output}\n{worker.log_tail()}"
    return result.output


def _token_of(output: str, partner: str) -> str:
    match = re.search(rf"{partner}'s token: (llt_\S+)", output)
    assert match, output
    return match.group(1)


def _settled(worker: LiveWorker) -> dict[str, Any]:
    """The figures once two answers a second apart agree (the worker has caught up)."""

    def stable(body: dict[str, Any]) -> str:
        return json.dumps(
            {k: body[k] for k in ("funnel", "follow_up", "partner_kpis", "rejections")}
        )

    last = None
    for _ in range(60):
        body: dict[str, Any] = worker.get("/dashboard/figures").json()
        if last is not None and stable(body) == stable(last):
            return body
        last = body
        time.sleep(1.0)
    pytest.fail("the dashboard's figures did not settle")


async def _shot(page: Page, tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.png"
    path.write_bytes(await page.screenshot())
    print(f"screenshot: {path}")


def _breaches_by_rule(worker: LiveWorker) -> dict[str, int]:
    since = (datetime.now(UTC) - timedelta(days=7)).isoformat().replace("+00:00", "Z")
    counts: dict[str, int] = {}
    for row in worker.get(f"/escalations?since={since}").json():
        counts[row["rule"]] = counts.get(row["rule"], 0) + 1
    return counts


async def _operator_checks(page: Page, worker: LiveWorker, tmp_path: Path) -> dict[str, Any]:
    await page.goto(f"{worker.base_url}/dashboard")
    assert (await page.url()).endswith("/dashboard/login")  # no cookie: the login form
    await _shot(page, tmp_path, "login")
    await page.submit_login("llt_not-a-token")
    assert "unknown or was revoked" in await page.evaluate("document.body.innerText")
    await page.submit_login(worker.operator_token)
    assert await page.url() == f"{worker.base_url}/dashboard"  # no token in the URL
    seen: dict[str, Any] = await page.evaluate(READ_PAGE)
    await _shot(page, tmp_path, "operator-dashboard")
    assert seen["who"] == "operator"
    assert seen["cookie"] == ""  # HttpOnly: no script reads the token

    api = _settled(worker)
    assert int(seen["openTotal"]) == api["open_clocks"]["total"]
    assert {r["rule"]: int(r["open"]) for r in seen["byRule"]} == {
        r["rule"]: r["open"] for r in api["open_clocks"]["by_rule"]
    }
    seconds = [r["time_to_breach"] for r in seen["nearest"]]
    assert seconds == sorted(seconds)  # the closest to a breach first
    assert {r["status"]: int(r["count"]) for r in seen["funnel"]} == {
        r["status"]: r["count"] for r in api["funnel"]
    }
    # Breaches: against the escalations view itself.
    page_breaches: dict[str, int] = {}
    for row in seen["breaches"]:
        page_breaches[row["rule"]] = page_breaches.get(row["rule"], 0) + int(row["count"])
    assert page_breaches == _breaches_by_rule(worker)
    assert int(seen["breachesTotal"]) == sum(page_breaches.values())
    # The chart: against the weekly report view.
    report = worker.get("/reports/mql-follow-up").json()
    assert seen["bars"] == [[w["week"], w["average_hours"]] for w in report]
    # Partner KPIs: against fabrikam's own KPI view.
    kpis = worker.get("/partners/fabrikam/kpis").json()["kpis"]["by_agreement"][f"AG-DEMO-{RUN}"]
    row = next(r for r in seen["kpis"] if r["partner"] == "fabrikam")
    assert float(row["conversion_rate"]) == kpis["conversion_rate"]
    assert float(row["median_follow_up_hours"]) == kpis["median_follow_up_hours"]
    assert row["meets_conversion_rate"] == (
        "meets" if kpis["meets"]["conversion_rate"] else "misses"
    )
    assert {r["reason"]: int(r["count"]) for r in seen["rejections"]} == {
        r["reason"]: r["count"] for r in api["rejections"]
    }
    return seen


async def _partner_checks(page: Page, worker: LiveWorker, tmp_path: Path, token: str) -> None:
    await page.evaluate("document.getElementById('logout').click(); true")
    await page.wait_loaded()
    assert (await page.url()).endswith("/dashboard/login")
    await page.submit_login(token)
    assert await page.url() == f"{worker.base_url}/partners/fabrikam/dashboard"
    seen = await page.evaluate(READ_PAGE)
    await _shot(page, tmp_path, "partner-fabrikam-dashboard")
    view = worker.get("/partners/fabrikam").json()
    assert seen["who"] == "partner fabrikam"
    assert int(seen["received"]) == len(view["received"])
    assert sorted(r["lead"] for r in seen["pending"]) == sorted(
        p["lead_id"] for p in view["pending_responses"]
    )
    assert int(seen["overdue"]) == sum(p["overdue"] for p in view["pending_responses"])
    assert {r["partner"] for r in seen["kpis"]} == {"fabrikam"}
    # Nothing of northwind's own: no lead fabrikam was never offered, no refusal of hers.
    offered = {link["lead_id"] for link in view["received_detail"]}
    for lead in re.findall(r"demo-browser-lead-\d{3}", seen["body"]):
        assert lead in offered
    assert "demo-browser-lead-030" not in seen["body"]  # northwind's refused share
    assert "score below minimum" not in seen["body"]
    # Another partner's dashboard, and the operator's: refused, and nothing shown.
    for path in ("/partners/northwind/dashboard", "/dashboard"):
        await page.goto(f"{worker.base_url}{path}")
        text = await page.evaluate("document.body.innerText")
        assert text.startswith("403"), text
        assert "demo-browser-lead" not in text
    await _shot(page, tmp_path, "partner-refused")


def test_dashboards_in_chromium_after_the_demo(own_worker: LiveWorker, tmp_path: Path) -> None:
    """On a worker of its own: the demo's 200 leads and its partners (northwind and
    fabrikam, names the golden logs use too) must not meet the session worker's data."""
    live_worker = own_worker
    require_chromium()
    output = _demo(live_worker)
    assert "27 escalations" in output
    fabrikam = _token_of(output, "fabrikam")

    async def scenario(port: int) -> None:
        async with page_of(port) as page:
            seen = await _operator_checks(page, live_worker, tmp_path)
            print("operator dashboard:", json.dumps({k: v for k, v in seen.items() if k != "body"}))
            await _partner_checks(page, live_worker, tmp_path, fabrikam)

    with browser() as port:
        asyncio.run(scenario(port))
