"""Start scripts: the shell files a deployment's command runs, read for the server they start.

gunicorn is often started from a script (``docker/entrypoint.sh``,
``compose/production/django/start``, ``boot.sh``, an s6 ``run`` file) with ``umask``,
``export``, ``cd`` and ``exec`` before it. This module reads such a script as a POSIX
shell would split it, without running it: logical lines (a ``\\`` at the end of a line
continues it; here-document bodies are skipped), words by :mod:`shlex` in POSIX mode with
``#`` comments and the control operators ``; & | ( ) < >`` as separate tokens (POSIX
"Shell Command Language", 2.3 Token Recognition and 2.9.1 Simple Commands,
https://pubs.opengroup.org/onlinepubs/9799919799/utilities/V3_chap02.html), one simple
command between two operators. ``$(...)`` and backquoted substitutions are replaced by an
unset variable (their output is only known at run time). The state a command inherits is
tracked line by line: ``VAR=value`` and ``export VAR=value`` (and ``: ${VAR:=value}``)
set the environment, ``umask`` the file-mode mask, ``cd`` the working directory, and
``VAR=value cmd`` prefixes apply to that command only. Branches (``if``/``case``) are read
in order, every branch's commands included. Known limits, said in the docstrings: a ``#``
inside a word starts a comment for :mod:`shlex` (a shell keeps it), functions are read
where they are defined, not where they are called.

:func:`follow` turns the process commands of :mod:`golive.collectors.project` that run a
script (``CMD ["/start"]``, ``command: /entrypoint.sh``, ``ExecStart=/opt/app/run.sh``,
``sh docker/boot.sh``) into the commands the script runs, resolving the script in the
repository (:func:`resolve`).
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

from msgspec import Struct, field

from golive.shellwords import split

#: Programs that run a script given as their first argument.
SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh"})
#: Reserved words that may open a simple command (``then exec gunicorn ...``).
KEYWORDS = frozenset(
    {
        "then",
        "else",
        "elif",
        "do",
        "if",
        "while",
        "until",
        "!",
        "{",
        "}",
        "time",
        "fi",
        "done",
        "case",
        "esac",
    }
)
#: Operators that end a simple command.
SEPARATORS = frozenset({";", ";;", "&", "&&", "||", "|", "(", ")", "|&"})
ASSIGN_RE = re.compile(r"^[A-Za-z_]\w*=")
DEFAULT_RE = re.compile(r"\$\{(\w+):?=([^}]*)\}")
HEREDOC_RE = re.compile(r"<<-?\s*(['\"]?)([A-Za-z_]\w*)\1")
#: Most logical lines read from one script, and most bytes: a start script is short.
MAX_LINES = 5000
MAX_BYTES = 1_000_000


class ScriptCommand(Struct, frozen=True, kw_only=True):
    """One simple command of a script: its ``words`` (prefix assignments removed), the
    ``line`` it starts on, and the state it runs with: ``env`` (assignments in force, in
    order, values as written), ``umask`` (as written) and the line that set it, ``cwd`` (the
    last ``cd`` target as written, None: unchanged), ``text`` the logical line, ``branch`` the
    ``if``/``case`` branches it sits in (``(construct number, branch number)``, outermost first)."""

    line: int
    words: tuple[str, ...]
    text: str
    env: tuple[tuple[str, str], ...] = ()
    umask: str | None = None
    umask_line: int | None = None
    cwd: str | None = None
    branch: tuple[tuple[int, int], ...] = ()


def _substitutions(text: str) -> str:
    """``text`` with each ``$(...)``, ``$((...))`` and backquoted command replaced by an unset
    variable ``$__golive_subst`` (linear: one pass, a depth counter)."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text.startswith("$(", i):
            depth, j = 0, i + 1
            while j < n:
                if text[j] == "(":
                    depth += 1
                elif text[j] == ")":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            out.append("${__golive_subst}")
            i = j + 1
        elif text[i] == "`":
            j = text.find("`", i + 1)
            out.append("${__golive_subst}")
            i = n if j < 0 else j + 1
        else:
            j = i
            while j < n and text[j] != "`" and not text.startswith("$(", j):
                j += 1
            out.append(text[i:j])
            i = j
    return "".join(out)


def words(line: str) -> list[str]:
    """The shell tokens of one logical line: words, and operators as tokens of their own.

    :mod:`shlex` (POSIX mode, ``punctuation_chars``, ``#`` comments), in time linear in the
    line: long runs of characters a shell gives no meaning to are set aside behind a
    placeholder first (:func:`golive.shellwords.split` with ``operators``). Raises ``ValueError`` for an
    unclosed quote.
    """
    return split(_substitutions(line), operators=True)


def logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """``(first line number, text)`` of each logical line: backslash-newline joins lines,
    here-document bodies (``<<EOF`` ... ``EOF``) are skipped, blank and comment lines dropped."""
    lines = text.splitlines()
    i = 0
    count = 0
    while i < len(lines) and count < MAX_LINES:
        start = i
        parts = [lines[i]]
        while parts[-1].endswith("\\") and i + 1 < len(lines):
            parts[-1] = parts[-1][:-1]
            i += 1
            parts.append(lines[i])
        i += 1
        joined = " ".join(p.strip() for p in parts).strip()
        heredoc = HEREDOC_RE.search(joined) if "<<" in joined else None
        if heredoc:
            delimiter = heredoc.group(2)
            while i < len(lines) and lines[i].strip() != delimiter:
                i += 1
            i += 1
        if joined and not joined.startswith("#"):
            count += 1
            yield start + 1, joined


def simple_commands(
    tokens: Sequence[str], on_keyword: Callable[[str], None] | None = None
) -> Iterator[list[str]]:
    """The simple commands of a line's tokens: split at ``; & && || | ( )``, redirections
    (``> file``, ``2>&1``) dropped, leading reserved words (``then``, ``do``...) removed and
    handed to ``on_keyword`` (``;;`` too), in order."""
    current: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in SEPARATORS:
            if current:
                yield current
            current = []
            if token == ";;" and on_keyword is not None:
                on_keyword(token)
        elif token and set(token) <= set("<>&|"):  # a redirection operator and its target
            if current and current[-1].isdigit():
                current.pop()  # 2>&1: the descriptor number
            i += 1
        else:
            if token in KEYWORDS and not current:
                if on_keyword is not None:
                    on_keyword(token)
                i += 1
                continue
            current.append(token)
        i += 1
    if current:
        yield current


def _expand(value: str, env: Mapping[str, str]) -> str:
    from golive.collectors.appservers.cmdline import expand

    return expand(value, env)[0]


class _Branches:
    """The ``if``/``case`` constructs open at a point of a script: ``[construct, branch]`` pairs."""

    def __init__(self) -> None:
        self.stack: list[list[int]] = []
        self.count = 0

    def keyword(self, word: str) -> None:
        if word in ("if", "case"):
            self.count += 1
            self.stack.append([self.count, 0])
        elif word in ("elif", "else", ";;") and self.stack:
            self.stack[-1][1] += 1
        elif word in ("fi", "esac") and self.stack:
            self.stack.pop()


def alternatives(commands: Sequence[ScriptCommand], wanted: Callable[[ScriptCommand], bool]) -> set[int]:
    """Indexes of the commands that sit in an ``if``/``case`` branch whose construct has
    another branch holding a command ``wanted`` picks (``runserver`` where ``else`` runs
    gunicorn: which one runs is decided when the script runs)."""
    picked: dict[int, set[int]] = {}
    for command in commands:
        if wanted(command):
            for n, b in command.branch:
                picked.setdefault(n, set()).add(b)
    return {i for i, c in enumerate(commands) if any(picked.get(n, set()) - {b} for n, b in c.branch)}


def read_script(text: str) -> list[ScriptCommand]:
    """Every simple command of a shell script with the state it runs with (see the module
    docstring). Lines :mod:`shlex` cannot split (an unclosed quote) are skipped."""
    env: dict[str, str] = {}
    umask: tuple[str, int] | None = None
    cwd: str | None = None
    out: list[ScriptCommand] = []
    branches = _Branches()
    for lineno, line in logical_lines(text[:MAX_BYTES]):
        try:
            tokens = words(line)
        except ValueError:
            continue
        for command in simple_commands(tokens, branches.keyword):
            prefix: list[tuple[str, str]] = []
            while command and ASSIGN_RE.match(command[0]):
                name, _, value = command.pop(0).partition("=")
                prefix.append((name, value))
            if not command:  # VAR=value alone: a shell variable for the rest of the script
                env.update(prefix)
                continue
            head = command[0]
            if head in ("export", "readonly", "declare", "typeset", "local"):
                for word in command[1:]:
                    if "=" in word and ASSIGN_RE.match(word):
                        name, _, value = word.partition("=")
                        env[name] = value
                continue
            if head == ":":
                for word in command[1:]:
                    for match in DEFAULT_RE.finditer(word):
                        env.setdefault(match.group(1), match.group(2))
                continue
            if head == "umask" and len(command) == 2:
                umask = (command[1], lineno)
                continue
            if head == "cd":
                target = command[1] if len(command) > 1 else "~"
                if "$" in target or target in ("-", "~"):
                    cwd = "$unknown"
                elif cwd and cwd != "$unknown" and not target.startswith("/"):
                    cwd = posixpath.normpath(posixpath.join(cwd, target))
                else:
                    cwd = target
                continue
            out.append(
                ScriptCommand(
                    line=lineno,
                    words=tuple(command),
                    text=line,
                    env=tuple({**env, **dict(prefix)}.items()),
                    umask=umask[0] if umask else None,
                    umask_line=umask[1] if umask else None,
                    cwd=cwd,
                    branch=tuple((n, b) for n, b in branches.stack),
                )
            )
    return out


# --- which commands run a script ------------------------------------------------------------------

SYSTEM_DIRS = ("/bin/", "/sbin/", "/usr/bin/", "/usr/sbin/")
NOT_SCRIPTS = frozenset({"python", "python3", "manage.py", "django-admin", "pip", "celery", "node", "npm"})


def script_target(argv: Sequence[str]) -> tuple[str, list[str]] | None:
    """``(script path as written, its arguments)`` when ``argv`` (wrappers peeled) runs a
    script: ``sh PATH``/``bash PATH``, or a program named by a path (``/start``,
    ``./boot.sh``, ``docker/entrypoint.sh``) or ending in ``.sh``; else None."""
    from golive.collectors.appservers.cmdline import SERVERS, peel

    peeled = peel(list(argv))
    if not peeled:
        return None
    head = peeled[0]
    base = os.path.basename(head)
    if base in SHELLS:
        rest = [w for w in peeled[1:] if not w.startswith("-")]
        if not rest or "-c" in peeled[1:2] or any(w.startswith("-") and "c" in w for w in peeled[1:2]):
            return None
        index = peeled.index(rest[0])
        return rest[0], peeled[index + 1 :]
    if base in SERVERS or re.fullmatch(r"python[\d.]*", base) or base in NOT_SCRIPTS:
        return None
    if head.endswith((".sh", ".bash")) or ("/" in head and not head.startswith(SYSTEM_DIRS)):
        return head, peeled[1:]
    return None


class Resolver(Struct):
    """Finds the repository file behind a script path (see :func:`resolve`).

    ``files`` are the project's files (the project collector's walk); ``copied`` maps a
    Dockerfile's relative path to a function giving the repository file it copies to an
    image path (or None).
    """

    project_dir: Path
    files: Sequence[Path]
    copied: Mapping[str, Callable[[str], Path | None]] = field(default_factory=dict)
    workdirs: Mapping[str, str | None] = field(default_factory=dict)

    def by_name(self, name: str) -> list[Path]:
        """Repository files named ``name``, shortest path first."""
        return sorted((p for p in self.files if p.name == name), key=lambda p: (len(p.parts), str(p)))


def resolve(
    written: str, resolver: Resolver, *, dockerfile: str | None, cwd: str | None, container: bool, near: Path
) -> tuple[Path | None, str]:
    """The repository file a command's script path names, and how it was found.

    In order: the file a Dockerfile ``COPY``/``ADD`` puts at that path in the image (the
    command's own Dockerfile; ``cwd`` or the Dockerfile's ``WORKDIR`` for a relative
    path); on the host (systemd, supervisord, Procfile) an existing absolute path as is;
    a relative path from ``cwd``, the referencing file's folder (``near``) or the project;
    the longest tail of the path that is a repository path (``/app/docker/start.sh`` →
    ``docker/start.sh``); else a repository file of the same name. ``(None, why)`` when none.
    """
    if "$" in written:
        return None, f"{written} is only known at run time"
    project = resolver.project_dir
    if dockerfile is not None and dockerfile in resolver.copied:
        from golive.collectors.appservers.dockerfiles import image_path

        inside = image_path(written, cwd if cwd and cwd != "$unknown" else resolver.workdirs.get(dockerfile))
        found = resolver.copied[dockerfile](inside)
        if found is not None:
            rel, _, stage = dockerfile.partition("#")
            return found, f"copied to {inside} by {rel}" + (f" (stage {stage})" if stage else "")
    if not container and written.startswith("/") and os.path.isfile(written):
        return Path(written), "on this machine"
    if not written.startswith("/"):
        bases = [project / cwd] if cwd and not cwd.startswith(("/", "$")) else []
        for base in [*bases, near, project]:
            candidate = (base / written).resolve()
            if candidate.is_file() and _inside(candidate, project):
                return candidate, "in the repository"
    parts = [p for p in written.split("/") if p and p != "."]
    for i in range(len(parts)):
        candidate = project.joinpath(*parts[i:])
        if candidate.is_file():
            return candidate, f"{written} read as the repository's {candidate.relative_to(project)}"
    if not parts:
        return None, f"{written} names no file"
    same = resolver.by_name(parts[-1])
    if same:
        also = f" (one of {len(same)} files of that name)" if len(same) > 1 else ""
        shown = same[0].relative_to(project)
        return same[0], f"{written} read as the repository's {shown}, the file of that name{also}"
    return None, f"{written} is neither copied there by a Dockerfile nor a file of the repository"


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True
