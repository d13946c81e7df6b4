"""Start-up of a golive command: the garbage collector's switch (see :func:`golive.cli.main`).

:func:`golive.cli.main` turns the cyclic garbage collector off while a command imports
what it needs; the command calls :func:`modules_loaded` once it has. It lives here, not
in :mod:`golive.cli`, so that the commands do not import the CLI back.
"""

from __future__ import annotations

import gc


def modules_loaded() -> None:
    """Switch the cyclic garbage collector back on once a command has imported what it
    needs (see :func:`golive.cli.main`); what the imports made is frozen first, since
    module-level objects live until exit. Idempotent."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
