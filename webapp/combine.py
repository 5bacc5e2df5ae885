"""Group commit for the sessions' runs: what many sessions ask for at about the same time is
computed in one call.

A Streamlit server runs each session's script in its own thread, and they share one core
(the GIL). When a class moves the same sliders, twenty scripts want their runs at once; one
``run_many`` of all of them costs little more than one session's (a gradient call per step
for every run, one array per optimizer), where twenty separate loops cost twenty times one.

No caller waits for a timer: one that arrives while nothing is being computed computes its
own items at once; callers that arrive while a computation runs queue, and when it ends, the
first of them computes everything queued, in one call. Each caller computes at most one
batch, the one it is in.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence


class _Ticket:
    __slots__ = ("done", "error", "items", "results", "turn")

    def __init__(self, items: Sequence):
        self.items = items
        self.turn = threading.Event()  # set when its results are in, or when it is to lead
        self.results: list = []
        self.error: BaseException | None = None
        self.done = False


class Combiner:
    """``combiner(items)`` returns ``compute(items)``; calls from several threads at about
    the same time are served by one ``compute`` of all their items, in order (``compute``
    returns one result per item). An exception of ``compute`` reaches every caller whose items
    were in that call; the next batch goes on."""

    def __init__(self, compute: Callable[[list], list]):
        self._compute = compute
        self._lock = threading.Lock()
        self._queue: list[_Ticket] = []
        self._busy = False

    def __call__(self, items: Sequence) -> list:
        ticket = _Ticket(items)
        with self._lock:
            self._queue.append(ticket)
            leads, self._busy = not self._busy, True
        if not leads:
            ticket.turn.wait()
        if not ticket.done:  # alone, or first in the queue when the last batch ended
            self._lead()
        if ticket.error is not None:
            raise ticket.error
        return ticket.results

    def _lead(self) -> None:
        with self._lock:
            batch, self._queue = self._queue, []
        try:
            results = self._compute([item for ticket in batch for item in ticket.items])
            first = 0
            for ticket in batch:
                ticket.results = results[first : first + len(ticket.items)]
                first += len(ticket.items)
        except BaseException as error:  # every caller of this batch gets it, and raises it
            for ticket in batch:
                ticket.error = error
        finally:
            for ticket in batch:
                ticket.done = True
                ticket.turn.set()
            with self._lock:
                following = self._queue[0] if self._queue else None
                self._busy = following is not None
            if following is not None:
                following.turn.set()  # not done: it leads the next batch
