"""The runtime probe starts first (issue 15): the CLI launches the first collector as soon
as the context is resolved, before the runner, the other collectors and the checks are
imported, and the runner takes that run over instead of starting it a second time; the git
queries of the context run all at once while the configuration and settings are read; the
checks whose inputs are in run while the other collectors still run, with the findings they
would give at the end.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from conftest import audit_context

from golive.collectors import CollectorSpec, all_collectors
from golive.collectors.scheduler import collect_all, launch, launch_first
from golive.context import AuditContext, GitInfo, git_info, start_git_info
from golive.model import Finding, Severity, Status
from golive.registry import CheckSpec, Facts, FactsBase, Registry, check
from golive.runner import run_audit


class CountedFacts(FactsBase, frozen=True, kw_only=True):
    collector: ClassVar[str] = "counted"
    calls: int


class ReaderFacts(FactsBase, frozen=True, kw_only=True):
    collector: ClassVar[str] = "reader"
    saw: int | None


def test_a_launched_collector_runs_once_and_its_readers_get_its_facts(
    make_project: Callable[..., Path],
) -> None:
    calls: list[str] = []
    lock = threading.Lock()

    def counted(ctx: AuditContext) -> CountedFacts:
        with lock:
            calls.append(threading.current_thread().name)
            return CountedFacts(calls=len(calls))

    def reader(ctx: AuditContext, facts: Facts) -> ReaderFacts:
        got = facts.get(CountedFacts)
        return ReaderFacts(saw=got.calls if got else None)

    first = CollectorSpec(name="counted", produces=CountedFacts, collect=counted)
    second = CollectorSpec(name="reader", produces=ReaderFacts, collect=reader, uses=(CountedFacts,))
    ctx = audit_context(make_project(), no_git=True)
    seen: list[tuple[str, str]] = []
    early = {"counted": launch(first, ctx, progress=lambda name, state: seen.append((name, state)))}
    runs, facts = collect_all(ctx, [first, second], launched=early)
    assert calls == ["golive-counted"]  # run once, in the thread launch started
    assert [(r.name, r.status) for r in runs] == [("counted", "ok"), ("reader", "ok")]
    assert facts[CountedFacts] == CountedFacts(calls=1)
    assert facts[ReaderFacts] == ReaderFacts(saw=1)
    assert seen == [("counted", "start"), ("counted", "ok")]


def test_launch_first_starts_the_runtime_probe(make_project: Callable[..., Path]) -> None:
    ctx = audit_context(make_project(), no_git=True)
    launched = launch_first(ctx)
    first = next(all_collectors())
    assert first.name == "runtime" and list(launched) == ["runtime"]
    runs, facts = collect_all(ctx, [first], launched=launched)
    assert [(r.name, r.status) for r in runs] == [("runtime", "ok")]
    assert first.produces in facts


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def one_query_at_a_time(project_dir: Path) -> GitInfo:
    """The git info as golive read it before the queries were merged and run at once: five
    commands one after another (``rev-parse --show-toplevel``, ``rev-parse HEAD``,
    ``status``, ``config user.name``, ``config user.email``)."""

    def git(*args: str) -> str | None:
        out = subprocess.run(["git", "-C", str(project_dir), *args], capture_output=True, text=True)
        return out.stdout.strip() if out.returncode == 0 else None

    root = git("rev-parse", "--show-toplevel")
    if root is None:
        return GitInfo(reason="not a git repository (or git is not installed)")
    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no", "--", ".")
    name, email = git("config", "user.name"), git("config", "user.email")
    return GitInfo(
        commit=commit,
        dirty=bool(status) if status is not None else None,
        user=f"{name} <{email}>" if name and email else (name or email),
        root=Path(root),
        reason="" if commit else "repository has no commits yet",
    )


def test_the_git_queries_answer_as_one_after_another_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    outside = tmp_path / "plain"
    outside.mkdir()
    repo = tmp_path / "repo"
    (repo / "sub").mkdir(parents=True)
    seen: list[GitInfo] = []

    def same() -> None:
        for where in (outside, repo, repo / "sub", repo / ".git"):
            if where.is_dir():
                info = git_info(where)
                assert info == one_query_at_a_time(where), where
                seen.append(info)

    same()  # no repository
    _git(repo, "init", "-q")
    same()  # no commits, no user
    _git(repo, "config", "user.name", "Ada Lovelace")
    same()  # a name, no e-mail
    _git(repo, "config", "--add", "user.name", "  Grace Hopper  ")  # the last value counts
    _git(repo, "config", "user.email", "grace@example.org")
    (repo / "sub" / "a.txt").write_text("one\n")
    _git(repo, "add", "sub/a.txt")
    _git(repo, "commit", "-q", "-m", "one")
    same()  # a commit, clean
    (repo / "sub" / "a.txt").write_text("two\n")
    same()  # dirty
    last = git_info(repo / "sub")
    assert (last.user, last.dirty, last.root) == ("Grace Hopper <grace@example.org>", True, repo.resolve())
    assert seen[0].reason == "not a git repository (or git is not installed)"
    assert git_info(repo / ".git").reason == seen[0].reason  # not a work tree
    answers = start_git_info(repo)
    assert answers() is answers()  # waited for once


class QuickFacts(FactsBase, frozen=True, kw_only=True):
    collector: ClassVar[str] = "quick"


class SlowFacts(FactsBase, frozen=True, kw_only=True):
    collector: ClassVar[str] = "slow"
    value: str


def test_checks_run_while_collectors_run_and_read_only_settled_facts(
    make_project: Callable[..., Path],
) -> None:
    """GL901 needs only the quick collector: it runs while the slow one is held (and lets it
    go). GL902 reads the slow facts with ``get``, as an optional cross-check: tried while
    they are being collected it would see None; it must see them. GL903 needs them."""
    release = threading.Event()
    ran_early: list[bool] = []

    def quick(ctx: AuditContext) -> QuickFacts:
        return QuickFacts()

    def slow(ctx: AuditContext) -> SlowFacts:
        assert release.wait(30)
        return SlowFacts(value="seen")

    ref = "https://docs.djangoproject.com/en/stable/howto/deployment/checklist/"

    @check("GL901", title="quick", severity=Severity.LOW, needs=(QuickFacts,), reference=ref, remediation="-")
    def gl901(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
        ran_early.append(not release.is_set())
        release.set()
        yield from ()

    @check("GL902", title="cross", severity=Severity.LOW, needs=(QuickFacts,), reference=ref, remediation="-")
    def gl902(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
        got = facts.get(SlowFacts)
        yield spec.fail(evidence=[got.value if got else "not collected"])

    @check("GL903", title="needs", severity=Severity.LOW, needs=(SlowFacts,), reference=ref, remediation="-")
    def gl903(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
        yield spec.fail(evidence=[facts[SlowFacts].value])

    specs = [
        CollectorSpec(name="quick", produces=QuickFacts, collect=quick),
        # alongside: it waits, as a subprocess would (the in-process collectors run in turn)
        CollectorSpec(name="slow", produces=SlowFacts, collect=slow, alongside=True),
    ]
    ctx = audit_context(make_project(), no_git=True)
    audit = run_audit(ctx, registry=Registry([gl901, gl902, gl903]), collectors=specs)
    assert ran_early == [True]
    found = {f.id: (f.status, f.evidence) for f in audit.findings}
    assert found == {
        "GL901": (Status.PASS, ()),
        "GL902": (Status.FAIL, ("seen",)),
        "GL903": (Status.FAIL, ("seen",)),
    }
