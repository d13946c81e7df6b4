#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh Debian machine, then run it:
# system packages (as root), a virtualenv with golive and its test extras, a second
# virtualenv with Django 6.1 on Python 3.12, ruff, mypy and pytest.
# Usage: bash scripts/test.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES="git openssl nginx redis-server postgresql chromium fonts-dejavu-core poppler-utils caddy"
if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    missing=""
    for pkg in $APT_PACKAGES; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
    done
    if [ -n "$missing" ]; then
        echo "== apt-get install$missing"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
    fi
fi

find_python() {  # find_python 3.12 → a python3.12 that runs, from PATH or pyenv's versions
    local v=$1 p
    for p in "$(command -v "python$v" 2>/dev/null || true)" "$HOME"/.pyenv/versions/"$v"*/bin/"python$v"; do
        if [ -n "$p" ] && [ -x "$p" ] && "$p" -c "import sys" >/dev/null 2>&1; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

PY=$(find_python 3.11 || command -v python3)
if [ ! -x .venv/bin/python ]; then
    echo "== creating .venv with $PY"
    "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'

if PY312=$(find_python 3.12); then
    if [ ! -x .venv-django61/bin/python ]; then
        echo "== creating .venv-django61 with $PY312"
        "$PY312" -m venv .venv-django61
    fi
    .venv-django61/bin/python -m pip install -q 'django>=6.1,<6.2' 'psycopg[binary]'
    export GOLIVE_DJANGO61_PYTHON="$PWD/.venv-django61/bin/python"
else
    echo "== no python3.12 found: the Django 6.1 tests will be skipped"
fi

echo "== ruff"
.venv/bin/ruff check golive tests benchmarks
.venv/bin/ruff format --check golive tests benchmarks
echo "== mypy"
.venv/bin/mypy
echo "== pytest (one worker per core)"
.venv/bin/python -m pytest -q -p no:cacheprovider -n auto "$@"
