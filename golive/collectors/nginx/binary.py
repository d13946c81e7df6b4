"""Running the installed nginx's ``nginx -t`` on nginx inputs, without root: helpers of
:mod:`golive.collectors.nginx` (which documents the behaviour).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from golive.collectors.nginx.paths import resolved
from golive.collectors.nginx.test_cache import Key
from golive.facts.nginx import NginxTest
from golive.redact import PLACEHOLDER, redact_text

if TYPE_CHECKING:
    from golive.collectors.nginx.includes import IncludeResolver
    from golive.collectors.nginx.test_cache import AnswerCache


#: A token-only userinfo nginx quotes as part of an upstream's host (``host not found in
#: upstream "TOKEN@host"``). :func:`golive.redact.redact_text` hides ``user:password@host``
#: wherever it stands, but cannot tell ``TOKEN@host`` from an e-mail address in general text.
QUOTED_TOKEN = re.compile(r'"[^"\s/@:]+@(?=[^"\s@]*")')


def hide_userinfo(line: str) -> str:
    """``line`` with the token (``"***@``) of a quoted upstream hidden."""
    return QUOTED_TOKEN.sub(f'"{PLACEHOLDER}@', line)


def nginx_binary() -> str | None:
    """The installed nginx (``$PATH``, then ``/usr/sbin/nginx``), or None."""
    found = shutil.which("nginx")
    if found:
        return found
    return "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None


def nginx_test(
    conf: Path,
    *,
    fragment: bool,
    workdir: Path,
    timeout: float = 20.0,
    wrapper: str = "nginx",
    cache: AnswerCache | None = None,
) -> NginxTest:
    """Run ``nginx -t -q -c`` on ``conf`` with ``workdir`` as prefix (no root needed); with a
    ``cache``, the answer it kept for the same files (:mod:`golive.collectors.nginx.test_cache`).

    A ``fragment`` (server blocks) is wrapped in a minimal main file in ``workdir``
    (``pid``, ``error_log``, ``events {}``, ``http { include conf; }``), named ``wrapper``
    (``.conf``, ``.pid``, ``.log``: several can share ``workdir``); relative paths in it
    (certificates, includes) then resolve against ``workdir``.
    """
    binary = nginx_binary()
    if binary is None:
        return NginxTest(ran=False, output="nginx is not installed")
    target = resolved(conf)
    if fragment:
        main = workdir / f"{wrapper}.conf"
        error_log = "error.log" if wrapper == "nginx" else f"{wrapper}.log"
        main.write_text(
            f"pid {workdir}/{wrapper}.pid;\nerror_log {workdir}/{error_log};\n"
            f"events {{}}\nhttp {{\n    include {target};\n}}\n",
            encoding="utf-8",
        )
        target = main
    answer = run_test(binary, target, workdir, timeout, cache)
    if isinstance(answer, str):
        return NginxTest(ran=False, output=answer)
    return NginxTest(ran=True, ok=answer[0] == 0, output=answer[1])


def run_test(
    binary: str,
    conf: Path,
    workdir: Path,
    timeout: float,
    cache: AnswerCache | None = None,
    key: Key | None = None,
) -> tuple[int, str] | str:
    """(return code, answer) of ``binary -t -q -c conf -p workdir/``, the answer being nginx's
    first error line as golive keeps it (timestamp and process ids dropped,
    :func:`hide_userinfo`, :func:`golive.redact.redact_text`, 300 characters; empty when
    nginx accepts the file); from ``cache`` when it kept one for the same files (and kept
    there otherwise; ``key``: its key, when already made); or why nginx could not run."""
    if key is None and cache is not None:
        key = cache.key(binary, conf, workdir, workdir)
    if cache is not None and key is not None and (hit := cache.get(key)) is not None:
        return hit
    try:
        proc = subprocess.run(
            [binary, "-t", "-q", "-c", str(conf), "-p", f"{workdir}/"],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"nginx -t could not run: {exc}"
    lines = [ln for ln in proc.stderr.splitlines() if "[emerg]" in ln] or proc.stderr.splitlines() or [""]
    first = re.sub(r"^(nginx: |\d{4}/\d\d/\d\d \d\d:\d\d:\d\d )\[(\w+)\] (\d+#\d+: )?", r"[\2] ", lines[0])
    # nginx quotes the file's tokens
    output = "" if proc.returncode == 0 else redact_text(hide_userinfo(first))[:300]
    if cache is not None and key is not None:
        cache.put(key, proc.returncode, output)
    return proc.returncode, output


def nginx_test_all(
    inputs: list[tuple[Path, bool]],
    *,
    workdir: Path,
    timeout: float = 20.0,
    workers: int = 4,
    cache: AnswerCache | None = None,
) -> list[NginxTest]:
    """:func:`nginx_test` of each ``(file, is a fragment)``, with as few runs and as little
    waiting as the answers allow; ``workdir`` is shared, so it must be empty but for what
    the files' relative includes need.

    The fragments are first tested together, in one main file that includes them all
    (``http { include a; include b; ... }``), as nginx loads a site's fragments: when nginx
    accepts it, every fragment is ``ok``. When it refuses (a fragment is broken, or two
    cannot be loaded together: two default servers for one port), each fragment is tested
    alone, which gives exactly :func:`nginx_test`'s answer, as do main files, which are
    always tested alone. The runs alone go ``workers`` at a time; ``cache``: see :func:`nginx_test`;
    the fragments' answers alone are also kept together, under the key of their test together
    (:func:`_kept_alone`).
    """
    results: dict[int, NginxTest] = {}
    fragments = [i for i, (_, fragment) in enumerate(inputs) if fragment]
    group = None  # the key of the fragments' answers alone, kept together (see _kept_alone)
    if len(fragments) > 1:
        together, group = _test_together(
            [inputs[i][0] for i in fragments], workdir, timeout, cache, fragments
        )
        if together:
            results.update((i, NginxTest(ran=True, ok=True)) for i in fragments)
        elif (
            cache is not None
            and group is not None
            and (kept := _kept_alone(cache, group, len(fragments))) is not None
        ):
            results.update(zip(fragments, kept, strict=True))
            group = None
    alone = [i for i in range(len(inputs)) if i not in results]

    def one(i: int) -> NginxTest:
        path, fragment = inputs[i]
        return nginx_test(
            path, fragment=fragment, workdir=workdir, timeout=timeout, wrapper=f"nginx-{i}", cache=cache
        )

    if len(alone) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="golive-nginx-t") as pool:
            results.update(zip(alone, pool.map(one, alone), strict=True))
    else:
        results.update((i, one(i)) for i in alone)
    answers = [results[i] for i in fragments]
    if cache is not None and group is not None and fragments and all(t.ran for t in answers):
        cache.put(group, 0, json.dumps([[t.ok, t.output] for t in answers]))
    return [results[i] for i in range(len(inputs))]


def _kept_alone(cache: AnswerCache, group: Key, count: int) -> list[NginxTest] | None:
    """The ``count`` fragments' answers alone, kept by :func:`nginx_test_all` under ``group``:
    the key of their test together, which covers every file and host each test alone reads
    (the same fragments and includes, resolved in the same prefix), so the 105 keys of 104
    fragments nginx refuses together are one."""
    hit = cache.get(group)
    try:
        kept = (
            [NginxTest(ran=True, ok=bool(ok), output=str(out)) for ok, out in json.loads(hit[1])]
            if hit
            else []
        )
    except (ValueError, TypeError):
        return None
    return kept if len(kept) == count else None


def _test_together(
    fragments: list[Path], workdir: Path, timeout: float, cache: AnswerCache | None, order: list[int]
) -> tuple[bool, Key | None]:
    """Whether ``nginx -t`` accepts one main file including every fragment, and the key under
    which their answers alone are kept (``order``: their places among the inputs, which name
    their wrappers; None: not kept)."""
    binary = nginx_binary()
    if binary is None:
        return False, None
    wrapper = workdir / "nginx-all.conf"
    includes = "".join(f"    include {resolved(f)};\n" for f in fragments)
    wrapper.write_text(
        f"pid {workdir}/nginx-all.pid;\nerror_log {workdir}/error-all.log;\n"
        f"events {{}}\nhttp {{\n{includes}}}\n",
        encoding="utf-8",
    )
    key = cache.key(binary, wrapper, workdir, workdir) if cache is not None else None
    answer = run_test(binary, wrapper, workdir, timeout, cache, key)
    group = None
    if cache is not None and key is not None and (digest := cache.sign(f"alone {order} {key.digest}")):
        group = Key(digest, key.states, key.scratch)
    return not isinstance(answer, str) and answer[0] == 0, group


def test_inputs(
    with_others: list[tuple[Path, bool]],
    alone: list[tuple[Path, bool, IncludeResolver]],
    timeout: float = 20.0,
    cache: AnswerCache | None = None,
) -> tuple[list[NginxTest], list[NginxTest]]:
    """The ``nginx -t`` answers of an audit's inputs, each ``(file, is a fragment, ...)``:
    those of ``with_others`` by :func:`nginx_test_all` in one scratch prefix, then each of
    ``alone`` in a scratch prefix of its own holding golive's copies of its relative stock
    includes (``resolver``: :meth:`IncludeResolver.materialise`); ``cache``: see :func:`nginx_test`."""
    together: list[NginxTest] = []
    if with_others:
        with tempfile.TemporaryDirectory(prefix="golive-nginx-") as tmp:
            together = nginx_test_all(with_others, workdir=Path(tmp), timeout=timeout, cache=cache)
    single: list[NginxTest] = []
    for path, fragment, resolver in alone:
        with tempfile.TemporaryDirectory(prefix="golive-nginx-") as tmp:
            resolver.materialise(Path(tmp))  # a fragment's wrapper reads relative includes there
            single.append(
                nginx_test(path, fragment=fragment, workdir=Path(tmp), timeout=timeout, cache=cache)
            )
    return together, single
