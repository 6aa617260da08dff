"""The logger bob hands to Bolt and the Slack SDK, which quote payloads in their log messages.

Bolt logs the filtered body of a request no listener takes (WARNING, with a view's callback id
or a suggestion's typed value) and every response it sends (DEBUG: a mailbox digest); the SDK
logs each Web API call with its arguments (DEBUG: a CRW note posted to a DM). Through this
logger, whose filter Bolt copies onto each of its component loggers, a record keeps its level,
its logger and its exception, and of its message only the library's leading words (its own
prose, before the first value it quotes), so nothing from a payload reaches a log and no
newline inside one can forge a log line.
"""

from __future__ import annotations

import logging
import re

LOGGER_NAME = "bot.slack_library"
# A library message starts with its own words ("Unhandled request (", "Failed to run
# listener function (error: ", "Sending a request - url: "); the first value ends them.
_PROSE = re.compile(r"[A-Za-z][A-Za-z ,'-]{0,79}")


class WithoutPayloads(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        prose = _PROSE.match(str(record.msg))
        record.msg = f"{prose.group(0).strip() if prose else 'Slack library message'} [details withheld]"
        record.args = None
        return True


# Loggers the libraries make for themselves, out of bob's reach otherwise: Bolt's ``respond``
# posts through a webhook client logging to its module's logger (DEBUG: the whole reply).
OWN_LOGGERS = ("slack_sdk.webhook.async_client", "slack_sdk.webhook.client")


def _filtered(logger: logging.Logger) -> logging.Logger:
    if not any(isinstance(f, WithoutPayloads) for f in logger.filters):
        logger.addFilter(WithoutPayloads())
    return logger


def slack_library_logger() -> logging.Logger:
    """The logger for Bolt's app and the Web API client (one filter, however often asked);
    the libraries' own loggers that bob cannot hand it get the same filter."""
    for name in OWN_LOGGERS:
        _filtered(logging.getLogger(name))
    return _filtered(logging.getLogger(LOGGER_NAME))
