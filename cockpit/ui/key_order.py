"""Keys one at a time, however fast they come.

Textual hands each key to the widget focused when the app reads it, and a
key a widget does not use (tab, ctrl+u's neighbours, a binding) travels back
up through each parent's queue to the app, which runs the binding. Typed in
a burst (a paste, a fast typist over SSH), the keys after a tab are all
handed to the old field before the tab has moved the focus: "@alice" typed
after tab lands in the previous field, or nowhere when a dialog has no
focus yet. So the app hands over the next key only once the last one has
gone all the way: through the widget it was given to and up each parent's
queue to the app."""

from __future__ import annotations

from collections import deque
from functools import partial
from typing import Awaitable, Callable

from textual import events
from textual.message_pump import MessagePump
from textual.timer import Timer

# A key whose way up was cut (its widget was removed mid-way) releases the
# next one after this long rather than holding every key after it.
STUCK_AFTER_S = 2.0


class KeyOrder:
    def __init__(self, app, forward: Callable[[events.Key], Awaitable[object]]) -> None:
        self.app = app
        self.forward = forward  # hands one key to the focused widget (Textual's own dispatch)
        self.held: deque[events.Key] = deque()
        self.busy: int | None = None  # the ticket of the key on its way (0: the next held one is due)
        self.tickets = 0
        self.stuck: Timer | None = None  # releases the key on its way if its way up was cut

    async def take(self, key: events.Key) -> None:
        if self.busy is not None:
            self.held.append(key)
        else:
            await self._send(key)

    async def _send(self, key: events.Key) -> None:
        self.tickets += 1
        ticket = self.busy = self.tickets
        target = self.app.focused or self.app.screen
        chain: list[MessagePump] = [target, *target.ancestors]
        await self.forward(key)
        self.stuck = self.app.set_timer(STUCK_AFTER_S, partial(self._done, ticket))
        self._follow(chain, 0, ticket)

    async def _send_held(self) -> None:
        self.busy = None
        if self.held:
            await self._send(self.held.popleft())

    def _follow(self, chain: list[MessagePump], hop: int, ticket: int) -> None:
        """Queue behind the key in each queue it may pass, in order; done after the app's."""
        while hop < len(chain):
            node = chain[hop]
            if node.is_running and node.call_later(self._follow, chain, hop + 1, ticket):
                return
            hop += 1
        self._done(ticket)

    def _done(self, ticket: int) -> None:
        if self.busy != ticket:
            return  # released already (by its way up or by the timer)
        if self.stuck is not None:
            self.stuck.stop()  # one timer per key in flight, not one per key typed for 2 s
            self.stuck = None
        if self.held:
            self.busy = 0  # keys arriving meanwhile queue behind the held ones
            self.app.call_later(self._send_held)
        else:
            self.busy = None
