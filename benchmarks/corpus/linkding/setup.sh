#!/usr/bin/env bash
# linkding from its snapshot: setup.sh SNAPSHOT_GIT_DIR DEST
# Production dependencies as the Dockerfile installs them (uv sync --no-dev), at the versions
# pinned in uv.lock: the project's direct dependencies, with every lock entry as a constraint.
# The optional psycopg[c] group is left out: the install guide's default database is SQLite.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
source "$here/../lib.sh"
snapshot=${1:?usage: setup.sh SNAPSHOT_GIT_DIR DEST}
dest=${2:?usage: setup.sh SNAPSHOT_GIT_DIR DEST}
commit=65813a75404b1319aca8b09700fadc0b15adabaf

mkdir -p "$dest"
clone_pinned "$snapshot" "$dest/src" "$commit"
py=$(find_python 3.13) || { echo "setup: no python3.13 (the project requires >=3.13)"; exit 1; }
make_venv "$py" "$dest/venv"

# direct dependencies and lock-pinned constraints, read from the lock file
"$dest/venv/bin/python" - "$dest/src/uv.lock" "$dest/requirements.txt" "$dest/constraints.txt" <<'PY'
import sys, tomllib
lock = tomllib.load(open(sys.argv[1], "rb"))
pkgs = {p["name"]: p for p in lock["package"]}
direct = [d["name"] for d in pkgs["linkding"].get("dependencies", [])]
open(sys.argv[2], "w").write("".join(f"{n}\n" for n in direct))
open(sys.argv[3], "w").write(
    "".join(f"{n}=={p['version']}\n" for n, p in sorted(pkgs.items()) if "version" in p and n != "linkding")
)
PY
"$dest/venv/bin/pip" install -q -r "$dest/requirements.txt" -c "$dest/constraints.txt" \
    || { echo "setup: pip install of the locked production requirements failed"; exit 1; }
# the data folders the image and bootstrap.sh create (Huey's SQLite queue opens data/ at import)
mkdir -p "$dest/src/data/favicons" "$dest/src/data/previews" "$dest/src/data/assets"
"$dest/venv/bin/python" -c "import django" || { echo "setup: django does not import"; exit 1; }
