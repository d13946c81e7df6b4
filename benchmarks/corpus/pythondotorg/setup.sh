#!/usr/bin/env bash
# pythondotorg from its snapshot: setup.sh SNAPSHOT_GIT_DIR DEST
# Production dependencies as Dockerfile.cabotage installs them (uv sync --frozen --no-dev
# --extra prod): the project's direct dependencies plus the "prod" extra, with every uv.lock
# entry as a constraint. The project requires Python >=3.14; no 3.14 interpreter is available
# here, so 3.13 is used (Django 5.2 and every pinned dependency support it; the project itself
# is not installed, only its requirements). Two large blobs are absent from the snapshot
# (fixtures/downloads.json, static/source_files/artboard.psd): the checkout leaves them out.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
source "$here/../lib.sh"
snapshot=${1:?usage: setup.sh SNAPSHOT_GIT_DIR DEST}
dest=${2:?usage: setup.sh SNAPSHOT_GIT_DIR DEST}
commit=0a7e8d1fef1796dd6f0dcebb08ed5b0f8d0deed9

mkdir -p "$dest"
# the two missing blobs make checkout complain; the rest of the tree is checked out
clone_pinned "$snapshot" "$dest/src" "$commit" 2>/dev/null || true
[ "$(git -C "$dest/src" rev-parse HEAD)" = "$commit" ] || { echo "setup: checkout of $commit failed"; exit 1; }
py=$(find_python 3.14 2>/dev/null) || py=$(find_python 3.13) \
    || { echo "setup: no python3.14 or python3.13 found"; exit 1; }
make_venv "$py" "$dest/venv"

# direct dependencies + the prod extra, and lock-pinned constraints, read from the lock file
"$dest/venv/bin/python" - "$dest/src/uv.lock" "$dest/requirements.txt" "$dest/constraints.txt" <<'PY'
import sys, tomllib
lock = tomllib.load(open(sys.argv[1], "rb"))
pkgs = {p["name"]: p for p in lock["package"]}
me = pkgs["pythondotorg"]
deps = me.get("dependencies", []) + me.get("optional-dependencies", {}).get("prod", [])
def req(d):
    extra = d.get("extra")
    return d["name"] + (f"[{','.join(extra)}]" if extra else "")
open(sys.argv[2], "w").write("".join(f"{req(d)}\n" for d in deps))
open(sys.argv[3], "w").write(
    "".join(f"{n}=={p['version']}\n" for n, p in sorted(pkgs.items()) if "version" in p and n != "pythondotorg")
)
PY
"$dest/venv/bin/pip" install -q -r "$dest/requirements.txt" -c "$dest/constraints.txt" \
    || { echo "setup: pip install of the locked production requirements failed"; exit 1; }
"$dest/venv/bin/python" -c "import django" || { echo "setup: django does not import"; exit 1; }
