"""The script golive runs in the project's interpreter: ``python loader_main.py`` starts the
settings loader (:mod:`golive.collectors.runtime.settings_loader`: same stdin, output file
and exit status as ``python settings_loader.py``; see its docstring for the contract).

Why a script of a few lines: Python compiles the script it is given from source at every
start (settings_loader.py's 900 lines: 5 ms of CPU), but loads an imported module from its
``__pycache__`` when that is fresh (PEP 3147). This script loads settings_loader.py from its
own folder by path, under the name ``golive_settings_loader`` (a project module named
``settings_loader`` is neither shadowed nor imported), and runs it. Standard library only,
never golive, like the loader itself.
"""

import importlib.util
import os

if __name__ == "__main__":
    _path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "settings_loader.py")
    _spec = importlib.util.spec_from_file_location("golive_settings_loader", _path)
    assert _spec is not None and _spec.loader is not None
    _loader = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_loader)
    _loader.run()
