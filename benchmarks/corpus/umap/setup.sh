#!/usr/bin/env bash
# umap from its snapshot: setup.sh SNAPSHOT_GIT_DIR DEST
# Production dependencies as the Dockerfile installs them (pip install .[deploy,s3,sync] on
# python:3.12), here as an editable install so the package resolves to DEST/src. uMap is a
# GeoDjango project: django.setup() needs the GDAL and GEOS system libraries, which are not
# installed here, so the corpus audits it with --no-runtime (verdicts.toml: runtime = false);
# the venv still gets the Python requirements so that Django imports.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
source "$here/../lib.sh"
snapshot=${1:?usage: setup.sh SNAPSHOT_GIT_DIR DEST}
dest=${2:?usage: setup.sh SNAPSHOT_GIT_DIR DEST}
commit=4508ce0c99c05031ac9d906f24606276bdd9d9ff

mkdir -p "$dest"
clone_pinned "$snapshot" "$dest/src" "$commit"
py=$(find_python 3.12) || { echo "setup: no python3.12 (the Dockerfile's interpreter)"; exit 1; }
make_venv "$py" "$dest/venv"
"$dest/venv/bin/pip" install -q -e "$dest/src[deploy,s3,sync]" \
    || { echo "setup: pip install of .[deploy,s3,sync] failed"; exit 1; }
"$dest/venv/bin/python" -c "import django" || { echo "setup: django does not import"; exit 1; }
