"""Leaving the interpreter once a command is done, without tearing down its modules (issue 15).

At exit CPython joins the threads that are not daemons, runs the ``atexit`` callbacks,
flushes the standard streams, and then finalizes: it clears every module and frees every
object one by one. After an audit that is some 400 modules and a few hundred thousand
objects, about 10 ms of CPU (a thirtieth of a ``--no-runtime`` audit of the bookshop
example: ``benchmarks/bench_audit.py``) spent on memory the operating system reclaims at
once when the process ends. :func:`leave` does the first three steps itself and then ends
the process with ``os._exit``, as :func:`golive.processes.leave` does after a signal.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import NoReturn

from golive import processes


def leave(status: int) -> NoReturn:
    """Exit with ``status`` once every process group golive started is killed.

    When the main thread is the only one left and no signal is stopping golive, the
    standard streams are flushed, the ``atexit`` callbacks run (``logging.shutdown``,
    ``weakref.finalize``'s: a temporary folder still open is removed), the streams are
    flushed again and the process ends with ``os._exit(status)``. Otherwise (a thread still
    runs: the interpreter would wait for it; a signal; a stream that cannot be flushed, which
    the interpreter reports with status 120; a profiler or tracer) the interpreter's own exit
    runs (:func:`golive.processes.leave`).
    """
    processes.kill_all(close=True)
    # CPython's own call at exit (it empties the list); elsewhere, the interpreter's exit
    run_exitfuncs = getattr(atexit, "_run_exitfuncs", None)
    # under a profiler or a tracer (``python -m cProfile``, a debugger), the interpreter's exit:
    # cProfile writes its results after the program returns
    watched = sys.getprofile() is not None or sys.gettrace() is not None
    if (
        run_exitfuncs is not None
        and not watched
        and processes.stopping() is None
        and threading.active_count() == 1
    ):
        try:
            for stream in (sys.stdout, sys.stderr):
                stream.flush()
        except (OSError, ValueError):  # a closed pipe: the interpreter's exit reports it
            processes.leave(status)
        run_exitfuncs()
        try:
            for stream in (sys.stdout, sys.stderr):
                stream.flush()
        finally:
            os._exit(status)
    processes.leave(status)
