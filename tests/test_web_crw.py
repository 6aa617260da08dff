"""The CRW pages: the reader's tiles drawn as server-side SVG bar charts (no script, no inline
style, labels escaped), their open cases and one case; the agency view for managers; and a
case or view outside the reader's reach answering 404."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.web_fixtures import NOW, audit_log

ANA, MAX, LEE, OMAR = (
    "ana.agent@agency.test",
    "max.manager@agency.test",
    "lee.level@agency.test",
    "omar.owner@agency.test",
)


@pytest.fixture
def cases(web_people, book):
    """Ana: an open Very High case 3 days old, an open Low one 40 days old, and one closed
    after 10 days; Lee: one open case; Omar's agency: one open case."""
    ana, lee = web_people.ids["ana"], web_people.ids["lee"]
    rosa = book.consumer(ana, first_name="Rosa", last_name="Ricci", primary_phone="(916) 555-0199")
    book.crw_case(rosa, ana, NOW - timedelta(days=3), risk=5, case_number="CRW-ANA-HOT")
    book.crw_case(book.consumer(ana), ana, NOW - timedelta(days=40), risk=2, reason="<b>Moved</b> & gone")
    book.crw_case(book.consumer(ana), ana, NOW - timedelta(days=30), closed=NOW - timedelta(days=20), risk=3)
    book.crw_case(book.consumer(lee), lee, NOW - timedelta(days=8), risk=4, case_number="CRW-LEE-1")
    omar_agent = book.enroller(book.agency("moon2", "Moon Two"), "Mo", "Moon")
    book.crw_case(book.consumer(omar_agent), omar_agent, NOW - timedelta(days=1), case_number="CRW-MOON-1")
    return web_people


def chart_says(html: str, title: str) -> str:
    """The text description of the chart titled ``title`` (what a screen reader announces)."""
    key = re.search(rf'<figcaption id="([^"]+)-title">{re.escape(title)}</figcaption>', html).group(1)
    return re.search(rf'<desc id="{key}-desc">([^<]*)</desc>', html).group(1)


async def test_my_tiles_are_svg_bar_charts_of_my_cases(browser, cases):
    await browser.sign_in(ANA)
    html = await browser.page("/crw")
    assert "<h1>Your Consumer Retention Workspace</h1>" in html
    assert chart_says(html, "Open cases by priority") == (
        "5 Very High Risk: 1; 4 High Risk: 0; 3 Medium Risk: 0; 2 Low Risk: 1; 1 Very Low Risk: 0."
    )
    assert chart_says(html, "Open cases by age") == (
        "&lt;7 days: 1; &lt;30 days: 0; &lt;45 days: 1; &lt;60 days: 0; 60+ days: 0."
    )
    assert "&lt;b&gt;Moved&lt;/b&gt; &amp; gone: 1" in chart_says(html, "Cases by reason")
    assert "<b>Moved</b>" not in html
    assert "<dt>Open cases</dt><dd>2</dd>" in html and "<dd>10.0 days</dd>" in html
    bars = re.findall(r'<rect class="bar" x="150" y="\d+" width="([\d.]+)"', html)
    assert bars[:5] == ["170.0", "0.0", "0.0", "170.0", "0.0"]  # priority: the largest fills the room
    assert "<script" not in html and "style=" not in html
    assert "CRW-ANA-HOT" in html and "CRW-LEE-1" not in html
    assert 'href="/crw/agency"' not in html  # an agent has no agency view


async def test_an_agent_reads_their_case_but_not_anothers_nor_the_agency_view(browser, cases):
    await browser.sign_in(ANA)
    html = await browser.page("/crw/cases/CRW-ANA-HOT")
    assert "Rosa Ricci" in html and "(916) 555-0199" in html  # the assignee sees the contact
    for path in ("/crw/cases/CRW-LEE-1", "/crw/cases/CRW-MOON-1", "/crw/cases/NOPE-1", "/crw/agency"):
        response = await browser.get(path)
        assert response.status == 404, path
        assert "nothing here" in (await response.text()).lower()


async def test_a_manager_sees_the_agency_view_and_cases_without_contacts(browser, cases):
    await browser.sign_in(MAX)
    assert 'href="/crw/agency"' in await browser.page("/crw")
    html = await browser.page("/crw/agency")
    assert "<h1>Your agency&#39;s Consumer Retention Workspace</h1>" in html  # autoescaped
    assert "<dt>Open cases</dt><dd>3</dd>" in html
    assert chart_says(html, "Open cases by priority").startswith("5 Very High Risk: 1; 4 High Risk: 1;")
    activity = html.split("Activity by enroller", 1)[1].split("Open cases", 1)[0]
    assert "Ana Agent" in activity and "Lee Level" in activity
    assert "CRW-LEE-1" in html and "CRW-MOON-1" not in html
    case = await browser.page("/crw/cases/CRW-ANA-HOT")
    assert "Ana Agent" in case and "Rosa Ricci" not in case  # not theirs: no contact details
    assert (await browser.get("/crw/cases/CRW-MOON-1")).status == 404


async def test_another_agencys_manager_gets_404_for_our_case(browser, cases):
    await browser.sign_in(OMAR)
    assert (await browser.get("/crw/cases/CRW-ANA-HOT")).status == 404
    assert "CRW-ANA-HOT" not in await browser.page("/crw/agency")


async def test_reading_cases_on_the_web_is_on_record(browser, cases, sessions):
    await browser.sign_in(ANA)
    await browser.page("/crw")
    await browser.page("/crw/cases/CRW-ANA-HOT")
    assert (await browser.get("/crw/cases/CRW-LEE-1")).status == 404  # refused, audited as refused
    reads = [
        (e.actor_id, e.action, e.target, e.outcome, e.detail)
        for action in ("crw.list", "crw.show")
        for e in audit_log(sessions, action)
    ]
    ana = cases.ids["ana"]
    assert [read for read in reads if read[3] == "ok"] == [
        (ana, "crw.list", "own", "ok", {"channel": "web"}),
        (ana, "crw.show", "CRW-ANA-HOT", "ok", {"channel": "web"}),
    ]
    assert [read[2:4] for read in reads if read[3] != "ok"] == [("CRW-LEE-1", "refused")]
