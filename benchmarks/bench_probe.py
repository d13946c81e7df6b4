"""golive probe against djcheckup on the same local site, and golive probe on 200 local sites.

1. Starts the careless test deployment (Django under gunicorn behind nginx, on loopback;
   tests/fixtures/live/live_deploy.py) and runs ``golive probe URL`` and ``djcheckup URL``
   on the same https URL (the deployment's CA trusted by both), alternately, ``--runs``
   times each: the median wall time of
   each, their ratio, and how many checks each ran (golive: check ids with a finding
   that passed or failed; djcheckup: results that were not skipped). Targets (issue 4):
   ratio ≤ 0.5 with at least 3 × the checks. Also the floor: the median time to start
   Python and import golive's prescribed libraries, doing nothing else.
2. Starts one nginx serving a small static site on loopback (http and https) and probes
   200 host names pointed at it with --resolve, in one ``golive probe`` run: the wall
   time. Target: ≤ 20 s.

Screenshots are off in both (djcheckup takes none); everything is started and stopped
here, on 127.0.0.1 only.

    python benchmarks/bench_probe.py [--runs 7] [--sites 200] [--djcheckup PATH]

djcheckup comes from PyPI; it pins its own typer/pydantic, so install it into a
separate virtualenv: ``python -m venv /tmp/djcheckup-venv &&
/tmp/djcheckup-venv/bin/pip install djcheckup``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "fixtures" / "live"))

import live_deploy  # noqa: E402

STATIC_SERVER = """
    server {{
        listen 127.0.0.1:{http_port};
        listen 127.0.0.1:{https_port} ssl;
        server_name _;
        root {root};
        location / {{ try_files $uri $uri/ =404; }}
    }}
"""


#: What any run of ``golive probe`` must pay before probing: the interpreter and the
#: libraries the guide prescribes (Click, Rich, httpx; cryptography reads certificates).
FLOOR = [sys.executable, "-c", "import click, rich.console, httpx, cryptography.x509"]


def timed(cmd: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Wall time of one run of ``cmd`` (seconds) and its result."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False, timeout=600)
    return time.perf_counter() - start, proc


def golive_checks(report: Path) -> int:
    """Checks golive ran: check ids with a finding that passed or failed."""
    data = json.loads(report.read_text(encoding="utf-8"))
    return len({f["id"] for f in data["findings"] if f["status"] in ("pass", "fail")})


def djcheckup_checks(stdout: str) -> int:
    """Checks djcheckup ran: results that were not skipped."""
    data = json.loads(stdout)
    return sum(1 for r in data["check_results"] if r["result"] != "skipped")


def compare(djcheckup: str, runs: int, tmp: Path) -> None:
    deployment = live_deploy.start("careless", tmp / "careless")
    try:
        # https, with the deployment's own CA trusted by both (its certificate names 127.0.0.1)
        url = f"https://127.0.0.1:{deployment.https_port}/"
        report = tmp / "golive.json"
        golive = [sys.executable, "-m", "golive.cli", "probe", url, "--cacert", str(deployment.cert),
                  "--no-screenshots", "-q", "-o", str(report)]  # fmt: skip
        peer = [djcheckup, "--output-json", url]
        os.environ["REQUESTS_CA_BUNDLE"] = str(deployment.cert)  # djcheckup uses requests
        for cmd in (golive, peer):  # warm caches once
            timed(cmd, tmp)
        g_times, d_times, floor_times = [], [], []
        g_checks = d_checks = 0
        for _ in range(runs):
            t, _proc = timed(FLOOR, tmp)
            floor_times.append(t)
            t, _proc = timed(golive, tmp)
            g_times.append(t)
            g_checks = golive_checks(report)
            t, proc = timed(peer, tmp)
            d_times.append(t)
            d_checks = djcheckup_checks(proc.stdout)
    finally:
        deployment.stop()
    g, d, floor = (statistics.median(x) for x in (g_times, d_times, floor_times))
    print(f"same site: {url} (Django/gunicorn behind nginx, careless variant)")
    print(f"golive probe: median {g:.3f} s over {runs} runs, {g_checks} checks ran")
    print(f"djcheckup:    median {d:.3f} s over {runs} runs, {d_checks} checks ran")
    print(
        f"ratio golive / djcheckup: {g / d:.2f} (target <= 0.5);"
        f" checks {g_checks / max(1, d_checks):.1f}x (target >= 3)"
    )
    print(
        f"floor: starting Python and importing click, rich, httpx and cryptography alone takes"
        f" {floor:.3f} s, {floor / d:.2f} of djcheckup's time"
    )


def many(sites: int, tmp: Path) -> None:
    root = tmp / "www"
    root.mkdir()
    (root / "index.html").write_text("<!doctype html><title>Shop</title><h1>Shop</h1>", encoding="utf-8")
    http_port, https_port = live_deploy.free_port(), live_deploy.free_port()
    cert, key = live_deploy.make_cert(tmp / "tls", host="site.test")
    conf_dir = tmp / "nginx"
    conf_dir.mkdir()
    servers = STATIC_SERVER.format(http_port=http_port, https_port=https_port, root=root)
    user = "user root;" if os.geteuid() == 0 else ""
    conf = live_deploy.NGINX_HEAD.format(user=user, tmp=conf_dir, cert=cert, key=key, servers=servers)
    conf = conf.replace("worker_processes 1;", "worker_processes 2;")
    (conf_dir / "nginx.conf").write_text(conf, encoding="utf-8")
    nginx = subprocess.Popen(
        [live_deploy.NGINX, "-p", str(conf_dir), "-c", str(conf_dir / "nginx.conf"),
         "-e", str(conf_dir / "e.log"),
         "-g", "daemon off;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    deployment = live_deploy.Deployment(
        variant="static", project=root, http_port=http_port, https_port=https_port, cert=cert, procs=[nginx]
    )
    try:
        live_deploy.wait_port(https_port, nginx)
        hosts = [f"site{i:03d}.test" for i in range(1, sites + 1)]
        urls_file = tmp / "urls.txt"
        urls_file.write_text("".join(f"https://{h}:{https_port}/\n" for h in hosts), encoding="utf-8")
        cmd = [sys.executable, "-m", "golive.cli", "probe", "--urls-file", str(urls_file), "--insecure",
               "--no-screenshots", "--concurrency", "64",
               "-o", str(tmp / "many" / "report.json")]  # fmt: skip
        for h in hosts:
            cmd += ["--resolve", f"{h}:{https_port}:127.0.0.1"]
        wall, proc = timed(cmd, tmp)
    finally:
        deployment.stop()
    combined = json.loads((tmp / "many" / "report-all.json").read_text(encoding="utf-8"))
    probed = len(combined["sites"])
    errored = sum(1 for s in combined["sites"] if s["report"]["incomplete"])
    print(f"{probed} local sites probed in one run: {wall:.1f} s wall (target <= 20 s);"
          f" exit {proc.returncode};"
          f" {errored} incomplete")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument(
        "--djcheckup",
        default=shutil.which("djcheckup") or "/tmp/djcheckup-venv/bin/djcheckup",
        help="djcheckup CLI",
    )
    args = parser.parse_args()
    # djcheckup's modules were byte-compiled by pip; compile golive's alike (an editable
    # install is not, and PYTHONDONTWRITEBYTECODE may be set), so both start warm.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "golive")], check=False)
    with tempfile.TemporaryDirectory(prefix="golive-bench-probe-") as tmp:
        if Path(args.djcheckup).exists():
            compare(args.djcheckup, args.runs, Path(tmp))
        else:
            print(f"djcheckup not found at {args.djcheckup}: see this script's docstring; comparison skipped")
        many(args.sites, Path(tmp))


if __name__ == "__main__":
    main()
