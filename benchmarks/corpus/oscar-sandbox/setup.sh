#!/usr/bin/env bash
# django-oscar's sandbox from its snapshot: setup.sh SNAPSHOT_GIT_DIR DEST
# The sandbox image (Dockerfile, built by heroku.yml) runs `make install`, which is
# `pip install -e .[test]`: the test extra is where the sandbox's own runtime dependencies live
# (django-environ, whitenoise, Whoosh, sorl-thumbnail, easy-thumbnails, psycopg2-binary), so it is
# production here. The Dockerfile also copies a requirements.txt that no longer exists (it listed
# uWSGI); no remaining dependency list names uWSGI, so it is not installed (that is the project's state).
# The npm asset build is left out: it only produces static files.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
source "$here/../lib.sh"
snapshot=${1:?usage: setup.sh SNAPSHOT_GIT_DIR DEST}
dest=${2:?usage: setup.sh SNAPSHOT_GIT_DIR DEST}
commit=cdbfc4412c87dd9037d62b04755780b76490373c

mkdir -p "$dest"
clone_pinned "$snapshot" "$dest/src" "$commit"
py=$(find_python 3.12) || { echo "setup: no python3.12 (the sandbox image is python:3.12)"; exit 1; }
make_venv "$py" "$dest/venv"

"$dest/venv/bin/pip" install -q -e "$dest/src[test]" \
    || { echo "setup: pip install -e .[test] (what make install runs in the image) failed"; exit 1; }
"$dest/venv/bin/python" -c "import django" || { echo "setup: django does not import"; exit 1; }
