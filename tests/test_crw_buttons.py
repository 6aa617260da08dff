"""The CRW list's per-case buttons, the Home tab's "Open a case" menu and the case view's
buttons, through signed requests: each answers as its slash command twin, refusals and audit
included."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bot.block_limits import limit_problems
from rules.casework.crw_cases import RESOLUTION_REASONS, close_case
from store.models import AuditEntry
from tests.bot_people import CONSUMER_PHONE, NOW


async def press(user, action_id: str, value: str, pick: bool = False) -> dict:
    before = len(user.slack.named("response_url"))
    status, _ = await user.press_button(action_id, value, pick=pick)
    assert status == 200
    answers = await user.slack.wait_for(lambda: user.slack.named("response_url")[before:])
    return answers[0].params


def audit_rows(sessions) -> list[tuple]:
    with sessions() as s:
        return s.execute(
            select(AuditEntry.action, AuditEntry.target, AuditEntry.outcome, AuditEntry.detail).order_by(
                AuditEntry.id
            )
        ).all()


def buttons_of(blocks: list[dict]) -> dict[str, list[tuple[str, str]]]:
    """Each listed case's buttons, as (action id, label), by the case number they carry."""
    found: dict[str, list[tuple[str, str]]] = {}
    for block in blocks:
        for element in block.get("elements", []) if block["type"] == "actions" else []:
            if element["action_id"].startswith("crw_case_"):
                found.setdefault(element["value"], []).append((element["action_id"], element["text"]["text"]))
    return found


AGENTS_BUTTONS = [("crw_case_open", "Show"), ("crw_case_note", "Add note"), ("crw_case_close", "Close")]


async def test_each_listed_case_has_show_add_note_and_close_and_show_answers_as_the_command(cast):
    ana = cast.as_("ana")
    _, listing = await ana.command_reply("crw list")
    assert limit_problems(listing["blocks"]) == []
    assert buttons_of(listing["blocks"]) == {"CRW-000101": AGENTS_BUTTONS, "CRW-000102": AGENTS_BUTTONS}
    closes = [
        e
        for b in listing["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["text"]["text"] == "Close"
    ]
    assert [e["style"] for e in closes] == ["danger", "danger"]
    assert listing["text"] == "Your CRW cases: 2 shown." and CONSUMER_PHONE not in listing["text"]
    shown = await press(ana, "crw_case_open", "CRW-000101")
    _, by_command = await ana.command_reply("crw show CRW-000101")
    assert shown["replace_original"] is False and shown["response_type"] == "ephemeral"
    assert (shown["text"], shown["blocks"]) == (by_command["text"], by_command["blocks"])
    assert CONSUMER_PHONE in json.dumps(shown["blocks"])
    await ana.press_button("crw_case_close", "CRW-000101")
    [opened] = await ana.slack.wait_for(lambda: ana.slack.named("views.open"))
    assert opened.params["view"]["callback_id"] == "crw_close"
    assert opened.params["view"]["private_metadata"] == "CRW-000101"


async def test_a_managers_list_offers_transfer_which_opens_the_transfer_form(cast):
    max_ = cast.as_("max")
    _, listing = await max_.command_reply("crw list --agency")
    assert limit_problems(listing["blocks"]) == []
    listed = buttons_of(listing["blocks"])
    assert list(listed) == ["CRW-000101", "CRW-000104", "CRW-000102"]  # Sunrise's open cases, riskiest first
    assert all(buttons == [*AGENTS_BUTTONS, ("crw_case_transfer", "Transfer")] for buttons in listed.values())
    await max_.press_button("crw_case_transfer", "CRW-000104")
    [opened] = await max_.slack.wait_for(lambda: max_.slack.named("views.open"))
    assert (opened.params["view"]["callback_id"], opened.params["view"]["private_metadata"]) == (
        "crw_transfer",
        "CRW-000104",
    )


@pytest.mark.parametrize("pick", [True, False], ids=["home-menu", "list-show-button"])
async def test_a_pick_by_someone_without_the_right_is_refused_and_audited_as_the_command(
    cast, sessions, pick
):
    omar = cast.as_("omar")
    _, by_command = await omar.command("crw show CRW-000101")
    after_command = audit_rows(sessions)
    assert after_command[-1][:3] == ("crw.show", "CRW-000101", "refused")
    by_menu = await press(omar, "crw_case_open", "CRW-000101", pick=pick)
    assert by_menu["text"] == by_command
    assert "Zelda" not in json.dumps(by_menu)
    assert audit_rows(sessions)[len(after_command) :] == after_command[-1:]


async def test_list_buttons_on_a_case_closed_since_get_a_clear_answer_and_no_form(cast, sessions):
    ana = cast.as_("ana")
    _, listing = await ana.command_reply("crw list")
    assert buttons_of(listing["blocks"])["CRW-000102"] == AGENTS_BUTTONS
    # Closed since the list was shown (the close form itself is tested in test_bot_crw).
    close_case(sessions, cast.ids["ana"], "CRW-000102", RESOLUTION_REASONS[0], "Called; renewed.", NOW)
    for action_id in ("crw_case_close", "crw_case_note"):  # pressed on the list shown before
        answer = await press(ana, action_id, "CRW-000102")
        assert answer["text"] == "CRW case CRW-000102 is closed already."
        assert answer["replace_original"] is False and answer["response_type"] == "ephemeral"
    assert ana.slack.named("views.open") == []
    shown = await press(ana, "crw_case_open", "CRW-000102")
    assert shown["text"] == "CRW case CRW-000102 is closed."
    assert "crw_case_close" not in json.dumps(shown["blocks"])


async def test_closing_a_case_closed_since_gets_a_clear_answer_and_no_form(cast):
    ana = cast.as_("ana")
    answer = await press(ana, "crw_case_close", "CRW-000103")
    assert answer["text"] == "CRW case CRW-000103 is closed already."
    assert ana.slack.named("views.open") == []
    assert (await press(ana, "crw_case_open", "<!channel>", pick=True))["text"].startswith("That control")


async def test_add_note_opens_a_form_whose_note_lands_on_the_case(cast, sessions):
    ana = cast.as_("ana")
    await ana.press_button("crw_case_note", "CRW-000102")
    [opened] = await ana.slack.wait_for(lambda: ana.slack.named("views.open"))
    view = opened.params["view"]
    assert (view["callback_id"], view["private_metadata"]) == ("crw_note", "CRW-000102")
    status, answer = await ana.submit_view(
        view, {"note_text": {"value": {"type": "plain_text_input", "value": "Called <back>"}}}
    )
    assert status == 200 and answer["response_action"] == "update"
    _, shown = await ana.command_reply("crw show CRW-000102")
    assert "Called &lt;back&gt;" in json.dumps(shown["blocks"])
    status, answer = await ana.submit_view(
        view, {"note_text": {"value": {"type": "plain_text_input", "value": "  "}}}
    )
    assert answer["response_action"] == "errors" and "note_text" in answer["errors"]


async def test_add_note_by_someone_without_the_right_gets_the_commands_refusal(cast):
    omar = cast.as_("omar")
    answer = await press(omar, "crw_case_note", "CRW-000101")
    _, by_command = await omar.command("crw close CRW-000101")
    assert answer["text"] == by_command
    assert omar.slack.named("views.open") == []


async def test_a_manager_transfers_a_case_from_its_view_to_an_eligible_level_2(cast, sessions):
    max_ = cast.as_("max")
    _, shown = await max_.command_reply("crw show CRW-000101")
    buttons = [e["action_id"] for b in shown["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["crw_case_note", "crw_case_close", "crw_case_transfer"]
    await max_.press_button("crw_case_transfer", "CRW-000101")
    [opened] = await max_.slack.wait_for(lambda: max_.slack.named("views.open"))
    view = opened.params["view"]
    [menu] = [b["element"] for b in view["blocks"] if b["type"] == "input"]
    assert [o["text"]["text"] for o in menu["options"]] == [
        "Lee Levelto (License 0A22222)",
        "Nia Nolink (License 0A33333)",
    ]  # Agent Level 2s of Sunrise only: not Olga of Moonrise, not Ana who holds the case
    chosen = {"transfer_to": {"value": {"type": "static_select", "selected_option": {"value": "0A22222"}}}}
    status, answer = await max_.submit_view(view, chosen)
    assert status == 200 and answer["response_action"] == "update"
    assert "moved from Ana Agent" in json.dumps(answer["view"])
    [told] = await max_.slack.wait_for(lambda: max_.slack.named("chat.postMessage"))
    assert told.params["channel"] == "U0LEE" and "CRW-000101" in told.params["text"]
    assert audit_rows(sessions)[-1][:3] == ("crw.transfer", "CRW-000101", "ok")


async def test_an_agent_pressing_transfer_gets_the_commands_refusal_and_audit(cast, sessions):
    ana = cast.as_("ana")
    _, shown = await ana.command_reply("crw show CRW-000101")
    assert "crw_case_transfer" not in json.dumps(shown["blocks"])  # not offered to an agent
    _, by_command = await ana.command("transfer CRW-000101 0A22222")
    by_command_audit = audit_rows(sessions)[-1]
    answer = await press(ana, "crw_case_transfer", "CRW-000101")
    assert answer["text"] == by_command
    assert by_command_audit[:3] == ("crw.transfer", "CRW-000101", "refused")
    assert audit_rows(sessions)[-1] == by_command_audit
    assert ana.slack.named("views.open") == []
