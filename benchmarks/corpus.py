"""Run golive on the real-project corpus and score it against the verdict tables.

    GOLIVE_CORPUS_CACHE=/work/corpus-cache .venv/bin/python benchmarks/corpus.py --fast

For each project of benchmarks/corpus/ (see its README): set it up from its snapshot (cached),
start the services its table lists, write its env file (``@random`` made fresh secrets), run
golive on it as a new user first would, time ``manage.py check --deploy``, then score the report
(benchmarks/corpus_score.py) and look for the secrets in everything golive wrote. golive never
runs on a project whose verdicts.toml is not committed: the table must come first.
Not part of CI (the projects are not in the repository); the scoring is (tests/test_corpus_scoring.py).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus_score
from corpus_render import render_markdown, totals
from corpus_services import ServiceError, Services, pg_targets

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "benchmarks" / "corpus"
MIRROR = Path(os.environ.get("GOLIVE_CORPUS_MIRROR", "/work/.mirror"))
FORMATS = ("json", "md", "html", "sarif", "xml")
STAMP = ".corpus-setup.json"
RANDOM = re.compile(r"@random(?![A-Za-z0-9_])")
ENV_KEY = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=")
SKIP_DIRS = {".git", "node_modules", "venv", ".venv", "site-packages", "__pycache__", ".golive"}


def log(message: str) -> None:
    print(f"[corpus] {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True, kw_only=True)
class Project:
    name: str
    folder: Path  # benchmarks/corpus/<name>
    table: dict[str, Any]
    dest: Path  # the cache: DEST/src, DEST/venv, DEST/run

    @property
    def meta(self) -> dict[str, Any]:
        return self.table.get("project", {})

    @property
    def src(self) -> Path:
        return self.dest / "src"

    @property
    def audited(self) -> Path:
        """The folder golive audits: [project] audited, relative to the repository root (DEST/src),
        default the root; ``../site`` reaches a folder the set-up made next to it (DEST/site)."""
        given = str(self.meta.get("audited", "") or "").strip()
        return Path(os.path.normpath(self.src / given)) if given else self.src

    @property
    def prefix(self) -> str:
        """The audited folder relative to the repository root, "" when it is the root or outside it
        (then the table's paths are relative to the audited folder)."""
        try:
            relative = self.audited.relative_to(self.src)
        except ValueError:
            return ""
        return "" if str(relative) == "." else relative.as_posix()

    @property
    def run_dir(self) -> Path:
        return self.dest / "run"

    @property
    def runtime(self) -> bool:
        return bool(self.meta.get("runtime", True))

    @property
    def python(self) -> Path:
        return self.dest / "venv" / "bin" / "python"

    @property
    def snapshot(self) -> Path:
        return MIRROR / str(self.meta.get("repo", "")).replace("/", "+") / "repo"


def load_projects(corpus: Path, cache: Path, names: list[str]) -> list[Project]:
    projects = []
    for table_path in sorted(corpus.glob("*/verdicts.toml")):
        name = table_path.parent.name
        if names and name not in names:
            continue
        with table_path.open("rb") as fh:
            table = tomllib.load(fh)
        projects.append(Project(name=name, folder=table_path.parent, table=table, dest=cache / name))
    unknown = sorted(set(names) - {p.name for p in projects})
    if unknown:
        raise SystemExit(f"corpus: no verdicts.toml for {', '.join(unknown)} in {corpus}")
    return projects


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, text=True, check=False)


def uncommitted(path: Path) -> str | None:
    """Why ``path`` does not count as committed (tracked, and the same as HEAD), or None."""
    if _git(path.parent, "ls-files", "--error-unmatch", "--", path.name).returncode != 0:
        return f"{path.name} is not committed"
    if _git(path.parent, "diff", "--quiet", "HEAD", "--", path.name).returncode != 0:
        return f"{path.name} has changes not committed"
    return None


# -- set-up ---------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ensure_setup(project: Project, timeout: float) -> str | None:
    """Run setup.sh unless the stamp says this very script set DEST up; an error line or None."""
    script = project.folder / "setup.sh"
    if not script.exists():
        return "no setup.sh"
    stamp = project.dest / STAMP
    digest = _sha256(script)
    try:
        ready = json.loads(stamp.read_text())["setup_sha256"] == digest
    except (OSError, ValueError, KeyError, TypeError):
        ready = False
    if ready and project.src.is_dir() and (project.python.exists() or not project.runtime):
        return None
    if not project.snapshot.exists():
        return f"no snapshot at {project.snapshot} (fetch {project.meta.get('repo')} first)"
    project.dest.mkdir(parents=True, exist_ok=True)
    log(f"{project.name}: setting up (setup.sh, log in {project.dest / 'setup.log'})")
    with open(project.dest / "setup.log", "wb") as out:
        code = _run(
            ["bash", str(script), str(project.snapshot), str(project.dest)], project.folder, out, out, timeout
        )
    if code != 0:
        tail = [
            ln for ln in (project.dest / "setup.log").read_text(errors="replace").splitlines() if ln.strip()
        ]
        return f"setup.sh failed ({'timeout' if code is None else code}): {tail[-1][:200] if tail else ''}"
    stamp.write_text(
        json.dumps({"setup_sha256": digest, "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
    )
    return None


def _run(
    argv: list[str], cwd: Path, out: Any, err: Any, timeout: float, env: dict[str, str] | None = None
) -> int | None:
    """Run in its own process group; its exit status, or None on timeout (the group is killed)."""
    proc = subprocess.Popen(
        argv, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env, start_new_session=True
    )
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        return None
    except BaseException:  # Ctrl-C: take the child's whole group down with us
        _kill_group(proc)
        raise


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=10)
            return
        except subprocess.TimeoutExpired:
            continue


# -- env file -------------------------------------------------------------------------------------


def write_env(project: Project) -> tuple[Path | None, dict[str, str], dict[str, str]]:
    """DEST/run/audit.env from audit.env with each ``@random`` a fresh secret: (path, secrets by
    variable name, all values). The file is the only place the secrets are written."""
    template = project.folder / "audit.env"
    if not template.exists():
        return None, {}, {}
    generated: dict[str, str] = {}
    lines = []
    for line in template.read_text().splitlines():
        key = ENV_KEY.match(line)
        name = key.group(1) if key else "?"

        def fresh(_: re.Match[str], name: str = name) -> str:
            # 64 URL-safe characters: as strong as a real deployment's secrets, so Django's own
            # security.W009 (SECRET_KEY under 50 characters) is not provoked by the corpus itself
            value = secrets.token_urlsafe(48)
            label, n = name, 1
            while label in generated:
                n += 1
                label = f"{name}#{n}"
            generated[label] = value
            return value

        lines.append(RANDOM.sub(fresh, line))
    path = project.run_dir / "audit.env"
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    from dotenv import dotenv_values  # golive's own parser of --env-file

    values = {k: v or "" for k, v in dotenv_values(path, interpolate=False).items()}
    return path, generated, values


# -- the runs -------------------------------------------------------------------------------------


def golive_argv(project: Project, golive: str, env_file: Path | None, since: str | None) -> list[str]:
    argv = [golive, "audit", str(project.audited)]
    if project.python.exists():
        argv += ["--python", str(project.python)]
    if env_file:
        argv += ["--env-file", str(env_file)]
    argv.append("-v")
    for fmt in FORMATS:
        argv += ["-o", str(project.run_dir / f"report.{fmt}")]
    if not project.runtime:
        argv.append("--no-runtime")
    if since:
        argv += ["--since", since]
    return argv


def run_golive(project: Project, argv: list[str], timeout: float) -> dict[str, Any]:
    shutil.rmtree(project.audited / ".golive", ignore_errors=True)  # a first run: no history yet
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    scope = f"--since {argv[argv.index('--since') + 1]}" if "--since" in argv else "all history"
    log(f"{project.name}: golive audit ({scope})")
    start = time.monotonic()
    with (
        open(project.run_dir / "golive.stdout", "wb") as out,
        open(project.run_dir / "golive.stderr", "wb") as err,
    ):
        code = _run(argv, project.src, out, err, timeout, env)
    return {"exit": code, "timeout": code is None, "wall": round(time.monotonic() - start, 2)}


def find_manage_py(project: Project) -> Path | None:
    if project.meta.get("manage_py"):
        given = project.src / str(project.meta["manage_py"])
        return given if given.exists() else None
    for base in dict.fromkeys([project.audited, project.src]):
        level = [base]
        for _depth in range(4):
            hits = sorted(d / "manage.py" for d in level if (d / "manage.py").is_file())
            if hits:
                return hits[0]
            level = sorted(
                c
                for d in level
                for c in d.iterdir()
                if c.is_dir() and c.name not in SKIP_DIRS and not c.is_symlink()
            )
    return None


def run_check_deploy(project: Project, values: dict[str, str], timeout: float) -> dict[str, Any]:
    manage = find_manage_py(project)
    if manage is None:
        return {"exit": None, "wall": None, "note": "no manage.py found"}
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(values)
    if project.meta.get("settings"):
        env["DJANGO_SETTINGS_MODULE"] = str(project.meta["settings"])
    start = time.monotonic()
    with open(project.run_dir / "check-deploy.out", "wb") as out:
        code = _run(
            [str(project.python), "manage.py", "check", "--deploy"], manage.parent, out, out, timeout, env
        )
    wall = round(time.monotonic() - start, 2)
    return {"exit": code, "wall": wall, "manage_py": os.path.relpath(manage, project.src)}


def golive_outputs(project: Project) -> list[tuple[str, bytes]]:
    """Everything golive wrote: stdout, stderr, the reports, and the history folder(s)."""
    files = [project.run_dir / n for n in ("golive.stdout", "golive.stderr")]
    files += [project.run_dir / f"report.{fmt}" for fmt in FORMATS]
    for base in dict.fromkeys([project.audited, project.src]):
        if (base / ".golive").is_dir():
            files += sorted(p for p in (base / ".golive").rglob("*") if p.is_file())
    outputs = []
    for path in files:
        if path.is_file():
            where = os.path.relpath(path, project.dest)
            outputs.append((where, path.read_bytes()))
    return outputs


def run_project(project: Project, args: argparse.Namespace, services: Services) -> dict[str, Any]:
    """Set up, run and record one project; the facts go to DEST/run/run.json (no secret in it)."""
    reason = uncommitted(project.folder / "verdicts.toml")
    if reason:
        return {"status": "refused", "detail": f"{reason}: commit the table before golive's first run"}
    error = ensure_setup(project, args.setup_timeout)
    if error:
        return {"status": "setup failed", "detail": error}
    shutil.rmtree(project.run_dir, ignore_errors=True)
    project.run_dir.mkdir(parents=True)
    env_file, generated, values = write_env(project)
    detail = []
    try:
        for name in project.meta.get("services") or ():
            services.ensure(str(name))
        if "postgresql" in (project.meta.get("services") or ()):
            detail += services.prepare_databases(pg_targets(values))
    except ServiceError as exc:
        detail.append(str(exc))
    since = args.since or ("2 years ago" if args.fast else None)
    argv = golive_argv(project, args.golive, env_file, since)
    facts: dict[str, Any] = {
        "status": "ran",
        "detail": "; ".join(detail),
        "mode": "fast" if since else "full",
    }
    facts["command"] = argv
    facts["golive"] = run_golive(project, argv, args.timeout)
    if project.runtime and project.python.exists():
        facts["check_deploy"] = run_check_deploy(project, values, args.check_timeout)
    facts["leaks"] = [asdict(leak) for leak in corpus_score.find_leaks(generated, golive_outputs(project))]
    facts["secrets"] = sorted(generated)  # the names only
    (project.run_dir / "run.json").write_text(json.dumps(facts, indent=2))
    return facts


def score_project(project: Project, facts: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {"project": project.name, **facts}
    result["table_warnings"] = corpus_score.validate_table(project.table)
    report_path = project.run_dir / "report.json"
    if facts.get("status") != "ran":
        return result
    if not report_path.exists():
        result["status"] = "no report"
        return result
    report = json.loads(report_path.read_text())
    card = corpus_score.score(report, project.table, prefix=project.prefix)
    result["problems"], result["found"], result["partial"] = card.problems, card.found, card.partial
    result["rows"] = [asdict(r) for r in card.rows]
    result["false_alarms"] = [asdict(a) for a in card.false_alarms]
    result["golive_version"] = report.get("golive_version")
    result["settings_audited"] = (report.get("settings") or {}).get("module")
    history = report.get("history") or {}
    result["grade"], result["score"] = history.get("grade"), history.get("score")
    result["report_exit"] = report.get("exit_status")
    seen = corpus_score.files_seen(report, project.meta.get("deployment_files") or [], prefix=project.prefix)
    result["files_read"] = {path: state == "read" for path, state in seen.items()}
    result["files_discovered"] = {path: bool(state) for path, state in seen.items()}
    result["layers"] = corpus_score.layer_counts(result["rows"])
    commit = (report.get("git") or {}).get("commit")
    if commit and project.meta.get("commit") and commit != project.meta["commit"]:
        result["table_warnings"].append(
            f"audited commit {commit[:12]} is not the table's {str(project.meta['commit'])[:12]}"
        )
    check = facts.get("check_deploy") or {}
    if check.get("note") or check.get("exit"):
        result["check_note"] = check.get("note") or f"exit status {check['exit']} (see run/check-deploy.out)"
    elif check and check.get("exit") is None:
        result["check_note"] = "timed out"
    golive_wall = (facts.get("golive") or {}).get("wall")
    if check.get("wall") and golive_wall:
        result["ratio"] = round(golive_wall / check["wall"], 1)
    return result


# -- CLI ------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    default_cache = os.environ.get("GOLIVE_CORPUS_CACHE") or str(Path.home() / ".cache" / "golive-corpus")
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--project", action="append", default=[], help="only this project (repeat)")
    p.add_argument("--fast", action="store_true", help="scan git history of the last 2 years only (--since)")
    p.add_argument("--since", help="golive --since value (overrides --fast's)")
    p.add_argument(
        "--rescore", action="store_true", help="re-score the last run's reports; do not run golive"
    )
    p.add_argument("--golive", default=str(Path(sys.executable).parent / "golive"), help="golive executable")
    p.add_argument("--cache", default=default_cache, help="set-ups and runs (default $GOLIVE_CORPUS_CACHE)")
    p.add_argument("--corpus", default=str(CORPUS), help="folder of the verdict tables")
    p.add_argument("--timeout", type=float, default=900, help="seconds golive may take per project")
    p.add_argument("--check-timeout", type=float, default=300, help="seconds for manage.py check --deploy")
    p.add_argument("--setup-timeout", type=float, default=3600, help="seconds for one setup.sh")
    p.add_argument("--json", help="write the results as JSON here")
    p.add_argument("--markdown", help="write the results as Markdown here")
    return p.parse_args(argv)


def _sigterm(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cache = Path(args.cache).resolve()
    projects = load_projects(Path(args.corpus).resolve(), cache, args.project)
    services = Services(cache / "_services", log)
    signal.signal(signal.SIGTERM, _sigterm)
    results = []
    try:
        for project in projects:
            if args.rescore:
                try:
                    facts = json.loads((project.run_dir / "run.json").read_text())
                except (OSError, ValueError):
                    facts = {"status": "not run", "detail": "no saved run to re-score"}
            else:
                facts = run_project(project, args, services)
            results.append(score_project(project, facts))
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        services.stop()
    total = totals(results)
    markdown = render_markdown(results, total)
    if args.json:
        Path(args.json).write_text(json.dumps({"projects": results, "totals": total}, indent=2, default=str))
    if args.markdown:
        Path(args.markdown).write_text(markdown)
    print(markdown)
    return 1 if total["leaks"] else 0


if __name__ == "__main__":
    sys.exit(main())
