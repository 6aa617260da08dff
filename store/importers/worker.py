"""Reading a large file in a second process, so both cores work on an import.

Parsing a workbook's XML and its cells is about half the work of a Book of Business
import. The values read are cheap to send between processes; the records made from them
are not (pickling them cost as much as making them), so reading moves and mapping stays. A child process
(spawned, so it shares no database connection or thread with the parent) runs a producer,
a module-level generator function, and sends its items back in batches through a pipe
while the parent maps and writes the previous batches. As with any spawned process, a
script that imports must guard its entry point with ``if __name__ == "__main__"``.
Errors raised in the child (a damaged sheet) are raised again in the parent with their
own one-line message.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import Any, TypeVar

T = TypeVar("T")

BATCH = 500  # items per message
DONE = "done"
FAILED = "failed"


def in_worker(produce: Callable[..., Iterator[T]], *args: Any) -> Iterator[T]:
    """The items of ``produce(*args)``, made in a child process, in order."""
    context = multiprocessing.get_context("spawn")
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_produce, args=(sending, produce, args), daemon=True)
    child.start()
    sending.close()
    try:
        while True:
            try:
                kind, payload = receiving.recv()
            except EOFError:
                raise RuntimeError("the process reading the file stopped unexpectedly") from None
            if kind == DONE:
                break
            if kind == FAILED:
                raise payload
            yield from payload
        child.join()
    finally:
        receiving.close()
        if child.is_alive():  # the parent stopped early: the rest is not wanted
            child.terminate()
            child.join()


def _produce(sending: Connection, produce: Callable[..., Iterator[Any]], args: Any) -> None:
    try:
        batch: list[Any] = []
        for item in produce(*args):
            batch.append(item)
            if len(batch) >= BATCH:
                sending.send(("items", batch))
                batch = []
        sending.send(("items", batch))
        sending.send((DONE, None))
    except Exception as exc:  # noqa: BLE001 - every failure is the parent's to report
        sending.send((FAILED, exc))
    finally:
        sending.close()
