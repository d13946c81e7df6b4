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

    python benchmarks/bench_git_secrets.py [--commits 3000] [--runs 3] [--repo DIR]
"""

from __future__ import annotations

import argparse
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
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
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
