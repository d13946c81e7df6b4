#!/usr/bin/env bash
# pretalx from its snapshot: setup.sh SNAPSHOT_GIT_DIR DEST
# Production install as doc/administrator/installation.rst describes it (gunicorn, then
# "pretalx[postgres]"), here as an editable install of the pinned source (editable installs
# skip the npm frontend build) with every uv.lock entry as a constraint. Python >=3.13.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
source "$here/../lib.sh"
snapshot=${1:?usage: setup.sh SNAPSHOT_GIT_DIR DEST}
dest=${2:?usage: setup.sh SNAPSHOT_GIT_DIR DEST}
commit=5a3c2f61ecafc83cfa85aa518cc5af3d564b16ef

mkdir -p "$dest"
clone_pinned "$snapshot" "$dest/src" "$commit"
py=$(find_python 3.13) || { echo "setup: no python3.13 (the project requires >=3.13)"; exit 1; }
make_venv "$py" "$dest/venv"

# lock-pinned constraints, read from the lock file
"$dest/venv/bin/python" - "$dest/src/uv.lock" "$dest/constraints.txt" <<'PY'
import sys, tomllib
lock = tomllib.load(open(sys.argv[1], "rb"))
open(sys.argv[2], "w").write(
    "".join(f"{p['name']}=={p['version']}\n" for p in sorted(lock["package"], key=lambda p: p["name"])
            if "version" in p and p["name"] != "pretalx")
)
PY
"$dest/venv/bin/pip" install -q -c "$dest/constraints.txt" gunicorn -e "$dest/src[postgres]" \
    || { echo "setup: pip install of gunicorn and pretalx[postgres] failed"; exit 1; }
"$dest/venv/bin/python" -c "import django" || { echo "setup: django does not import"; exit 1; }
