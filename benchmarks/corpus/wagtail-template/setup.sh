#!/usr/bin/env bash
# wagtail-template from its snapshot: setup.sh SNAPSHOT_GIT_DIR DEST
# The project is the `wagtail start` project template inside the wagtail repository
# (wagtail/project_template/). It is rendered the way a new user gets it: wagtail is installed
# from the pinned checkout into the venv, `wagtail start corpus_site DEST/site` renders the
# template, then the rendered site's requirements.txt (Django, wagtail) and gunicorn (what the
# template's Dockerfile installs for production) are installed. The audited directory is DEST/site.
# The template's Dockerfile uses Python 3.14; 3.13 is the newest interpreter here (wagtail
# supports 3.10-3.14). The admin's compiled front-end assets are not built (no npm run build):
# they are not needed to import the settings.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
source "$here/../lib.sh"
snapshot=${1:?usage: setup.sh SNAPSHOT_GIT_DIR DEST}
dest=${2:?usage: setup.sh SNAPSHOT_GIT_DIR DEST}
commit=c2ae43b9265d085c95142cd1a1f8563ad2eb4de9

mkdir -p "$dest"
clone_pinned "$snapshot" "$dest/src" "$commit"
py=$(find_python 3.13) || { echo "setup: no python3.13 found"; exit 1; }
make_venv "$py" "$dest/venv"

if ! "$dest/venv/bin/python" -c "import wagtail" 2>/dev/null; then
    "$dest/venv/bin/pip" install -q "$dest/src" \
        || { echo "setup: pip install of wagtail from the pinned checkout failed"; exit 1; }
fi
if [ ! -f "$dest/site/manage.py" ]; then
    rm -rf "$dest/site"
    mkdir -p "$dest/site"
    "$dest/venv/bin/wagtail" start corpus_site "$dest/site" \
        || { echo "setup: wagtail start failed"; exit 1; }
fi
# the rendered requirements pin wagtail to the checkout's version, which is already installed
"$dest/venv/bin/pip" install -q -r "$dest/site/requirements.txt" "gunicorn==25.1.0" \
    || { echo "setup: pip install of the site's requirements failed"; exit 1; }
"$dest/venv/bin/python" -c "import django" || { echo "setup: django does not import"; exit 1; }
