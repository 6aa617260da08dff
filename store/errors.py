"""The one error type a user may see: its message says what is wrong and how to fix it."""


class BobError(Exception):
    """A problem the user can fix; printed as one line by the CLI, never as a traceback.

    Messages must never carry PII (names, SSN, date of birth, income, phone, email).
    """


class Refused(BobError):
    """An action the user may not (or cannot) take; the message is safe to show them.

    ``reason`` is a short code for the audit log and for callers that branch on it.
    """

    def __init__(self, message: str, reason: str = "refused") -> None:
        super().__init__(message)
        self.reason = reason
