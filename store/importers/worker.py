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
import queue
import threading
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import Any, TypeVar

T = TypeVar("T")

BATCH = 500  # items per message
# Batches the child may read ahead of the parent. A pipe holds less than one batch, so
# without this queue the reader stopped whenever the parent was writing to the database.
AHEAD = 16
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
    """Read in this thread while another one sends, so reading goes on while the parent
    is busy (up to ``AHEAD`` batches)."""
    outgoing: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=AHEAD)
    sender = threading.Thread(target=_send_all, args=(sending, outgoing), daemon=True)
    sender.start()

    def hand_over(message: tuple[str, Any]) -> bool:
        """Queue ``message``; False once the sender is gone (the parent stopped listening)."""
        while sender.is_alive():
            try:
                outgoing.put(message, timeout=0.5)
                return True
            except queue.Full:
                continue
        return False

    try:
        batch: list[Any] = []
        for item in produce(*args):
            batch.append(item)
            if len(batch) >= BATCH:
                if not hand_over(("items", batch)):
                    return
                batch = []
        if hand_over(("items", batch)):
            hand_over((DONE, None))
    except Exception as exc:  # noqa: BLE001 - every failure is the parent's to report
        hand_over((FAILED, exc))
    sender.join()


def _send_all(sending: Connection, outgoing: queue.Queue[tuple[str, Any]]) -> None:
    try:
        while True:
            message = outgoing.get()
            sending.send(message)
            if message[0] != "items":
                return
    except OSError:
        return  # the parent closed its end: nobody wants the rest
    finally:
        sending.close()
