import pytest

from bot.export_command import ExportCommand
from bot.exports_command import ExportFetchCommand, ExportsCommand
from bot.link_command import LinkCodeCommand, LinkStartCommand
from bot.mailbox_command import MailboxCommand
from bot.parsing import BadCommand
from bot.registry import SUBCOMMANDS, USAGE, HelpCommand, parse_command


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", HelpCommand()),
        ("help", HelpCommand()),
        ("export", ExportCommand()),
        ("EXPORT --masked", ExportCommand(masked=True)),
        (
            "export agency --snapshot --changes",
            ExportCommand(target="agency", snapshot=True, include_changes=True),
        ),
        ('export agent "Ana Agent"', ExportCommand(target="agent", agent_query="Ana Agent")),
        (
            "export agent \u201cAna  Agent\u201d --masked",
            ExportCommand(target="agent", agent_query="Ana Agent", masked=True),
        ),
        ("export agent Ana Agent", ExportCommand(target="agent", agent_query="Ana Agent")),
        ("export agent 0A00012", ExportCommand(target="agent", agent_query="0A00012")),
        ("export agent O'Neil-Smith", ExportCommand(target="agent", agent_query="O'Neil-Smith")),
        ("exports", ExportsCommand()),
        ("exports get abc123XYZ_-", ExportFetchCommand(token="abc123XYZ_-")),
        ("mailbox", MailboxCommand()),
        ("mailbox 42", MailboxCommand(message_id=42)),
        ("link 0A00012", LinkStartCommand(license_or_email="0A00012")),
        ("link ana.agent@agency.test", LinkStartCommand(license_or_email="ana.agent@agency.test")),
        ("link 123456", LinkCodeCommand(code="123456")),
        ("link 123-456", LinkCodeCommand(code="123456")),
        ("link 123 456", LinkCodeCommand(code="123456")),
    ],
)
def test_it_understands_every_command(text, expected):
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("frobnicate", "I don't know `frobnicate`"),
        ("export --everything", "has no option `--everything`"),
        ("export agent", "Say which agent"),
        ("export agent <@U123>", "full first and last name or license number"),
        ("export agent Ana; DROP TABLE", "letters, digits, spaces"),
        ("export somebody", "/bob export agency"),
        ('export agent "Ana', "quote is not closed"),
        ("exports get", "/bob exports get <token>"),
        ("exports get a/b", "/bob exports get <token>"),
        ("mailbox latest", "/bob mailbox <id>"),
        ("link", "/bob link <your license number"),
        ("link two words", "/bob link <your license number"),
    ],
)
def test_it_explains_what_to_type_instead(text, hint):
    command = parse_command(text)
    assert isinstance(command, BadCommand)
    assert hint in command.message


def test_an_unknown_command_lists_the_commands():
    command = parse_command("exprot")
    assert isinstance(command, BadCommand)
    for usage in ("/bob export", "/bob exports", "/bob mailbox", "/bob link", "/bob help"):
        assert usage in command.message


def test_an_echoed_word_cannot_carry_slack_markup():
    command = parse_command("<!channel>")
    assert isinstance(command, BadCommand)
    assert "<!channel>" not in command.message


@pytest.mark.parametrize("subcommand", SUBCOMMANDS, ids=lambda subcommand: subcommand.word)
def test_every_registered_command_is_listed_in_help_and_reaches_its_parser(subcommand):
    assert f"`/bob {subcommand.word}" in USAGE
    assert parse_command(subcommand.word.upper()) == subcommand.parse([])


@pytest.mark.parametrize(
    "text",
    [
        "export agent 0A00012 --masked",
        "exports get abc123XYZ_-",
        "mailbox 42",
        "crw list --risk 5",
        'crw note CRW-0001 "quoted" and an unclosed " quote',
        "transfer CRW-0001 Lee Leveltwo",
        "help-request update HR-2026-000001 resolved done",
        "link 123-456",
    ],
)
def test_the_listener_of_a_command_reads_it_as_the_registry_does(text):
    readers = [subcommand for subcommand in SUBCOMMANDS if subcommand.read(text) is not None]
    assert [reader.read(text) for reader in readers] == [parse_command(text)]
