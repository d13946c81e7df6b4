"""``golive checks`` and ``golive explain CHECK_ID``: the catalogue of checks, golive's and
Django's (its own table, and Django's check reference shipped per series, issue 13).
"""

from __future__ import annotations

import sys

import click
from rich.console import Console


@click.command("checks")
def list_checks() -> None:
    """List every check: id, section, severity, title (golive's and Django's)."""
    from rich.table import Table

    from golive.checks import registry
    from golive.checks.django_checks import CATALOGUE

    table = Table(box=None, header_style="bold")
    for col in ("id", "section", "severity", "title"):
        table.add_column(col)
    for spec in registry():
        table.add_row(
            spec.id,
            spec.section.value,
            spec.severity.label,
            spec.title + (" (manual)" if spec.manual else ""),
        )
    for cid, known in CATALOGUE.items():
        table.add_row(cid, known.section.value, known.severity.label, known.title + " (Django)")
    # Piped (grep, less): one row per line instead of wrapping at 80 columns.
    Console(highlight=False, width=None if sys.stdout.isatty() else 200).print(table)


@click.command()
@click.argument("check_id")
def explain(check_id: str) -> None:
    """Explain one check (CHECK_ID: GL101, security.W004...): rationale, remediation, source."""
    from rich.markdown import Markdown
    from rich.text import Text

    from golive.checks import registry
    from golive.checks.django_checks import CATALOGUE, describe, django_reference

    console = Console(highlight=False)
    spec = registry().get(check_id)
    if spec is not None:
        console.print(f"[bold]{spec.id}[/] {spec.title}", markup=True)
        console.print(
            f"section {spec.section.value} · severity {spec.severity.label}"
            + (f" · manual, signature valid {spec.validity_days} days" if spec.manual else "")
        )
        console.print(Markdown(spec.rationale))
        console.print("[bold]Remediation[/]")
        console.print(spec.remediation, markup=False)
        console.print(f"[bold]Source[/] {spec.reference}", soft_wrap=True)
        return
    known = CATALOGUE.get(check_id) or next(
        (c for k, c in CATALOGUE.items() if k.lower() == check_id.lower()), None
    )
    if known is not None:
        console.print(f"[bold]{known.id}[/] {known.title} (Django's own check)")
        console.print(f"section {known.section.value} · severity {known.severity.label}")
        console.print("[bold]Remediation[/]")
        console.print(known.remediation, markup=False)
        console.print(f"[bold]Source[/] {django_reference(known.id)}", soft_wrap=True)
        return
    ref = describe(check_id, "warning")
    if ref.info is not None:  # Django's check reference, shipped per series (issue 13)
        info = ref.info
        console.print(Text.assemble((info.id, "bold"), f" {info.text} (Django's own check)"), soft_wrap=True)
        console.print(
            f"listed under {info.section} · Django {info.series} · level {info.level}", markup=False
        )
        console.print(f"severity {ref.severity.label} (docs/severity.md: by Django's level)", markup=False)
        console.print("[bold]Remediation[/]")
        console.print(ref.remediation, markup=False, soft_wrap=True)
        console.print(f"[bold]Source[/] {ref.reference}", soft_wrap=True)
        return
    err = Console(stderr=True, highlight=False, soft_wrap=True)  # as golive.cli.fail_usage
    err.print(f"golive: error: unknown check id {check_id!r} (see `golive checks`)", markup=False)
    raise click.exceptions.Exit(2)
