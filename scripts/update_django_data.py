#!/usr/bin/env python3
"""Regenerate golive's shipped Django tables (``golive/data/django_*.json``).

The same as ``golive update-data``: release dates and latest patches from PyPI's
project JSON, support windows from Django's roadmap and DEP 20, CVEs from the newest
Django sdist's ``docs/releases/security.txt`` and release notes (downloaded with pip).
See :mod:`golive.commands.update_data` for the sources and the rules.

Usage: python scripts/update_django_data.py [--out DIR] [--sdist django-X.tar.gz] [--cache-dir DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from golive.commands.update_data import update_data

if __name__ == "__main__":
    update_data()
