"""A digest in Slack: the short DM of the morning, and the whole digest paged.

The DM shows the counts per topic, the first alerts of each and the first follow-ups; "Open
full digest" shows every alert, paged by topic (by enroller in a Daily Manager Summary) with
Previous/Next buttons, then the follow-ups and the CRW part, so nothing is cut however long
the digest. Pages are packed to stay well within Slack's limits
(:mod:`bot.block_limits`): a page holds at most ``PAGE_BLOCKS`` content blocks and
``PAGE_CHARS`` characters, a topic too long for one page continues on the next. Every stored
value passes through :func:`bot.slack_text.inert`.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby
from typing import Any

from bot.block_kit import Block, Reply, context, header, lines_sections, section
from bot.slack_text import inert
from rules.digest_text import CRW_HEADING, FOLLOW_UPS_HEADING, crw_lines, follow_up_lines
from rules.topics import TOPIC_ORDER, TOPICS
from store.mailbox import MailboxDocument

FIRST_ALERTS = 3  # alerts of each topic the DM shows
PAGE_BLOCKS = 20
PAGE_CHARS = 12_000
LINE_CHARS = 2_900  # a stored line longer than a section holds goes on in the next one
OPEN_DIGEST = "digest_open"
PREVIOUS_PAGE = "digest_previous"
NEXT_PAGE = "digest_next"
OPEN_IN_BROWSER = "digest_browser"
_TITLE_ORDER = {topic.title: TOPIC_ORDER[topic.name] for topic in TOPICS}


def _is_manager_summary(doc: MailboxDocument) -> bool:
    return doc.kind == "manager_summary"


def alert_line(alert: dict[str, Any], with_topic: bool = False, with_enroller: bool = False) -> str:
    """One alert: case number, (topic,) contact; (enroller,) for a manager's view."""
    contact = alert.get("contact") or {}
    parts = [contact.get("name"), contact.get("phone"), contact.get("email")]
    who = ", ".join(inert(part) for part in parts if part)
    line = f"`{inert(alert.get('case_number', ''))}`"
    if with_topic:
        line += f"  {inert(alert.get('topic_title', ''))}"
    line += f"  {who}"
    if with_enroller:
        line += f"  (enroller: {inert((alert.get('enroller') or {}).get('name', ''))})"
    return line


def _by_topic(alerts: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    ordered = sorted(alerts, key=lambda a: _TITLE_ORDER.get(str(a.get("topic_title")), len(_TITLE_ORDER)))
    return [
        (str(title), list(group)) for title, group in groupby(ordered, key=lambda a: a.get("topic_title"))
    ]


def browser_url(web_base_url: str, message_id: int) -> str:
    """Where the web mailbox shows this digest."""
    return f"{web_base_url.rstrip('/')}/mailbox/{message_id}"


def _buttons(doc: MailboxDocument, web_base_url: str) -> Block:
    elements: list[dict[str, Any]] = [
        {
            "type": "button",
            "action_id": OPEN_DIGEST,
            "text": {"type": "plain_text", "text": "Open full digest"},
            "value": str(doc.id),
            "style": "primary",
        }
    ]
    if web_base_url:
        elements.append(
            {
                "type": "button",
                "action_id": OPEN_IN_BROWSER,
                "text": {"type": "plain_text", "text": "Open in browser"},
                "url": browser_url(web_base_url, doc.id),
            }
        )
    return {"type": "actions", "elements": elements}


def digest_dm(doc: MailboxDocument, web_base_url: str = "") -> Reply:
    """The morning DM: one short line for a No Alerts digest, else the subject, counts per
    topic, the first alerts of each topic and the buttons."""
    subject = inert(doc.subject)
    follow_ups = follow_up_lines(doc.body_text)
    if not doc.alert_count and not follow_ups:
        return Reply(doc.subject, [section(f"*{subject}*: nothing needs you today.")])
    topics = _by_topic(doc.alerts or [])
    counts = "\n".join(f"{inert(title)}: *{len(alerts)}*" for title, alerts in topics)
    blocks: list[Block] = [header(doc.subject), section(f"{doc.alert_count} alerts\n{counts}")]
    manager = _is_manager_summary(doc)
    for title, alerts in topics:
        first = [alert_line(alert, with_enroller=manager) for alert in alerts[:FIRST_ALERTS]]
        more = f"\n_… and {len(alerts) - FIRST_ALERTS} more_" if len(alerts) > FIRST_ALERTS else ""
        blocks.append(section(f"*{inert(title)}*\n" + "\n".join(first) + more))
    if follow_ups:
        shown = [inert(line) for line in follow_ups[:FIRST_ALERTS]]
        more = f"\n_… and {len(follow_ups) - FIRST_ALERTS} more_" if len(follow_ups) > FIRST_ALERTS else ""
        blocks.append(section(f"*{FOLLOW_UPS_HEADING}*\n" + "\n".join(shown) + more))
    blocks.append(_buttons(doc, web_base_url))
    return Reply(doc.subject, blocks)


def _enroller_of(alert: dict[str, Any]) -> str:
    enroller = alert.get("enroller") or {}
    return f"{enroller.get('name', '')} (License {enroller.get('license_number', '')})"


def _text_lines(text: str) -> Iterator[str]:
    """The text's lines, inert, a line too long for one section split (never cut)."""
    for line in text.splitlines():
        shown = inert(line)
        for start in range(0, max(len(shown), 1), LINE_CHARS):
            yield shown[start : start + LINE_CHARS]


def _groups(doc: MailboxDocument) -> Iterator[tuple[str, list[str]]]:
    """The digest's parts in order, each a heading and its lines: topics for an enroller,
    enrollers for a manager, then the CRW part."""
    if doc.alerts is None:  # stored before bob kept alerts as data: the text, whole
        yield "Digest", [f"`{part}`" if part.strip() else " " for part in _text_lines(doc.body_text)]
        return
    if _is_manager_summary(doc):
        for enroller, of_enroller in groupby(doc.alerts, key=_enroller_of):
            yield inert(enroller), [alert_line(alert, with_topic=True) for alert in of_enroller]
    else:
        for title, alerts in _by_topic(doc.alerts):
            yield inert(title), [alert_line(alert) for alert in alerts]
    follow_ups = follow_up_lines(doc.body_text)
    if follow_ups:
        yield FOLLOW_UPS_HEADING, [inert(line) for line in follow_ups]
    crw = crw_lines(doc.body_text)
    if crw:
        yield CRW_HEADING, [inert(line.strip()) for line in crw[1:]]


def _size(block: Block) -> int:
    return len(str(block.get("text", {}).get("text", "")))


def _fits(page: list[Block], more: list[Block]) -> bool:
    blocks = len(page) + len(more)
    return blocks <= PAGE_BLOCKS and sum(_size(b) for b in [*page, *more]) <= PAGE_CHARS


def digest_pages(doc: MailboxDocument) -> list[list[Block]]:
    """Every part of the digest packed into pages (content blocks only, never cut); a part
    that goes on over a page break is headed "(continued)" on the next page."""
    pages: list[list[Block]] = [[]]
    for heading, lines in _groups(doc):
        for n, block in enumerate(lines_sections(lines or ["(none)"])):
            title = section(f"*{heading}* ({len(lines)})" if n == 0 else f"*{heading}* (continued)")
            page = pages[-1]
            if page and not _fits(page, [title, block]):
                pages.append([title, block])
            elif n == 0 or not page:
                page.extend([title, block])
            else:
                page.append(block)
    if not pages[0]:
        pages[0].append(section("No alerts."))
    return pages


def _nav(doc: MailboxDocument, number: int, total: int) -> Block | None:
    buttons = []
    if number > 1:
        buttons.append((PREVIOUS_PAGE, "Previous", number - 1))
    if number < total:
        buttons.append((NEXT_PAGE, "Next", number + 1))
    if not buttons:
        return None
    return {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "action_id": action_id,
                "text": {"type": "plain_text", "text": label},
                "value": f"{doc.id}:{page}",
            }
            for action_id, label, page in buttons
        ],
    }


def digest_page(doc: MailboxDocument, number: int) -> Reply:
    """Page ``number`` (from 1; clamped to the pages there are) of the whole digest."""
    pages = digest_pages(doc)
    number = min(max(number, 1), len(pages))
    where = f"Page {number} of {len(pages)} · {doc.alert_count} alerts · mailbox id `{doc.id}`"
    blocks = [header(doc.subject), context(where), *pages[number - 1]]
    nav = _nav(doc, number, len(pages))
    if nav is not None:
        blocks.append(nav)
    return Reply(f"{doc.subject} (page {number} of {len(pages)})", blocks)
