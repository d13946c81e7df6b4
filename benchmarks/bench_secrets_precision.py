"""golive against detect-secrets on the same git histories: what each reports, and how much of it is real.

For each corpus repository (``<corpus-cache>/<name>/src``, full history, every ref):

* golive: the git collector's history scan (:func:`golive.collectors.git.scan_history`); a
  value counts as *reported* when golive calls it a secret (a finding at low severity or
  above), not when it files it as a placeholder or public value (GL128, information);
* detect-secrets (https://github.com/Yelp/detect-secrets, its default plugins and filters):
  the same ``git log -p`` stream, one commit at a time, through its diff mode
  (``SecretsCollection.scan_diff``: the added lines, with their file names, so that its
  file-name filters apply, less the one that drops files absent from the work tree).

Both run in this process, one after the other; CPU time counts this process and git.
Each value is placed where it was first added (the earliest commit, its path and line);
values of both tools on the same line are one item (a private key block is one item: at
its BEGIN line, which detect-secrets reports, rather than its body, which golive reports).
A pooled sample of the union (every item golive reports, then items only detect-secrets
reports drawn at random with a fixed seed, up to ``--sample``) is labelled by a reviewer
in ``benchmarks/secrets_labels.toml``: each label names the item by repository, commit,
path and line, never by value, with ``secret = true/false`` and a one-line reason; a
``[[pattern]]`` labels every item under a path prefix that one detector of detect-secrets
alone reports (the digests of a test-data folder).
Precision is the share of a tool's sampled reports labelled secret, and recall the share
of the labelled secrets that the tool reports, both weighted by how the items were
sampled (items only detect-secrets reports are a random sample: each stands for all of
them it was drawn from).

    python benchmarks/bench_secrets_precision.py [--repos linkding djangosnippets kiwi]
        [--corpus-cache /work/corpus-cache] [--sample 120] [--unlabelled]

``--unlabelled`` lists the sampled items that have no label yet (location, tools, rule),
for the reviewer. Values are never printed or written.
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from detect_secrets import SecretsCollection
from detect_secrets.settings import default_settings, get_settings

from golive.collectors.git import MAX_RESUMES, scan_history, since_args
from golive.collectors.git.history import LOG_FORMAT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

HERE = Path(__file__).parent
LABELS = HERE / "secrets_labels.toml"
REPOS = ("linkding", "djangosnippets", "kiwi")
GOLIVE, DS = "golive", "detect-secrets"
#: The arguments golive's history scan gives git (golive.collectors.git.scan_history).
LOG = [
    "-c", "core.quotePath=false", "log", "-p", "--no-color", "--unified=0", "--no-renames",
    "--no-ext-diff", "--no-textconv", f"--format={LOG_FORMAT}", "--all", "--",
]  # fmt: skip


@dataclass
class Item:
    """One reported value, where it was first added: (commit time, order in git log) decide."""

    repo: str
    commit: str
    path: str
    line: int
    when: tuple[int, int]
    tools: dict[str, str] = field(default_factory=dict)  # tool -> rule / detector type

    @property
    def key(self) -> tuple[str, str, str, int]:
        return (self.repo, self.commit, self.path, self.line)


def cpu() -> float:
    """CPU seconds of this process and its finished children (user + system)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def golive_values(repo: str, root: Path) -> tuple[dict[str, Item], float]:
    """{value: item} golive reports in ``root``'s history, and the CPU seconds it took."""
    start = cpu()
    scan, partial = scan_history(root, since_args(root, None))
    spent = cpu() - start
    if partial:
        print(f"  {repo}: golive scanned in part: {partial[0]}")
    out = {}
    for (rule, value), s in scan.found.items():
        if not s.match.placeholder:
            # git log lists newer commits first: a smaller order is a later listing.
            out[value] = Item(repo, s.commit.sha, s.path, s.line, (s.commit.timestamp, 0), {GOLIVE: rule})
    return out, spent


def _commits(root: Path) -> Iterator[tuple[str, int, str]]:
    """(sha, committer time, diff text) per commit of ``git log -p`` (golive's arguments);
    where git stops on a missing object, it goes on after that commit (``--skip``), as golive does."""
    seen = 0
    for _ in range(MAX_RESUMES + 1):
        skip = [f"--skip={seen}"] if seen else []
        proc = subprocess.Popen(["git", "-C", str(root), *LOG[:-2], *skip, *LOG[-2:]], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL)  # fmt: skip
        assert proc.stdout is not None
        head: tuple[str, int] | None = None
        lines: list[bytes] = []
        for raw in proc.stdout:
            if raw.startswith(b"\x01"):
                if head is not None:
                    yield head[0], head[1], b"".join(lines).decode("utf-8", "replace")
                fields = raw[1:].decode("utf-8", "replace").split("\x00")
                head, lines = (fields[0], int(fields[1] or 0)), []
                seen += 1
            else:
                lines.append(raw)
        if head is not None:
            yield head[0], head[1], b"".join(lines).decode("utf-8", "replace")
        if proc.wait() == 0 or head is None:
            return


def detect_secrets_values(repo: str, root: Path) -> tuple[dict[str, Item], float]:
    """{value: item} detect-secrets reports on the added lines of each commit, and the CPU seconds."""
    start = cpu()
    out: dict[str, Item] = {}
    with default_settings():
        # a file of the history need not exist in the work tree: only this filter asks
        get_settings().disable_filters("detect_secrets.filters.common.is_invalid_file")
        for order, (sha, when, diff) in enumerate(_commits(root)):
            if "\n+" not in diff:
                continue
            found = SecretsCollection()
            try:
                found.scan_diff(diff)
            except Exception as exc:  # unidiff refuses a few odd diffs (mode-only, binary)
                print(f"  {repo}: detect-secrets could not read commit {sha[:10]}: {type(exc).__name__}")
                continue
            for path, secrets in found.data.items():
                for s in secrets:
                    if s.secret_value is None:
                        continue
                    # the first added: earliest commit time; on a tie the one git lists last (older)
                    item = Item(repo, sha, path, s.line_number, (when, -order), {DS: s.type})
                    seen = out.get(s.secret_value)
                    if seen is None or item.when <= seen.when:
                        out[s.secret_value] = item
    return out, cpu() - start


def union(golive: dict[str, Item], ds: dict[str, Item]) -> list[Item]:
    """Items of both tools, one per location: a value both report sits where it was first added."""
    by_key: dict[tuple[str, str, str, int], Item] = {}
    # a private key: detect-secrets reports its BEGIN line, golive the body on the next one
    begins = {x.key: x for x in ds.values() if x.tools[DS] == "Private Key"}
    for x in golive.values():
        begin = begins.get((x.repo, x.commit, x.path, x.line - 1))
        if x.tools[GOLIVE] == "private-key" and begin is not None:
            x.line, x.when = begin.line, begin.when
    for value in golive.keys() | ds.keys():
        found = [x for x in (golive.get(value), ds.get(value)) if x is not None]
        first = min(found, key=lambda x: x.when)
        item = by_key.setdefault(
            first.key, Item(first.repo, first.commit, first.path, first.line, first.when)
        )
        for x in found:
            item.tools.update(x.tools)
    return sorted(by_key.values(), key=lambda x: x.key)


def load_labels(path: Path) -> tuple[dict[tuple[str, str, str, int], dict], list[dict]]:
    """The reviewer's labels: {(repo, commit, path, line): label}, and the labels given to
    every item under a path prefix whose only reporter is one detector (``[[pattern]]``)."""
    if not path.exists():
        return {}, []
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    exact = {(x["repo"], x["commit"], x["path"], int(x["line"])): x for x in data.get("label", [])}
    return exact, data.get("pattern", [])


def label_of(item: Item, exact: dict[tuple[str, str, str, int], dict], patterns: list[dict]) -> dict | None:
    """The label of ``item``: its own, else the first pattern that covers it."""
    if item.key in exact:
        return exact[item.key]
    for p in patterns:
        if (
            item.repo == p["repo"]
            and item.path.startswith(p["path_prefix"])
            and item.tools == {DS: p["detector"]}
        ):
            return p
    return None


def sample(items: list[Item], size: int, seed: int) -> tuple[list[Item], dict[str, float]]:
    """Every item golive reports, plus items only detect-secrets reports drawn at random
    (seeded) up to ``size``; and the sampling fraction of each stratum."""
    with_golive = [x for x in items if GOLIVE in x.tools]
    ds_only = [x for x in items if GOLIVE not in x.tools]
    drawn = random.Random(seed).sample(ds_only, min(len(ds_only), max(size - len(with_golive), 0)))
    fraction = {"golive": 1.0, "ds_only": len(drawn) / len(ds_only) if ds_only else 1.0}
    return with_golive + drawn, fraction


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", nargs="+", default=list(REPOS))
    parser.add_argument("--corpus-cache", type=Path, default=Path("/work/corpus-cache"))
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--sample", type=int, default=120)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--unlabelled", action="store_true", help="list sampled items without a label")
    args = parser.parse_args()
    items: list[Item] = []
    spent = {GOLIVE: 0.0, DS: 0.0}
    for repo in args.repos:
        root = args.corpus_cache / repo / "src"
        commits = subprocess.run(["git", "-C", str(root), "rev-list", "--all", "--count"],
                                 capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
        g, g_cpu = golive_values(repo, root)
        d, d_cpu = detect_secrets_values(repo, root)
        spent[GOLIVE] += g_cpu
        spent[DS] += d_cpu
        print(f"{repo}: {commits} commits; golive {len(g)} values ({g_cpu:.1f} s CPU), "
              f"detect-secrets {len(d)} values ({d_cpu:.1f} s CPU)")  # fmt: skip
        items += union(g, d)
    exact, patterns = load_labels(args.labels)
    chosen, fraction = sample(items, args.sample, args.seed)
    labels = {x.key: label for x in chosen if (label := label_of(x, exact, patterns)) is not None}
    missing = [x for x in chosen if x.key not in labels]
    if args.unlabelled:
        for x in missing:
            tools = ", ".join(f"{t}: {r}" for t, r in sorted(x.tools.items()))
            print(f"UNLABELLED {x.repo} {x.commit} {x.path}:{x.line}  [{tools}]")
    labelled = [x for x in chosen if x.key in labels]
    print(
        f"\npooled sample: {len(chosen)} of {len(items)} items (seed {args.seed}); {len(labelled)} labelled"
    )
    truth = {x.key: bool(labels[x.key]["secret"]) for x in labelled}
    true_items = [x for x in labelled if truth[x.key]]

    def weight(x: Item) -> float:
        return 1.0 / (fraction["golive"] if GOLIVE in x.tools else fraction["ds_only"])

    print(f"{'tool':<16}{'values':>8}{'sampled':>9}{'secrets':>9}{'precision':>11}{'recall':>8}{'CPU s':>8}")
    for tool in (GOLIVE, DS):
        reported = [x for x in items if tool in x.tools]
        mine = [x for x in labelled if tool in x.tools]
        hits = [x for x in mine if truth[x.key]]
        precision = sum(weight(x) for x in hits) / sum(weight(x) for x in mine) if mine else float("nan")
        found = sum(weight(x) for x in true_items if tool in x.tools)
        recall = found / sum(weight(x) for x in true_items) if true_items else float("nan")
        print(f"{tool:<16}{len(reported):>8}{len(mine):>9}{len(hits):>9}{precision:>11.3f}{recall:>8.2f}"
              f"{spent[tool]:>8.1f}")  # fmt: skip
    false = {t: len([x for x in labelled if t in x.tools and not truth[x.key]]) for t in (GOLIVE, DS)}
    print(f"labelled secrets in the sample: {len(true_items)}; false alarms in the sample:", end=" ")
    print(f"golive {false[GOLIVE]}, detect-secrets {false[DS]}")
    if missing:
        print(f"{len(missing)} sampled items have no label (--unlabelled lists them)")
        sys.exit(1)


if __name__ == "__main__":
    main()
