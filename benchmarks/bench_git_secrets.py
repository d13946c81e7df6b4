"""golive's git history secret scan against detect-secrets over the same history, one run.

Builds a repository of a few thousand commits (default 3,000) with ``git fast-import``:
real source files (Django's own, from the installed package) added one by one and then
edited a few lines at a time, by several authors over two years, with a fake credential
added now and then. Then, alternately and several times each:

* golive: the git collector's history scan (one ``git log -p --all --unified=0`` stream,
  the HEAD check and the committed-files check), in a fresh interpreter;
* detect-secrets (https://github.com/Yelp/detect-secrets), which has no history mode of its
  own: the same ``git log -p --all --unified=0`` written to a file, then
  ``detect-secrets scan`` of that file (its documented way to scan arbitrary text).

Prints the median wall and CPU time of each, golive's commits per second, and the ratios.
Target (issue 5): golive ≥ 1,000 commits/s. golive's git and Python processes run side by
side, so on a busy machine (other test suites on the same two cores) its wall time grows
more than its CPU time: the CPU figure is the one that does not depend on the load.

``--stage`` compares golive's history stage with the bare ``git log -p --all`` it streams
(issue 11, item 8: target wall ≤ 2 ×, CPU ≤ 3 ×), alternately: the bare ``git log`` with
golive's own arguments read to its end (wall, and git's CPU), then
:func:`golive.collectors.git.scan_history` over the whole history in a fresh interpreter
(wall and CPU of that interpreter and its git, as it measures them itself). Then one more
golive run under cProfile (CPU time) says where golive's time goes. A snapshot whose
history misses objects (a ``git log`` that stops with "unable to read") can be measured
with ``--complete``: a shared clone in the temporary folder where each missing object is
replaced (``git replace``) by a one-line blob, so that ``git log`` runs through.

    python benchmarks/bench_git_secrets.py [--commits 3000] [--runs 3] [--repo DIR]
    python benchmarks/bench_git_secrets.py --stage --repo DIR [--complete] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

AUTHORS = [("Ann Dev", "ann@example.com"), ("Bob Ops", "bob@example.com"), ("Chen Li", "chen@example.com")]
LOG = ["log", "-p", "--all", "--no-color", "--unified=0", "--no-renames", "--no-ext-diff", "--no-textconv"]
GOLIVE = """
import sys, json
from pathlib import Path
from golive.collectors.git import find_in_head, scan_history, since_args, tracked_files
root = Path(sys.argv[1])
scan, partial = scan_history(root, since_args(root, None))
hits, _ = find_in_head(root, [s for s in scan.found.values() if not s.match.placeholder])
files, _ = tracked_files(root)
print(json.dumps({"commits": scan.commits, "secrets": len(scan.found), "in_head": len(hits)}))
"""


STAGE = """
import json, resource, sys, time
from pathlib import Path
from golive.collectors.git import scan_history, since_args
root = Path(sys.argv[1])
start = time.perf_counter()
scan, partial = scan_history(root, since_args(root, None), time_limit=1e6)
wall = time.perf_counter() - start
own, git = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
cpu = own.ru_utime + own.ru_stime + git.ru_utime + git.ru_stime
print(json.dumps({"wall": wall, "cpu": cpu, "git_cpu": git.ru_utime + git.ru_stime,
                  "commits": scan.commits, "secrets": len(scan.found), "partial": partial}))
"""
PROFILE = """
import cProfile, pstats, sys, time
from pathlib import Path
from golive.collectors.git import scan_history, since_args
root = Path(sys.argv[1])
profile = cProfile.Profile(time.process_time)
profile.runcall(scan_history, root, since_args(root, None), time_limit=1e6)
pstats.Stats(profile, stream=sys.stdout).sort_stats("tottime").print_stats(int(sys.argv[2]))
"""


def source_files() -> list[tuple[str, bytes]]:
    """Real text files to commit: Django's package sources (path, content)."""
    import django

    base = Path(django.__file__).parent
    out = []
    for path in sorted(base.rglob("*")):
        if path.suffix in (".py", ".html", ".txt", ".js", ".css") and path.is_file():
            data = path.read_bytes()
            if b"\x00" not in data and len(data) < 200_000:
                out.append((f"src/{path.relative_to(base)}", data))
    return out


def fake_secret(rng: random.Random) -> str:
    alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    kind = rng.randrange(4)
    body = "".join(rng.choice(alnum) for _ in range(24))
    if kind == 0:
        return f'STRIPE_SECRET_KEY = "{"sk_" + "live_" + body}"\n'
    if kind == 1:
        return f'EMAIL_HOST_PASSWORD = "{body}"\n'
    if kind == 2:
        return f'CACHE_URL = "redis://:{body}@10.0.0.7:6379/0"\n'
    return f'AWS_ACCESS_KEY_ID = "{"AK" + "IA" + body[:16].upper()}"\n'


def build(repo: Path, commits: int, seed: int = 5) -> None:
    """Create ``repo`` with ``commits`` commits through one ``git fast-import``."""
    rng = random.Random(seed)
    pool = source_files()
    rng.shuffle(pool)
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    files: dict[str, list[bytes]] = {}
    proc = subprocess.Popen(["git", "-C", str(repo), "fast-import", "--quiet"], stdin=subprocess.PIPE)
    assert proc.stdin is not None
    when = 1_600_000_000
    for i in range(1, commits + 1):
        when += rng.randrange(600, 40_000)
        name, email = rng.choice(AUTHORS)
        changes: dict[str, bytes] = {}
        if pool and (not files or rng.random() < 0.3):
            path, data = pool.pop()
            changes[path] = data
        else:
            for path in rng.sample(sorted(files), k=min(len(files), rng.randrange(1, 4))):
                lines = list(files.get(path) or [b""])
                for _ in range(rng.randrange(1, 6)):
                    at = rng.randrange(len(lines) + 1)
                    donor = rng.choice(lines) if lines else b"pass\n"
                    lines.insert(at, donor.replace(b"self", b"obj", 1))
                    if lines and rng.random() < 0.5:
                        del lines[rng.randrange(len(lines))]
                changes[path] = b"".join(lines)
        if rng.random() < 0.01:
            changes["config/settings_local.py"] = fake_secret(rng).encode()
        for path, data in changes.items():
            files[path] = data.splitlines(keepends=True)
        message = f"Change {i}\n".encode()
        out = [
            b"commit refs/heads/main\n",
            f"mark :{i}\n".encode(),
            f"author {name} <{email}> {when} +0000\n".encode(),
            f"committer {name} <{email}> {when} +0000\n".encode(),
            f"data {len(message)}\n".encode() + message,
        ]
        if i > 1:
            out.append(f"from :{i - 1}\n".encode())
        for path, data in changes.items():
            out.append(f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n")
        proc.stdin.write(b"".join(out) + b"\n")
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    subprocess.run(["git", "-C", str(repo), "reset", "-q", "--hard", "main"], check=True)


def children_cpu() -> float:
    """CPU seconds used so far by finished child processes (user + system)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_golive(repo: Path) -> tuple[float, float, str]:
    """(wall s, CPU s of every process involved, summary)."""
    cpu, start = children_cpu(), time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", GOLIVE, str(repo)], capture_output=True, text=True, check=True
    )
    return time.perf_counter() - start, children_cpu() - cpu, proc.stdout.strip()


def golive_log_args(repo: Path) -> list[str]:
    """The ``git log`` golive's history stage runs on ``repo`` (full history, every ref)."""
    from golive.collectors.git.history import LOG_FORMAT

    return [
        "git", "-C", str(repo), "-c", "core.quotePath=false", "log", "-p", "--no-color", "--unified=0",
        "--no-renames", "--no-ext-diff", "--no-textconv", f"--format={LOG_FORMAT}", "--all", "--",
    ]  # fmt: skip


def run_bare(repo: Path) -> tuple[float, float, int]:
    """The bare ``git log`` read to its end: (wall s, git's CPU s, bytes)."""
    cpu, start, size = children_cpu(), time.perf_counter(), 0
    proc = subprocess.Popen(golive_log_args(repo), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    while chunk := proc.stdout.read(1 << 20):
        size += len(chunk)
    _, err = proc.communicate()
    if proc.returncode:
        raise SystemExit(f"git log failed ({err.decode(errors='replace').strip()}): try --complete")
    return time.perf_counter() - start, children_cpu() - cpu, size


def run_stage(repo: Path) -> dict:
    """golive's history stage in a fresh interpreter: its own figures (wall, cpu, git_cpu, ...)."""
    proc = subprocess.run(
        [sys.executable, "-c", STAGE, str(repo)], capture_output=True, text=True, check=True
    )
    return json.loads(proc.stdout)


def complete_copy(repo: Path, tmp: Path) -> Path:
    """A shared clone of ``repo`` whose missing objects are replaced by a one-line blob each."""
    copy = tmp / "complete.git"
    subprocess.run(["git", "clone", "-q", "--mirror", "--shared", str(repo), str(copy)], check=True)
    listing = subprocess.run(
        ["git", "-C", str(copy), "rev-list", "--all", "--objects", "--missing=print"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    missing = [line[1:] for line in listing.splitlines() if line.startswith("?")]
    blob = subprocess.run(
        ["git", "-C", str(copy), "hash-object", "-w", "--stdin"],
        input=b"content not in this snapshot\n", capture_output=True, check=True,
    ).stdout.decode().strip()  # fmt: skip
    for sha in missing:
        subprocess.run(["git", "-C", str(copy), "update-ref", f"refs/replace/{sha}", blob], check=True)
    print(f"complete copy of {repo}: {len(missing)} missing objects replaced by a placeholder blob")
    return copy


def stage(repo: Path, runs: int, top: int) -> None:
    """Print the bare git log against golive's history stage, alternately, then a profile."""
    run_bare(repo)  # warm the file system cache once
    bare, golive = [], []
    for i in range(runs):
        bare.append(run_bare(repo))
        golive.append(run_stage(repo))
        print(
            f"run {i + 1}: git log {bare[-1][0]:.1f} s wall {bare[-1][1]:.1f} s CPU;"
            f" golive {golive[-1]['wall']:.1f} s wall {golive[-1]['cpu']:.1f} s CPU"
            f" (git {golive[-1]['git_cpu']:.1f}), load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
    b_wall, b_cpu = (statistics.median(r[i] for r in bare) for i in (0, 1))
    g_wall, g_cpu, g_git = (statistics.median(r[k] for r in golive) for k in ("wall", "cpu", "git_cpu"))
    last = golive[-1]
    print(f"history: {last['commits']} commits, {bare[-1][2] / 1e6:,.0f} MB of git log -p; median of {runs}")
    print(f"bare git log -p --all: {b_wall:7.1f} s wall {b_cpu:7.1f} s CPU")
    print(f"golive history stage:  {g_wall:7.1f} s wall {g_cpu:7.1f} s CPU", end=" ")
    print(f"(its git {g_git:.1f} s, Python {g_cpu - g_git:.1f} s)")
    print(f"ratio golive / git log: {g_wall / b_wall:.2f}x wall (target <= 2),", end=" ")
    print(f"{g_cpu / b_cpu:.2f}x CPU (target <= 3)")
    print(f"golive found {last['secrets']} distinct values; partial: {last['partial'] or 'no'}")
    print("\nwhere golive's time goes (one run under cProfile, CPU time; git's CPU is not in it):")
    out = subprocess.run(
        [sys.executable, "-c", PROFILE, str(repo), str(top)], capture_output=True, text=True, check=True
    )
    print("\n".join(line for line in out.stdout.splitlines() if line.strip()))


def run_detect_secrets(repo: Path, tmp: Path) -> tuple[float, float, str]:
    """(wall s, CPU s of every process involved, summary)."""
    cpu, start = children_cpu(), time.perf_counter()
    diff = tmp / "history.diff"
    with diff.open("wb") as out:
        subprocess.run(["git", "-C", str(repo), *LOG], stdout=out, check=True)
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("detect-secrets")), "scan", str(diff)],
        cwd=tmp,
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - start
    return wall, children_cpu() - cpu, f"{proc.stdout.count('hashed_secret')} secrets reported"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--repo", type=Path, help="use (or build, if absent) the repository here")
    parser.add_argument("--stage", action="store_true", help="golive's history stage against git log")
    parser.add_argument("--complete", action="store_true", help="with --stage: replace missing objects first")
    parser.add_argument("--top", type=int, default=14, help="with --stage: functions listed by the profile")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if args.stage:
            if args.repo is None:
                raise SystemExit("--stage needs --repo")
            stage(complete_copy(args.repo, tmp) if args.complete else args.repo, args.runs, args.top)
            return
        repo = args.repo or tmp / "repo"
        if not (repo / ".git").exists():
            start = time.perf_counter()
            build(repo, args.commits)
            print(f"built {repo} ({args.commits} commits) in {time.perf_counter() - start:.1f} s")
        count = ["git", "-C", str(repo), "rev-list", "--all", "--count"]
        commits = int(subprocess.run(count, capture_output=True, text=True, check=True).stdout)
        run_golive(repo)  # warm the file system cache once
        golive_runs, ds_runs = [], []
        for _ in range(args.runs):
            *golive_run, golive_out = run_golive(repo)
            golive_runs.append(golive_run)
            *ds_run, ds_out = run_detect_secrets(repo, tmp)
            ds_runs.append(ds_run)
    g, g_cpu = (statistics.median(r[i] for r in golive_runs) for i in (0, 1))
    d, d_cpu = (statistics.median(r[i] for r in ds_runs) for i in (0, 1))
    runs = f"median of {args.runs}"
    print(f"history: {commits} commits; {runs} runs each, alternately")
    print(f"golive:         {g:6.2f} s wall, {g_cpu:6.2f} s CPU, {commits / g:,.0f} commits/s  {golive_out}")
    print(f"detect-secrets: {d:6.2f} s wall, {d_cpu:6.2f} s CPU, {commits / d:,.0f} commits/s  {ds_out}")
    print(f"ratio detect-secrets / golive: {d / g:.1f}x wall, {d_cpu / g_cpu:.1f}x CPU")
    print(f"golive per CPU second (git and Python together): {commits / g_cpu:,.0f} commits")
    print(f"target golive >= 1,000 commits/s (wall): {'met' if commits / g >= 1000 else 'NOT met'}")


if __name__ == "__main__":
    main()
