#!/usr/bin/env bash
# defectdojo from its snapshot: setup.sh SNAPSHOT_GIT_DIR DEST
# Production dependencies as Dockerfile.django-debian installs them: requirements.txt (pinned),
# in a Python 3.13 venv (the images use 3.14, not available here), with psycopg[c] and uWSGI
# built against the system libpq and compiler as in the image's build stage. Three
# substitutions, written to DEST/requirements.txt:
#  - the git+https fork of django-tagulous -> PyPI's django-tagulous 2.1.0 (the release the fork
#    is based on): only PyPI is reachable here;
#  - cryptography==50.0.0 -> 49.0.0: at the pinned commit (a dependabot bump) the file cannot be
#    resolved at all, since pyopenssl==26.3.0 requires cryptography<50; 49.0.0 is the previous pin;
#  - celery[sqs] -> celery at the same version: the sqs extra needs pycurl, i.e. libcurl headers
#    not installed here; SQS is an optional broker, the default one is Redis.
# The snapshot lacks nine large blobs of the pinned tree (test scans, sample-data fixtures, a docs
# image); the checkout leaves them out and carries on.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
source "$here/../lib.sh"
snapshot=${1:?usage: setup.sh SNAPSHOT_GIT_DIR DEST}
dest=${2:?usage: setup.sh SNAPSHOT_GIT_DIR DEST}
commit=7cfa159a6767b0ac6e66f3b1597a997e607e7308

mkdir -p "$dest"
src=$dest/src
[ -d "$src/.git" ] || git clone -q --no-checkout "$snapshot" "$src"
# missing large blobs make checkout report errors; every other file is written
git -C "$src" checkout -q --detach "$commit" 2>/dev/null || true
[ "$(git -C "$src" rev-parse HEAD)" = "$commit" ] || { echo "setup: checkout of $commit failed"; exit 1; }
[ -f "$src/dojo/settings/settings.dist.py" ] || { echo "setup: checkout incomplete (no settings.dist.py)"; exit 1; }
py=$(find_python 3.13) || { echo "setup: no python3.13 found"; exit 1; }
make_venv "$py" "$dest/venv"

if ! "$dest/venv/bin/python" -c "import django, tagulous, psycopg, environ" 2>/dev/null; then
    sed -e 's|^git+https://github.com/valentijnscholten/django-tagulous.git@.*$|django-tagulous==2.1.0|' \
        -e 's|^cryptography==50.0.0|cryptography==49.0.0|' \
        -e 's|^celery\[sqs\]==|celery==|' \
        "$src/requirements.txt" > "$dest/requirements.txt"
    "$dest/venv/bin/pip" install -q -r "$dest/requirements.txt" \
        || { echo "setup: pip install of requirements.txt failed"; exit 1; }
fi
"$dest/venv/bin/python" -c "import django" || { echo "setup: django does not import"; exit 1; }
