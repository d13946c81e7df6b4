#!/usr/bin/env bash
# djangosnippets.org from its snapshot: setup.sh SNAPSHOT_GIT_DIR DEST
# Production runs on Heroku, whose Python buildpack installs the uv.lock'ed project dependencies
# (no extras) on the interpreter named in .python-version (3.12). Here: the project's direct
# dependencies, with every lock entry as a constraint, without the dev extra.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
source "$here/../lib.sh"
snapshot=${1:?usage: setup.sh SNAPSHOT_GIT_DIR DEST}
dest=${2:?usage: setup.sh SNAPSHOT_GIT_DIR DEST}
commit=e078a18ac63dc76be69b2434e0db748bca465406

mkdir -p "$dest"
clone_pinned "$snapshot" "$dest/src" "$commit"
py=$(find_python 3.12) || { echo "setup: no python3.12 (.python-version asks for 3.12)"; exit 1; }
make_venv "$py" "$dest/venv"

"$dest/venv/bin/python" - "$dest/src/uv.lock" "$dest/requirements.txt" "$dest/constraints.txt" <<'PY'
import sys, tomllib
lock = tomllib.load(open(sys.argv[1], "rb"))
pkgs = {p["name"]: p for p in lock["package"]}
root = next(p for p in lock["package"] if p.get("source", {}).get("virtual") == ".")
# django-generic-aggregation 0.4.0 (an sdist from 2016) cannot be downloaded here: the index and
# files.pythonhosted.org answer 404. It is installed as a stub below instead.
direct = [d["name"] for d in root.get("dependencies", []) if d["name"] != "django-generic-aggregation"]
open(sys.argv[2], "w").write("".join(f"{n}\n" for n in direct))
open(sys.argv[3], "w").write(
    "".join(f"{n}=={p['version']}\n" for n, p in sorted(pkgs.items()) if "version" in p and p is not root)
)
PY
"$dest/venv/bin/pip" install -q -r "$dest/requirements.txt" -c "$dest/constraints.txt" \
    || { echo "setup: pip install of the locked production requirements failed"; exit 1; }
# the stub: ratings/models.py imports generic_annotate at load time; calling it fails loudly
site=$("$dest/venv/bin/python" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
if [ ! -e "$site/generic_aggregation/__init__.py" ]; then
    mkdir -p "$site/generic_aggregation"
    cat >"$site/generic_aggregation/__init__.py" <<'STUB'
"""Stand-in for django-generic-aggregation 0.4.0, which could not be downloaded (corpus set-up)."""


def generic_annotate(*args, **kwargs):
    raise NotImplementedError("django-generic-aggregation is a stub in this corpus set-up")
STUB
fi
"$dest/venv/bin/python" -c "import django" || { echo "setup: django does not import"; exit 1; }
