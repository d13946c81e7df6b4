"""Report formats: golden files with hostile strings, escaping, schemas, round trip.

The hand-built :func:`hostile_audit` carries ``<script>``, ``<img onerror>``, ``|``,
newlines, backticks and non-ASCII text in every field a person or a scanned project can
influence; each format is compared with its golden file in ``tests/golden/``
(regenerate with ``GOLIVE_UPDATE_GOLDEN=1``) and checked for what its format must
guarantee: inert HTML, Markdown tables that keep their cells, a JSON report valid
against ``audit.schema.json``, SARIF valid against the official SARIF 2.1.0 schema, and
JUnit XML whose counts match the audit.
"""

from __future__ import annotations

import base64
import json
import os
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
from conftest import EXAMPLES, audit_project
from markdown_it import MarkdownIt

from golive.model import (
    Attestation,
    Audit,
    CollectorRun,
    Confidence,
    Finding,
    Location,
    Screenshot,
    Section,
    Severity,
    Status,
)
from golive.registry import CheckSpec, Registry
from golive.reports import html as html_report
from golive.reports import json_report, junit, markdown, sarif

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden"
SARIF_SCHEMA = HERE / "schemas" / "sarif-schema-2.1.0.json"
UPDATE = os.environ.get("GOLIVE_UPDATE_GOLDEN") == "1"

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
INTL = "Zürich ✓ 日本"
#: A 1×1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
DOC = "https://docs.djangoproject.com/en/stable/howto/deployment/checklist/"


def hostile_audit() -> Audit:
    """An audit whose every free-text field is hostile; fixed date and version."""
    att = Attestation(
        check_id="GL505", by=f"Zoë {SCRIPT}", on="2026-01-02", note=f"checked | `logs`\nsecond {IMG}"
    )
    findings = (
        Finding(
            id="GL101",
            section=Section.CRITICAL_SETTINGS,
            status=Status.FAIL,
            severity=Severity.CRITICAL,
            title=f"SECRET_KEY {SCRIPT} | pipe {INTL}",
            subjects=("SECRET_KEY", "A|B", SCRIPT),
            location=Location(path="conf/settings <x>/prod|uction.py", line=7),
            evidence=(f"line one\nline two | {IMG}", "``` three backticks ` and one", INTL),
            remediation=f"SECRET_KEY = os.environ['X']\n```\n{SCRIPT}\n````\n| a | b |",
            reference=DOC + "#secret-key",
            collector="source",
            confidence=Confidence.CONFIRMED,
        ),
        Finding(
            id="security.W004",
            section=Section.HTTPS,
            status=Status.FAIL,
            severity=Severity.MEDIUM,
            title="SECURE_HSTS_SECONDS is not set",
            subjects=("SECURE_HSTS_SECONDS",),
            evidence=(f"security.W004: You have not set {SCRIPT}",),
            remediation="SECURE_HSTS_SECONDS = 31536000",
            reference="https://docs.djangoproject.com/en/stable/ref/checks/#security",
            collector="django",
        ),
        Finding(
            id="GL231",
            section=Section.ENVIRONMENT_SETTINGS,
            status=Status.FAIL,
            severity=Severity.LOW,
            title="DEFAULT_FROM_EMAIL or SERVER_EMAIL is Django's localhost default",
            subjects=("DEFAULT_FROM_EMAIL",),
            evidence=("DEFAULT_FROM_EMAIL = 'webmaster@localhost'",),
            remediation='DEFAULT_FROM_EMAIL = "Shop <shop@example.com>"',
            reference=DOC + "#email-backend-and-related-settings",
            collector="runtime",
        ),
        Finding(
            id="GL231",
            section=Section.ENVIRONMENT_SETTINGS,
            status=Status.FAIL,
            severity=Severity.LOW,
            title="DEFAULT_FROM_EMAIL or SERVER_EMAIL is Django's localhost default",
            subjects=("SERVER_EMAIL",),
            evidence=("SERVER_EMAIL = 'root@localhost'",),
            remediation='SERVER_EMAIL = "errors@example.com"',
            reference=DOC + "#email-backend-and-related-settings",
            collector="runtime",
        ),
        Finding(
            id="GL222",
            section=Section.ENVIRONMENT_SETTINGS,
            status=Status.MANUAL,
            severity=Severity.HIGH,
            title="database backups exist, are off-site, and a restore was tested",
            subjects=("DATABASES",),
            remediation='[tool.golive.attest.GL222]\nby = "Jane Ops"',
            reference=DOC + "#databases",
        ),
        Finding(
            id="GL240",
            section=Section.ENVIRONMENT_SETTINGS,
            status=Status.SKIPPED,
            severity=Severity.HIGH,
            title="STATIC_ROOT is not set",
            reason=f"runtime: settings raised KeyError: 'X' | <b>{INTL}</b>",
            reference=DOC + "#static-root-and-static-url",
            collector="runtime",
        ),
        Finding(
            id="GL403",
            section=Section.PERFORMANCE,
            status=Status.PASS,
            severity=Severity.LOW,
            title="database connections are not persistent (CONN_MAX_AGE = 0)",
            reference=DOC + "#conn-max-age",
            collector="runtime",
        ),
        Finding(
            id="GL505",
            section=Section.ERROR_REPORTING,
            status=Status.PASS,
            severity=Severity.LOW,
            title="logging was checked with production traffic",
            subjects=("LOGGING",),
            reason=f"attested by {att.by} on {att.on}",
            reference=DOC + "#logging",
            attestation=att,
        ),
        Finding(
            id="GL701",
            section=Section.WEB_SERVER,
            status=Status.ERROR,
            severity=Severity.HIGH,
            title="nginx serves a default server for unknown hosts",
            reason=f"check crashed: ValueError: {SCRIPT}",
            reference="https://nginx.org/en/docs/http/request_processing.html",
            collector="nginx",
        ),
    )
    return Audit(
        golive_version="9.9.9",
        started_at="2026-01-02T03:04:05+01:00",
        duration=1.25,
        author=f"Ann {IMG} `rm -rf /` | {INTL}",
        project_name=f"shop {SCRIPT} | {INTL}",
        project_path="/srv/hostile project",
        git_commit="0123456789abcdef0123456789abcdef01234567",
        git_dirty=True,
        settings_module="conf.settings.production",
        settings_reason=f"--settings {SCRIPT}",
        django_version="5.2.1",
        python_version="3.11.7",
        collectors=(
            CollectorRun(name="runtime", status="ok", duration=0.5),
            CollectorRun(name="source", status="ok", duration=0.1),
            CollectorRun(name="nginx", status="error", reason=f"{SCRIPT}: cannot parse | line 3"),
            CollectorRun(name="live", status="skipped", reason="no --url given"),
            CollectorRun(
                name="git",
                status="ok",
                details={"notes": [f"commit 0123456789 {SCRIPT} | could not be read"]},
            ),
        ),
        findings=findings,
        attestations=(att,),
        screenshots=(
            Screenshot(
                name="home", url="https://shop.example.com/", path="shots/home.png", caption=f"home {SCRIPT}"
            ),
            Screenshot(
                name="gone", url="https://shop.example.com/x", path="shots/missing.png", caption="missing"
            ),
        ),
        django_check_output=(
            f"?: (security.W004) You have not set {SCRIPT} {IMG}\n\tHINT: x | y {INTL}\n\n"
            "System check identified 1 issue (0 silenced)."
        ),
        fail_on=Severity.HIGH,
        inputs={"python": "/usr/bin/python3", "env_file": None, "timeout": 60.0, "select": [], "ignore": []},
    )


def small_registry() -> Registry:
    """A fixed registry for the SARIF golden (the real one grows with every issue)."""
    return Registry(
        [
            CheckSpec(
                id="GL101",
                title="SECRET_KEY is a literal in the production settings source",
                severity=Severity.CRITICAL,
                needs=(),
                reference=DOC + "#secret-key",
                remediation='SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]',
                func=lambda facts, spec: (),
                rationale="The key production uses is written in the settings module it loads.",
            )
        ]
    )


@pytest.fixture
def report_dir(tmp_path: Path) -> Path:
    """A report directory holding the screenshot the hostile audit references."""
    (tmp_path / "shots").mkdir()
    (tmp_path / "shots" / "home.png").write_bytes(PNG)
    return tmp_path


SVG_RE = re.compile(r"<svg class=\"rich-terminal\".*?</svg>", re.S)


def rendered(report_dir: Path) -> dict[str, str]:
    """Every format of the hostile audit; Rich's SVG is cut out of the HTML golden."""
    audit = hostile_audit()
    page = html_report.render_to(audit, report_dir / "report.html")
    return {
        "md": markdown.render(audit),
        "html": SVG_RE.sub("<svg><!-- Rich's SVG export, tested apart --></svg>", page),
        "sarif": sarif.render(audit, small_registry()),
        "xml": junit.render(audit),
        "json": json_report.render(audit),
    }


@pytest.mark.parametrize("ext", ["md", "html", "sarif", "xml", "json"])
def test_golden(ext: str, report_dir: Path) -> None:
    text = rendered(report_dir)[ext]
    path = GOLDEN / f"hostile.{ext}"
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}: run with GOLIVE_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


# --- HTML -------------------------------------------------------------------------------


class TagCollector(HTMLParser):
    """Every start tag with its attributes, as a browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags_of(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = TagCollector()
    parser.feed(page)
    parser.close()
    return parser.tags


def assert_inert(page: str, *, local_images: bool = False) -> None:
    """No script, no event handler, no element that loads anything from outside.

    ``local_images``: images may be relative paths (Markdown references screenshot files).
    """
    tags = tags_of(page)
    names = {t for t, _ in tags}
    assert "script" not in names
    assert not names & {"iframe", "object", "embed", "link", "base", "form"}
    for tag, attrs in tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        if tag == "img":
            src = attrs.get("src") or ""
            ok = src.startswith("data:image/png;base64,") or (local_images and not re.match(r"^[a-z]+:", src))
            assert ok, attrs
        for name in ("src", "href", "xlink:href"):
            value = attrs.get(name) or ""
            assert not value.lower().startswith("javascript:"), (tag, attrs)
    assert "url(http" not in page and "@import" not in page
    assert SCRIPT not in page and IMG not in page


def test_html_is_inert_and_self_contained(report_dir: Path) -> None:
    page = html_report.render_to(hostile_audit(), report_dir / "report.html")
    assert_inert(page)
    # the hostile strings are there, as text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Zürich ✓ 日本" in page
    # the only things loaded: the embedded screenshot; links are followed on click only
    srcs = [a.get("src") for t, a in tags_of(page) if "src" in a]
    assert srcs == ["data:image/png;base64," + base64.b64encode(PNG).decode()]
    assert "screenshot not embedded: cannot read shots/missing.png" in page


def test_html_terminal_svg_escapes_hostile_output() -> None:
    svg = html_report.terminal_svg(f"?: (security.W004) {SCRIPT} {IMG} & ]]> <!--", title="t")
    assert_inert(f"<html><body>{svg}</body></html>")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert "cdnjs" not in svg and "@font-face" not in svg
    assert next(t for t, _ in tags_of(str(svg))) == "svg"


def test_html_print_stylesheet_folds_passes_into_an_appendix(report_dir: Path) -> None:
    page = html_report.render_to(hostile_audit(), report_dir / "report.html")
    assert "@media print" in page and "break-inside: avoid" in page
    # on screen the passes fold into <details>; in print, one line per section in an appendix
    folded = page.count('<details class="passes screen-only">')
    appendix = page.split('<section class="appendix print-only" id="appendix-passed">')[1].split(
        "</section>"
    )[0]
    assert folded and appendix.count("<p><strong>") == folded
    assert "passed (" in appendix
    assert "hover a point" not in page


# --- Markdown ---------------------------------------------------------------------------


def md_html(text: str) -> str:
    return MarkdownIt("commonmark").enable("table").render(text)


def test_markdown_renders_inert() -> None:
    page = md_html(markdown.render(hostile_audit()))
    assert_inert(page, local_images=True)
    assert '<img src="shots/home.png"' in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_markdown_tables_keep_their_cells() -> None:
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown.render(hostile_audit()))
    tables = 0
    widths: list[int] = []
    for tok in tokens:
        if tok.type == "table_open":
            tables += 1
            widths = []
        elif tok.type == "tr_open":
            widths.append(0)
        elif tok.type in ("th_open", "td_open"):
            widths[-1] += 1
        elif tok.type == "table_close":
            assert len(set(widths)) == 1, widths
    assert tables == 5  # header, passed and skipped, attestations, sign-off: signers, manual items


def test_markdown_checklist_ticks() -> None:
    text = markdown.render(hostile_audit())
    lines = [line for line in text.splitlines() if line.startswith("- [")]
    by_label = {re.sub(r"^- \[.\] \S \*\*(.*?)\*\*.*$", r"\1", line): line for line in lines}
    assert by_label["`SECRET_KEY`"].startswith("- [ ] ✗") and "failing `GL101`" in by_label["`SECRET_KEY`"]
    assert by_label["`LOGGING`"].startswith("- [x] ✓") and "`GL505` attested by Zoë" in by_label["`LOGGING`"]
    assert by_label["`CONN_MAX_AGE`"].startswith("- [x] ✓")
    # a row whose only open item waits for a person is not drawn as failing
    assert by_label["Backups"].startswith("- [ ] ✎") and "needs sign-off `GL222`" in by_label["Backups"]
    assert by_label["Web server"].startswith("- [ ] !")
    assert by_label["Live site"].startswith("- [ ] –")
    assert "errored `GL701`" in by_label["Web server"]
    assert "not checked in this audit" in by_label["Live site"]
    # every check of the row was skipped: the row says its input was not audited, and why
    static = by_label["`STATIC_ROOT` and `STATIC_URL`"]
    assert static.startswith("- [ ] –") and "**not audited**: runtime: settings raised KeyError" in static
    assert (
        by_label["HTTPS everywhere"].startswith("- [ ]") and "`security.W004`" in by_label["HTTPS everywhere"]
    )


def test_markdown_snippet_fence_outlasts_backticks() -> None:
    text = markdown.render(hostile_audit())
    assert "`````\nSECRET_KEY = os.environ['X']\n```\n" in text
    assert markdown.code("a``b") == "```a``b```"
    assert markdown.code("`x`") == "`` `x` ``"


def test_checklist_mapping_of_every_item_is_reachable() -> None:
    """Every non-rest item is claimed by an id prefix or subjects; ids of the real registry map."""
    from golive.checklist import CHECKLIST, checklist
    from golive.checks import registry

    for item in CHECKLIST:
        assert item.rest or item.django or item.ids or item.subjects, item.label
    findings = [spec.passed() for spec in registry()]
    states = checklist(findings)
    placed = {f.id for s in states for f in s.findings}
    assert placed == {f.id for f in findings}


# --- JSON -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bookshop() -> Audit:
    """A real audit of the careless example project."""
    return audit_project(EXAMPLES / "bookshop", no_history=True)


def test_json_schema_validates_hostile_and_real_reports(bookshop: Audit) -> None:
    validator = jsonschema.Draft202012Validator(json_report.schema())
    jsonschema.Draft202012Validator.check_schema(json_report.schema())
    validator.validate(json.loads(json_report.render(hostile_audit())))
    validator.validate(json.loads(json_report.render(bookshop)))
    bad = json.loads(json_report.render(bookshop))
    bad["findings"][0]["status"] = "maybe"
    assert not validator.is_valid(bad)
    bad = json.loads(json_report.render(bookshop))
    bad["findings"][0]["extra"] = 1
    assert not validator.is_valid(bad)


def test_json_round_trip_re_renders_equal(bookshop: Audit, report_dir: Path) -> None:
    for audit in (hostile_audit(), bookshop):
        again = json_report.from_dict(json.loads(json_report.render(audit)))
        assert json_report.to_dict(again) == json_report.to_dict(audit)
        assert markdown.render(again) == markdown.render(audit)
        assert html_report.render_to(again, report_dir / "r.html") == html_report.render_to(
            audit, report_dir / "r.html"
        )
        assert sarif.render(again) == sarif.render(audit)
        assert junit.render(again) == junit.render(audit)


# --- SARIF ------------------------------------------------------------------------------


def sarif_validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema)


def test_sarif_is_valid_against_the_official_schema(bookshop: Audit) -> None:
    validator = sarif_validator()
    for audit in (hostile_audit(), bookshop):
        log = json.loads(sarif.render(audit))
        errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
        assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def test_sarif_results_rules_and_invocation() -> None:
    log = sarif.to_sarif(hostile_audit(), small_registry())
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [
        "GL101",
        "security.W004",
        "GL231",
        "GL222",
        "GL240",
        "GL403",
        "GL505",
        "GL701",
    ]
    results = run["results"]
    assert [(r["ruleId"], r["kind"], r["level"]) for r in results] == [
        ("GL101", "fail", "error"),
        ("security.W004", "fail", "warning"),
        ("GL231", "fail", "note"),
        ("GL231", "fail", "note"),
        ("GL222", "review", "none"),
    ]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    loc = results[0]["locations"][0]["physicalLocation"]
    assert loc == {
        "artifactLocation": {"uri": "conf/settings%20%3Cx%3E/prod%7Cuction.py", "uriBaseId": "PROJECTROOT"},
        "region": {"startLine": 7},
    }
    assert run["originalUriBaseIds"]["PROJECTROOT"]["uri"] == "file:///srv/hostile%20project/"
    assert results[2]["partialFingerprints"] != results[3]["partialFingerprints"]
    inv = run["invocations"][0]
    assert inv["executionSuccessful"] is False
    assert [
        (n["level"], n.get("associatedRule", {}).get("id")) for n in inv["toolExecutionNotifications"]
    ] == [
        ("error", None),
        ("note", None),
        ("error", "GL701"),
    ]
    assert inv["startTimeUtc"] == "2026-01-02T02:04:05Z"


def test_sarif_rules_cover_the_registry(bookshop: Audit) -> None:
    from golive.checks import registry

    log = sarif.to_sarif(bookshop)
    ids = [r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]]
    assert ids[: len(registry())] == [spec.id for spec in registry()]
    assert "security.W018" in ids and len(ids) == len(set(ids))


# --- JUnit ------------------------------------------------------------------------------


def test_junit_parses_and_counts_match(bookshop: Audit) -> None:
    for audit in (hostile_audit(), bookshop):
        root = ET.fromstring(junit.render(audit).encode("utf-8"))
        assert root.tag == "testsuites"
        expected: dict[tuple[str, str], set[Status]] = {}
        for f in audit.findings:
            expected.setdefault((f.section.value, f.id), set()).add(f.status)
        cases = root.findall("testsuite/testcase")
        assert len(cases) == len(expected) == int(root.get("tests", "-1"))
        assert [s.get("name") for s in root.findall("testsuite")] == list(
            dict.fromkeys(
                f.section.heading
                for f in sorted(audit.findings, key=lambda f: list(Section).index(f.section))
            )
        )
        fails = sum(1 for st in expected.values() if Status.ERROR not in st and Status.FAIL in st)
        errors = sum(1 for st in expected.values() if Status.ERROR in st)
        assert int(root.get("failures", "-1")) == fails == len(root.findall("testsuite/testcase/failure"))
        assert int(root.get("errors", "-1")) == errors == len(root.findall("testsuite/testcase/error"))
        assert int(root.get("skipped", "-1")) == len(root.findall("testsuite/testcase/skipped"))
        for suite in root.findall("testsuite"):
            props = {p.get("name"): p.get("value") for p in suite.findall("properties/property")}
            assert props["project"] == audit.project_name and props["author"] == audit.author


def test_junit_hostile_case() -> None:
    root = ET.fromstring(junit.render(hostile_audit()).encode("utf-8"))
    case = root.find("testsuite/testcase[@name='GL101 " + f"SECRET_KEY {SCRIPT} | pipe {INTL}" + "']")
    assert case is not None and case.get("classname") == "golive.critical-settings"
    failure = case.find("failure")
    assert failure is not None and failure.get("type") == "critical"
    assert f"line two | {IMG}" in (failure.text or "") and SCRIPT in (failure.text or "")
    manual = root.find(
        "testsuite/testcase[@name='GL222 database backups exist, are off-site, and a restore was tested']"
    )
    assert manual is not None
    skipped = manual.find("skipped")
    assert skipped is not None and skipped.get("message") == "needs a person's attestation"
    both = root.findall("testsuite/testcase[@classname='golive.environment-settings']")
    gl231 = [c for c in both if (c.get("name") or "").startswith("GL231")]
    assert len(gl231) == 1
    text = gl231[0].findtext("failure") or ""
    assert "DEFAULT_FROM_EMAIL" in text and "SERVER_EMAIL" in text
