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

What one caller asks for must not cost another:

* **Heavy and light apart.** Callers whose items weigh ``heavy`` or more (by the ``weight``
  estimate) queue in a lane of their own, so a light caller never waits for a heavy
  computation — only for the light batch being computed, if any.
* **A wait has a timeout.** A caller that has waited ``timeout`` seconds computes its own
  items alone (if its batch is already being computed, that batch's results for it are
  dropped).
* **An error stays with its caller.** When a batch of several callers fails, nobody can tell
  whose items caused it: each caller computes its own items again, alone, in its own thread —
  the one that fails raises its own exception object, the others get their results.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence

TIMEOUT = 5.0  # seconds a caller waits for its batch before it computes alone


class _Ticket:
    __slots__ = ("alone", "done", "items", "leads", "results", "retry", "taken", "turn")

    def __init__(self, items: Sequence):
        self.items = items
        self.turn = threading.Event()  # set when its results are in, or when it is to lead
        self.results: list = []
        self.leads = False  # it is to compute the next batch (set under the lane's lock)
        self.taken = False  # its items are in a batch being computed
        self.done = False  # that batch has ended
        self.retry = False  # that batch failed: compute the items alone
        self.alone = False  # it gave up waiting: compute the items alone


class _Lane:
    """One queue of callers and whether a batch of it is being computed."""

    def __init__(self):
        self.lock = threading.Lock()
        self.queue: list[_Ticket] = []
        self.busy = False


class Combiner:
    """``combiner(items)`` returns ``compute(items)``; calls from several threads at about
    the same time are served by one ``compute`` of all their items, in order (``compute``
    returns one result per item).

    ``weight(items)`` estimates a call's cost; calls of ``heavy`` or more are combined only
    with each other. A caller waits at most ``timeout`` seconds for its batch, then computes
    alone. When ``compute`` raises for a batch of several callers, each computes its own items
    again, alone: an exception reaches only the caller whose items raise it, as its own
    object."""

    def __init__(
        self,
        compute: Callable[[list], list],
        *,
        weight: Callable[[Sequence], float] | None = None,
        heavy: float = math.inf,
        timeout: float = TIMEOUT,
    ):
        self._compute = compute
        self._weight = weight
        self._heavy = heavy
        self._timeout = timeout
        self._light, self._heavy_lane = _Lane(), _Lane()

    def lane(self, items: Sequence) -> _Lane:
        """The lane ``items`` queue in: the heavy one if their weight is ``heavy`` or more."""
        if self._weight is not None and self._weight(items) >= self._heavy:
            return self._heavy_lane
        return self._light

    def __call__(self, items: Sequence) -> list:
        lane, ticket = self.lane(items), _Ticket(items)
        with lane.lock:
            lane.queue.append(ticket)
            if not lane.busy:
                lane.busy = ticket.leads = True
        if not ticket.leads:
            ticket.turn.wait(self._timeout)
            self._give_up_if_waiting(lane, ticket)
        if ticket.leads and not ticket.alone:
            self._lead(lane, ticket)
        if ticket.alone or ticket.retry:
            return self._compute(list(items))
        return ticket.results

    def _give_up_if_waiting(self, lane: _Lane, ticket: _Ticket) -> None:
        """After the wait: a ticket neither done nor chosen to lead computes alone."""
        with lane.lock:
            if ticket.done or ticket.leads:
                return
            ticket.alone = True
            if not ticket.taken:
                lane.queue.remove(ticket)

    def _lead(self, lane: _Lane, own: _Ticket) -> None:
        with lane.lock:
            batch, lane.queue = lane.queue, []
            for ticket in batch:
                ticket.taken = True
        try:
            results = self._compute([item for ticket in batch for item in ticket.items])
            first = 0
            for ticket in batch:
                ticket.results = results[first : first + len(ticket.items)]
                first += len(ticket.items)
        except Exception:
            if len(batch) == 1:  # its own items: it raises the error it caught
                raise
            for ticket in batch:
                ticket.retry = True
        except BaseException:  # an interrupt of this thread: the others compute alone
            for ticket in batch:
                ticket.retry = ticket is not own
            raise
        finally:
            with lane.lock:
                for ticket in batch:
                    ticket.done = True
                following = lane.queue[0] if lane.queue else None
                lane.busy = following is not None
                if following is not None:
                    following.leads = True  # it leads the next batch
            for ticket in batch:
                ticket.turn.set()
            if following is not None:
                following.turn.set()
