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

from collections.abc import Iterator

from golive.collectors.git import GitFacts
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
    ran out of time, each gap with what it hides.
    """
    git = facts[GitFacts]
    scanned = f"scanned {git.scope()}: {git.refs_summary()}"
    gaps = git.gaps()
    if gaps:
        yield spec.fail(subjects=["git history"], evidence=[scanned, *gaps])
    else:
        yield spec.passed(evidence=[scanned])
