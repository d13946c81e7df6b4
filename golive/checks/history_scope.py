"""What the git history scan covered (checklist section 1, GL127).

The history checks (GL120-GL123, GL100) can only report what the clone holds. CI
checkouts are often shallow (GitHub's actions/checkout fetches one commit by default,
GitLab CI 20 or 50) and carry one branch: a password added and removed before the
boundary is invisible there, and "nothing found" would be a silent pass. This check
states how many commits and which refs were scanned, and fails when the scan was partial
(shallow clone, unreadable objects, the time limit), with the fix.

Sources: git-clone(1) ``--depth`` ("create a shallow clone with a history truncated to the
specified number of commits", https://git-scm.com/docs/git-clone), actions/checkout
``fetch-depth`` ("0 indicates all history for all branches and tags",
https://github.com/actions/checkout#usage), GitLab's shallow cloning ``GIT_DEPTH``
(https://docs.gitlab.com/ci/runners/configure_runners/#shallow-cloning).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from golive.facts.git import GitFacts
from golive.model import Finding, Severity
from golive.registry import CheckSpec, Facts, check


@check(
    "GL127",
    title="the git history was scanned only in part (shallow or damaged clone, time limit)",
    severity=Severity.MEDIUM,
    needs=(GitFacts,),
    reference="https://github.com/actions/checkout#usage",
    remediation="""
    Audit a clone with the whole history and every branch. In GitHub Actions:

        - uses: actions/checkout@v4
          with:
            fetch-depth: 0

    In GitLab CI set `GIT_DEPTH: 0` in the job's variables; locally, `git fetch --unshallow`
    (and `git fetch origin '+refs/heads/*:refs/remotes/origin/*'` for the other branches).
    """,
)
def history_scope(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Secrets removed from the files stay in every full clone, so the history scan is only
    as good as the history it saw. Passes with the number of commits and the refs scanned;
    fails when the clone is shallow (git-clone ``--depth``,
    https://git-scm.com/docs/git-clone; actions/checkout's default ``fetch-depth: 1``,
    https://github.com/actions/checkout#usage) or objects could not be read or the scan
    ran out of time, each gap with what it hides. A shallow clone is medium, with the
    fetch-depth fix; a clone that merely lacks some objects (a snapshot, a partial clone)
    is a note on the audit's coverage: low, with the fix that fetches them.
    """
    git = facts[GitFacts]
    scanned = f"scanned {git.scope()}: {git.refs_summary()}"
    gaps = git.gaps()
    if not gaps:
        yield spec.passed(evidence=[scanned])
    elif git.shallow:
        yield spec.fail(subjects=["git history"], evidence=[scanned, *gaps])
    else:
        # a snapshot or partial clone lacking some objects: the audit's coverage, not the
        # deployment's state; said low, with the fix that fetches the objects
        yield spec.fail(
            subjects=["git history"],
            evidence=[scanned, *_grouped(gaps)],
            severity=Severity.LOW,
            remediation=MISSING_OBJECTS_FIX,
        )


MISSING_OBJECTS_FIX = """
This clone lacks some objects (a partial clone made with `--filter`, or a copy of a
repository without all its packs). Fetch them and audit again:

    git fetch --refetch          # git 2.36+: every object of every ref, again
    # or audit a fresh full clone: git clone <url>
"""
_UNREAD = re.compile(r"^commit (\w+) could not be read completely \((.*)\); scanned the rest$")
#: Unreadable commits named in the evidence; the others are counted.
UNREAD_SHOWN = 3


def _grouped(gaps: list[str]) -> list[str]:
    """The gaps with the "commit X could not be read completely" lines folded into one:
    how many, the first :data:`UNREAD_SHOWN` commits."""
    unread = [m.group(1) for m in map(_UNREAD.match, gaps) if m]
    rest = [g for g in gaps if not _UNREAD.match(g)]
    if not unread:
        return rest
    more = f", +{len(unread) - UNREAD_SHOWN} more" if len(unread) > UNREAD_SHOWN else ""
    first = ", ".join(unread[:UNREAD_SHOWN])
    return [
        f"{len(unread)} commit(s) could not be read completely (objects missing from this clone:"
        f" {first}{more}); the rest was scanned",
        *rest,
    ]
