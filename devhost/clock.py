"""Clocks for the host: real UTC time, and a virtual clock that tests move by hand.

One implementation for the whole host (`devhost/durable/clock.py`), so one clock instance drives both the timer
triggers and the durable timers: `now()`, `async sleep_until()`, and for the virtual one `next_deadline()`, `set()`,
`advance()`.
"""

from __future__ import annotations

from devhost.durable.clock import Clock, RealClock, VirtualClock

__all__ = ["Clock", "RealClock", "VirtualClock"]
