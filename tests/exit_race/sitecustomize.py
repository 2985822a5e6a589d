"""Loaded by `python -m feedhub` in tests/test_cli_exit.py (on PYTHONPATH): widens a race
that is otherwise hit about once in twenty runs.

At interpreter exit, concurrent.futures wakes every process pool's manager thread through
its wakeup pipe, checking first that the pipe is open. A pool shut down without waiting has
its manager thread closing that pipe at the same moment; the check passes, the pipe closes,
and the write fails with "Bad file descriptor". Pausing between the check and the write
makes the losing order happen every time, so the test shows whether a command leaves a
pool's thread running at exit.
"""

import time
from concurrent.futures import process


def _slow_wakeup(self: process._ThreadWakeup) -> None:
    if not self._closed:
        if process._global_shutdown:
            time.sleep(0.5)  # the manager thread, if still running, closes the pipe now
        self._writer.send_bytes(b"")


process._ThreadWakeup.wakeup = _slow_wakeup
