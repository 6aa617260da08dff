"""One check's answer, as `bob doctor` prints it: ok or fail, what was found, and the fix."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    found: str
    fix: str = ""

    def line(self) -> str:
        text = f"{'ok' if self.ok else 'FAIL':<4}  {self.name:<12} {self.found}"
        return f"{text}; fix: {self.fix}" if not self.ok and self.fix else text


def passed(name: str, found: str) -> Check:
    return Check(name, True, found)


def failed(name: str, found: str, fix: str) -> Check:
    return Check(name, False, found, fix)
