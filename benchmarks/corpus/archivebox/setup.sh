#!/usr/bin/env bash
# archivebox from its snapshot: setup.sh SNAPSHOT_GIT_DIR DEST
# The Dockerfile installs the checkout itself into a Python 3.13 venv (`uv sync --no-dev` of
# pyproject.toml's dependencies, then the package); the same here with pip: the project's
# runtime dependencies, without the optional ldap/debug extras or the dev group. No lock file is
# shipped, so the versions are the newest allowed by pyproject.toml. The external binaries
# ArchiveBox drives (chromium, wget, yt-dlp, sonic, node) are not installed: not needed to
# import the settings.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
source "$here/../lib.sh"
snapshot=${1:?usage: setup.sh SNAPSHOT_GIT_DIR DEST}
dest=${2:?usage: setup.sh SNAPSHOT_GIT_DIR DEST}
commit=81d6d36fb3cdd1bfb350c2d4a4fb0272921397a8

mkdir -p "$dest"
clone_pinned "$snapshot" "$dest/src" "$commit"
py=$(find_python 3.13) || { echo "setup: no python3.13 (the project requires >=3.13)"; exit 1; }
make_venv "$py" "$dest/venv"

# find_spec, not import: importing archivebox exits when run as root (its own check)
if ! "$dest/venv/bin/python" -c "import importlib.util as u, sys; sys.exit(not (u.find_spec('archivebox') and u.find_spec('django')))" 2>/dev/null; then
    "$dest/venv/bin/pip" install -q "$dest/src" \
        || { echo "setup: pip install of archivebox's runtime dependencies failed"; exit 1; }
fi
"$dest/venv/bin/python" -c "import django" || { echo "setup: django does not import"; exit 1; }
