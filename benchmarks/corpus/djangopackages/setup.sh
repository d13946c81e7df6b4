#!/usr/bin/env bash
# djangopackages from its snapshot: setup.sh SNAPSHOT_GIT_DIR DEST
# Production is the image built from dockerfiles/django/Dockerfile (python 3.12, uv sync --locked
# --no-dev). Here: the project's direct dependencies, with every uv.lock entry as a constraint,
# none of the dev/ci/docs groups.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
source "$here/../lib.sh"
snapshot=${1:?usage: setup.sh SNAPSHOT_GIT_DIR DEST}
dest=${2:?usage: setup.sh SNAPSHOT_GIT_DIR DEST}
commit=6d748cb44b6368a429d798393940d36387b576be

mkdir -p "$dest"
clone_pinned "$snapshot" "$dest/src" "$commit"
py=$(find_python 3.12) || { echo "setup: no python3.12 (the production image uses 3.12)"; exit 1; }
make_venv "$py" "$dest/venv"

"$dest/venv/bin/python" - "$dest/src/uv.lock" "$dest/requirements.txt" "$dest/constraints.txt" <<'PY'
import sys, tomllib
lock = tomllib.load(open(sys.argv[1], "rb"))
pkgs = {p["name"]: p for p in lock["package"]}
root = next(p for p in lock["package"] if p.get("source", {}).get("virtual") == ".")
def req(d):
    extras = d.get("extra") or []
    return d["name"] + (f"[{','.join(extras)}]" if extras else "")
direct = [req(d) for d in root.get("dependencies", [])]
open(sys.argv[2], "w").write("".join(f"{n}\n" for n in direct))
open(sys.argv[3], "w").write(
    "".join(f"{n}=={p['version']}\n" for n, p in sorted(pkgs.items()) if "version" in p and p is not root)
)
PY
"$dest/venv/bin/pip" install -q -r "$dest/requirements.txt" -c "$dest/constraints.txt" \
    || { echo "setup: pip install of the locked production requirements failed"; exit 1; }
"$dest/venv/bin/python" -c "import django" || { echo "setup: django does not import"; exit 1; }
