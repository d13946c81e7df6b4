#!/usr/bin/env bash
# Helpers for the corpus set-up scripts: source it, then call find_python 3.12 and clone_pinned.

find_python() {  # find_python 3.12 → a python3.12 that runs, from PATH or pyenv's versions
    local v=$1 p
    for p in "$(command -v "python$v" 2>/dev/null || true)" "$HOME"/.pyenv/versions/"$v"*/bin/"python$v"; do
        if [ -n "$p" ] && [ -x "$p" ] && "$p" -c "import sys" >/dev/null 2>&1; then
            echo "$p"
            return 0
        fi
    done
    echo "no python$v found" >&2
    return 1
}

clone_pinned() {  # clone_pinned SNAPSHOT_GIT_DIR DEST_SRC COMMIT: a work tree at COMMIT, reused when there
    local snapshot=$1 src=$2 commit=$3
    if [ ! -d "$src/.git" ]; then
        git clone -q --no-checkout "$snapshot" "$src"
    fi
    git -C "$src" checkout -q --detach "$commit"
    git -C "$src" config user.email >/dev/null || git -C "$src" config user.email corpus@localhost
    git -C "$src" config user.name >/dev/null || git -C "$src" config user.name corpus
}

make_venv() {  # make_venv PYTHON DEST_VENV: a virtualenv with an up-to-date pip, reused when there
    local py=$1 venv=$2
    [ -x "$venv/bin/python" ] || "$py" -m venv "$venv"
    "$venv/bin/python" -m pip install -q --upgrade pip
}
