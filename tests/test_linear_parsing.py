"""Parsers of project files take time in proportion to the file (issue 9, item 9).

A Procfile with one 1 MB line took about 90 s (``shlex`` builds each word one character
at a time, so a long word costs the square of its length) and a 2 MB one was reported as
"gunicorn's configuration hangs". Each file type that holds a command line (Procfile,
Dockerfile ``CMD``, docker-compose ``command``, systemd ``ExecStart``) gets a 1 MB line,
as one long word and as many short ones; the project collector and the gunicorn
collector (which splits ``sh -c``, peels ``env A=B`` wrappers and hands the words to
gunicorn's own parser) must finish well within a generous bound of CPU time. The bound
proves a behaviour (linear, not quadratic), not a speed.
"""

from __future__ import annotations

import resource
from pathlib import Path

import pytest
from test_gunicorn import context

from golive.collectors import CollectorError, project
from golive.collectors.appservers import gunicorn

MB = 1 << 20
BOUND = 5.0  # seconds; the quadratic code took ~90 s on one 1 MB line


def cpu() -> float:
    """CPU seconds of this process and its finished children: what the parsing costs, whatever
    else the machine runs at the same time (wall-clock time is not a measure on a shared host)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


LONG_WORD = "gunicorn site_conf.wsgi --bind 127.0.0.1:8000 --env BLOB=" + "a" * MB
MANY_WORDS = "gunicorn site_conf.wsgi --bind 127.0.0.1:8000 " + " ".join(
    f"--env K{i}=v" for i in range(MB // 12)
)
MANY_PREFIXES = (
    "env " + " ".join(f"A{i}=1" for i in range(MB // 8)) + " gunicorn site_conf.wsgi -b 127.0.0.1:8000"
)
SH_C = "sh -c 'exec gunicorn site_conf.wsgi --bind 127.0.0.1:8000 --env BLOB=" + "b" * MB + "'"


FILES = {
    "Procfile": ("Procfile", "web: {}\n", "Procfile:1"),
    "Dockerfile": ("Dockerfile", "FROM python:3.12\nCMD {}\n", "Dockerfile:2"),
    "compose": ("docker-compose.yml", "services:\n  web:\n    command: {}\n", "docker-compose.yml:3"),
    "systemd": ("deploy/app.service", "[Service]\nExecStart=/usr/bin/{}\n", "deploy/app.service:2"),
}
ORIGINS = {
    "Procfile": "Procfile",
    "Dockerfile": "Dockerfile CMD",
    "compose": "docker-compose command",
    "systemd": "systemd ExecStart",
}


@pytest.mark.parametrize("kind", sorted(FILES))
@pytest.mark.parametrize(
    "command",
    [LONG_WORD, MANY_WORDS, MANY_PREFIXES, SH_C],
    ids=["one long word", "many short words", "many env prefixes", "sh -c with a long word"],
)
def test_a_1mb_command_line_is_parsed_in_linear_time(tmp_path: Path, kind: str, command: str) -> None:
    rel, template, where = FILES[kind]
    path = tmp_path / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(template.format(command), encoding="utf-8")
    ctx = context(tmp_path, timeout=60.0)

    started = cpu()
    facts = project.collect(ctx)
    parsed = cpu() - started
    assert [(c.origin, str(c.location)) for c in facts.commands] == [(ORIGINS[kind], where)]
    assert parsed < BOUND, f"project collector took {parsed:.1f} s"

    started = cpu()
    if command is MANY_WORDS:  # argparse (gunicorn's parser) is quadratic in the options
        with pytest.raises(CollectorError) as caught:
            gunicorn.collect(ctx)
        assert cpu() - started < BOUND
        assert str(caught.value) == (
            f"{where}: gunicorn's command line has 174,765 words, more than golive hands to its option"
            " parser (2,000): shorten it"
        )
        return
    servers = gunicorn.collect(ctx).servers
    loaded = cpu() - started
    assert [(s.kind, tuple(str(b) for b in s.binds)) for s in servers] == [("gunicorn", ("127.0.0.1:8000",))]
    assert loaded < BOUND, f"gunicorn collector took {loaded:.1f} s"
