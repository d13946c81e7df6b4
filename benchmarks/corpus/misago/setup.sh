#!/usr/bin/env bash
# Misago from its snapshot: setup.sh SNAPSHOT_GIT_DIR DEST
# The repository is the misago package plus its development project (devproject/); the package's
# install_requires is requirements.txt (pip-compiled, every version pinned), which is also what
# the development Dockerfile installs on python:3.12. Installed here as is; nothing else.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
source "$here/../lib.sh"
snapshot=${1:?usage: setup.sh SNAPSHOT_GIT_DIR DEST}
dest=${2:?usage: setup.sh SNAPSHOT_GIT_DIR DEST}
commit=c7ffe0b6d3739efc534d0e6d60a6b9ee959ae789

mkdir -p "$dest"
clone_pinned "$snapshot" "$dest/src" "$commit"
py=$(find_python 3.12) || { echo "setup: no python3.12 (Misago supports 3.12)"; exit 1; }
make_venv "$py" "$dest/venv"

"$dest/venv/bin/pip" install -q -r "$dest/src/requirements.txt" \
    || { echo "setup: pip install of requirements.txt failed"; exit 1; }
"$dest/venv/bin/python" -c "import django" || { echo "setup: django does not import"; exit 1; }
