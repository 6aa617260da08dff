"""The exports page: the reader's history with status, rows and expiry in the agency's time,
the encrypted file downloaded again until it expires (audited, never the password), the
agency's exports for its managers, and someone else's export answering 404."""

from __future__ import annotations

import io
from datetime import timedelta

import msoffcrypto
import pytest
from sqlalchemy import update

from exports.building import run_export
from exports.planning import ExportRequest, plan_export
from exports.settings import ExportsConfig
from store.models import Agency
from tests.web_fixtures import NOW, audit_log

ANA, MAX, LEE, OMAR = (
    "ana.agent@agency.test",
    "max.manager@agency.test",
    "lee.level@agency.test",
    "omar.owner@agency.test",
)
MADE = NOW - timedelta(minutes=10)  # 09:50 AM in Los Angeles


@pytest.fixture
def ana_export(web_people, sessions, tmp_path):
    """Ana's own book, exported ten minutes ago (it expires in 50 minutes)."""
    config = ExportsConfig(directory=str(tmp_path / "exports"))
    plan = plan_export(sessions, config, ExportRequest(web_people.ids["ana"], via="slack"), MADE)
    return run_export(sessions, config, plan, MADE)


async def test_the_history_shows_status_rows_and_expiry_in_agency_time(browser, ana_export):
    await browser.sign_in(ANA)
    html = await browser.page("/exports")
    assert "<h1>Your exports</h1>" in html
    assert "11/23/2026 09:50 AM PST" in html and "11/23/2026 10:50 AM PST" in html  # requested, expires
    assert "succeeded" in html and f'<td data-label="Rows">{ana_export.row_count:,}</td>' in html
    assert f'href="/exports/{ana_export.token}/download"' in html
    assert ana_export.password not in html  # the password goes by the other channel only
    assert "Your agency's exports" not in html


async def test_a_download_is_the_encrypted_workbook_and_is_audited(browser, sessions, ana_export):
    await browser.sign_in(ANA)
    response = await browser.get(f"/exports/{ana_export.token}/download")
    assert response.status == 200
    body = await response.read()
    assert body == ana_export.path.read_bytes()
    assert msoffcrypto.OfficeFile(io.BytesIO(body)).is_encrypted()
    assert response.headers["Content-Disposition"] == f'attachment; filename="{ana_export.file_name}"'
    assert response.headers["Cache-Control"] == "no-store"
    fetches = audit_log(sessions, "export.fetch")
    assert [(e.target, e.outcome) for e in fetches] == [(f"export:{ana_export.export_id}", "ok")]
    assert all(e.detail == {"channel": "web"} for e in fetches)


async def test_someone_elses_export_is_not_found_and_the_try_is_audited(browser, sessions, ana_export):
    await browser.sign_in(MAX)  # Ana's own manager: the file is still Ana's alone
    response = await browser.get(f"/exports/{ana_export.token}/download")
    assert response.status == 404
    assert "nothing here" in (await response.text()).lower()
    assert [e.outcome for e in audit_log(sessions, "export.fetch")] == ["refused"]
    for made_up in ("A" * 43, "no", "x" * 65, "..%2f..%2fetc"):
        assert (await browser.get(f"/exports/{made_up}/download")).status == 404


async def test_an_expired_export_is_gone_with_a_clear_reason(browser, later, ana_export):
    await browser.sign_in(ANA)
    later(minutes=26)  # two visits, so the 30-minute idle timeout does not end the session
    await browser.page("/exports")
    later(minutes=25)
    html = await browser.page("/exports")
    assert "download" not in html.lower().split("<table", 1)[1]
    response = await browser.get(f"/exports/{ana_export.token}/download")
    assert response.status == 410
    assert "expired" in await response.text()


async def test_managers_see_the_agency_exports_and_other_agencies_do_not(browser, web_people, ana_export):
    await browser.sign_in(MAX)
    html = await browser.page("/exports")
    agency = html.split("Your agency's exports", 1)[1]
    assert "Ana Agent" in agency and "succeeded" in agency
    assert "/download" not in agency  # the file stays Ana's
    browser.forget()
    await browser.sign_in(OMAR)  # a manager of another agency
    html = await browser.page("/exports")
    assert "Nobody in your agency has exported" in html and "Ana Agent" not in html


async def test_the_exports_page_needs_sign_in(browser, ana_export):
    response = await browser.get("/exports")
    assert response.status == 303 and response.headers["Location"] == "/signin?next=/exports"
    response = await browser.get(f"/exports/{ana_export.token}/download")
    assert response.status == 303


async def test_an_export_the_agency_has_since_turned_off_says_so(browser, sessions, ana_export):
    with sessions.begin() as s:
        s.execute(update(Agency).values(prevent_downline_exports=True))
    await browser.sign_in(ANA)
    response = await browser.get(f"/exports/{ana_export.token}/download")
    assert response.status == 403
    assert "turned off Book of Business exports for agents" in await response.text()
