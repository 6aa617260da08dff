"""The one error type a user may see: its message says what is wrong and how to fix it."""


class BobError(Exception):
    """A problem the user can fix; printed as one line by the CLI, never as a traceback.

    Messages must never carry PII (names, SSN, date of birth, income, phone, email).
    """
