"""``manage.py golive [options]``: the full golive audit of this project, from inside it.

The options are those of ``golive audit`` (``manage.py golive --help``); the project
directory and the settings module are the ones this ``manage.py`` already uses
(``DJANGO_SETTINGS_MODULE``, ``--settings``), and the interpreter is this one.

``[tool.golive] settings`` is not what this command audits: it audits the settings
``manage.py`` was started with, and says so on standard error when the two differ.

The runtime collector runs as usual, in a subprocess of this interpreter with this
process's environment (``DJANGO_SETTINGS_MODULE`` included), rather than in-process:
the audit is then the very same as ``golive audit`` (Django's own checks run once, in a
fresh process, with a timeout), and project code that misbehaves while loading (prints,
exits, hangs, leaves threads) cannot take this command down. It costs one more start of
Django (about a second). The in-process route is what ``manage.py check --deploy`` uses
(:mod:`golive.django.checks`), where only settings-level checks run.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

#: manage.py options ManagementUtility has already applied before this command runs.
DJANGO_OPTIONS = ("--settings", "--pythonpath")


def strip_django_options(args: list[str]) -> list[str]:
    """``args`` without ``--settings X``/``--settings=X`` and ``--pythonpath`` (already applied)."""
    out: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg in DJANGO_OPTIONS:
            skip = True
            continue
        if arg.startswith(tuple(f"{o}=" for o in DJANGO_OPTIONS)):
            continue
        out.append(arg)
    return out


def settings_note(module: str, project_dir: Path) -> str | None:
    """One line when ``[tool.golive] settings`` of the project at ``project_dir`` names
    another module than ``module``, the one this ``manage.py`` runs with (issue 14):
    ``manage.py golive`` audits the settings it was started with, not the configured ones.
    None when they agree, when nothing is configured, or when the configuration cannot be
    read (``golive audit`` then says why)."""
    from golive.config import ConfigError, load_config

    try:
        config = load_config(project_dir)
    except ConfigError:
        return None
    configured = config.settings
    if not configured or configured == module:
        return None
    where = config.path.name if config.path else "the configuration"
    return (
        f"manage.py golive: auditing {module}, the settings this manage.py runs with;"
        f" [tool.golive] settings in {where} names {configured}:"
        f" run `golive audit` (or manage.py golive --settings={configured}) to audit that one"
    )


def golive_args(args: list[str]) -> list[str]:
    """The arguments of ``golive audit`` for this project and these options; says on
    standard error when ``[tool.golive] settings`` names other settings (:func:`settings_note`)."""
    from golive.django.checks import project_root

    module = settings.SETTINGS_MODULE or os.environ.get("DJANGO_SETTINGS_MODULE", "")
    if "-h" in args or "--help" in args:
        return ["--help"]
    root = project_root(module)
    note = settings_note(module, root)
    if note:
        sys.stderr.write(note + "\n")
    return [str(root), "--settings", module, "--python", sys.executable, *args]


def run_golive(args: list[str], prog_name: str = "manage.py golive") -> int:
    """Run ``golive audit`` with ``args`` (already stripped of Django's options); its exit status."""
    import click

    from golive.cli import audit

    try:
        code = audit.main(args=golive_args(args), prog_name=prog_name, standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    return int(code or 0)


class Command(BaseCommand):
    """``manage.py golive``: see the module docstring."""

    help = "Audit this project with golive (the options of `golive audit`; see `manage.py golive --help`)."
    requires_system_checks = ()

    def add_arguments(self, parser: Any) -> None:
        """One positional list, for ``call_command("golive", "-q", ...)`` (prefix options with ``--``)."""
        parser.add_argument("golive_args", nargs="*", help="options of `golive audit`")

    def run_from_argv(self, argv: list[str]) -> None:
        """Hand every option to golive's own parser; exit with its status."""
        sys.exit(run_golive(strip_django_options(argv[2:]), f"{os.path.basename(argv[0])} {argv[1]}"))

    def print_help(self, prog_name: str, subcommand: str) -> None:
        """``manage.py help golive``: golive's own help."""
        run_golive(["--help"], f"{os.path.basename(prog_name)} {subcommand}")

    def handle(self, *args: Any, **options: Any) -> None:
        """``call_command``: run the audit; a non-zero status raises :class:`CommandError`."""
        code = run_golive(list(options.get("golive_args") or args))
        if code:
            raise CommandError(f"golive audit exited with status {code}", returncode=code)
