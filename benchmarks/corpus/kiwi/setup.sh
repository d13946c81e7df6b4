#!/usr/bin/env bash
# Kiwi TCMS from its snapshot: setup.sh SNAPSHOT_GIT_DIR DEST
# The container image (Dockerfile) builds a Python 3.12 venv with requirements/mariadb.txt and
# requirements/postgres.txt (both pull in base.txt and tarballs.txt, which has uWSGI). MariaDB's
# mysqlclient needs libmariadb headers that this machine lacks, and the corpus runs its services
# on PostgreSQL, so this installs the PostgreSQL flavour the project also ships
# (docker-compose.postgres, KIWI_DB_ENGINE=django.db.backends.postgresql): requirements/postgres.txt.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
source "$here/../lib.sh"
snapshot=${1:?usage: setup.sh SNAPSHOT_GIT_DIR DEST}
dest=${2:?usage: setup.sh SNAPSHOT_GIT_DIR DEST}
commit=dfcf75920db11b4cb67bb66b37b378afda5cef32

mkdir -p "$dest"
clone_pinned "$snapshot" "$dest/src" "$commit"
py=$(find_python 3.12) || { echo "setup: no python3.12 (the Dockerfile builds on python3.12)"; exit 1; }
make_venv "$py" "$dest/venv"

# requirements/*.txt use paths relative to their own folder (-r base.txt), so install from there
(cd "$dest/src/requirements" && "$dest/venv/bin/pip" install -q -r postgres.txt) \
    || { echo "setup: pip install of requirements/postgres.txt (base + tarballs + psycopg) failed"; exit 1; }
"$dest/venv/bin/python" -c "import django" || { echo "setup: django does not import"; exit 1; }
