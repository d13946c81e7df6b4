"""Pictures in the HTML report (issue 14): the failing findings by section and severity as
an inline SVG at the top, the trend only from the second audit on, and a screenshot of the
live site beside the finding it proves (the DEBUG page beside GL831)."""

from __future__ import annotations

import base64
import re
from pathlib import Path

from msgspec.structs import replace

from golive.model import Audit, CollectorRun, Finding, Screenshot, Section, Severity, Status
from golive.reports import html
from golive.reports.charts import failing_by_section, proofs, section_chart

#: A 1x1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def finding(cid: str, section: Section, severity: Severity, status: Status = Status.FAIL) -> Finding:
    return Finding(id=cid, section=section, status=status, severity=severity, title=f"title of {cid} <b>")


def audit_with(findings: tuple[Finding, ...], shots: tuple[Screenshot, ...] = ()) -> Audit:
    return Audit(
        golive_version="0.0.0",
        started_at="2026-01-02T03:04:05+00:00",
        duration=1.0,
        author="Pat",
        project_name="shop",
        project_path="/srv/shop",
        git_commit=None,
        git_dirty=None,
        settings_module="conf.settings",
        settings_reason="",
        django_version="5.2",
        python_version="3.11",
        collectors=(CollectorRun(name="runtime", status="ok"),),
        findings=findings,
        screenshots=shots,
    )


FINDINGS = (
    finding("GL101", Section.CRITICAL_SETTINGS, Severity.CRITICAL),
    finding("GL110", Section.CRITICAL_SETTINGS, Severity.HIGH),
    finding("GL831", Section.LIVE_SITE, Severity.CRITICAL),
    finding("GL840", Section.LIVE_SITE, Severity.LOW, Status.PASS),
)


def test_failing_by_section_and_severity() -> None:
    rows = failing_by_section(FINDINGS)
    assert [(s, {k.label: n for k, n in c.items()}) for s, c in rows] == [
        (Section.CRITICAL_SETTINGS, {"critical": 1, "high": 1}),
        (Section.LIVE_SITE, {"critical": 1}),
    ]
    svg = section_chart(FINDINGS)
    assert svg.startswith("<svg") and "http" not in svg.replace("http://www.w3.org/2000/svg", "")
    assert f"{Section.CRITICAL_SETTINGS.heading}: 1 high" in svg.replace("&amp;", "&")
    assert section_chart(FINDINGS[3:]) == ""  # nothing fails: no chart


def test_the_chart_is_at_the_top_and_the_debug_page_beside_its_finding(tmp_path: Path) -> None:
    (tmp_path / "debug.png").write_bytes(PNG)
    (tmp_path / "home.png").write_bytes(PNG)
    shots = (
        Screenshot(name="home", url="https://shop.test/", path="home.png", caption="Home page (200)"),
        Screenshot(name="debug", url="https://shop.test/", path="debug.png", caption="Django's DEBUG page"),
    )
    page = html.render_to(audit_with(FINDINGS, shots), tmp_path / "r.html")
    assert page.index('id="failing-chart"') < page.index('id="checklist"')
    card = re.search(
        r'<article class="finding[^"]*"[^>]*>\s*<header>(?:(?!</article>).)*?GL831.*?</article>', page, re.S
    )
    assert card is not None and "What the site showed: Django&#39;s DEBUG page" in card.group(0)
    assert "data:image/png;base64," in card.group(0)
    assert proofs(FINDINGS, ["home", "debug", "admin-login"]) == {"GL831": [1]}  # GL840 passed
    assert "hover a point" not in page  # no trend for an audit without history


def test_the_trend_needs_a_second_audit() -> None:
    point = {"id": 1, "started_at": "2026-01-01T00:00:00+00:00", "failing": 3, "score": 50, "grade": "D"}
    history = {
        "id": 1,
        "previous_id": None,
        "previous_started_at": None,
        "trend": [point],
        "new": [],
        "fixed": [],
        "unchanged": [],
        "unverified": [],
    }
    one = html.render(replace(audit_with(FINDINGS), history=history))
    assert 'class="trend"' not in one
    second = {**point, "id": 2, "failing": 2}
    two = html.render(
        replace(
            audit_with(FINDINGS),
            history={
                **history,
                "id": 2,
                "previous_id": 1,
                "trend": [point, second],
                "grade": "C",
                "score": 70,
                "coverage": {"ran": 5, "checks": 9},
            },
        )
    )
    assert 'class="trend"' in two
    assert "This audit: grade C (70/100) · 5 of 9 checks ran." in two  # coverage beside the score
