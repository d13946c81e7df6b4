"""Dockerfiles as the image they build: the final stage's command, user and copied files.

A Dockerfile is any file named ``Dockerfile``, ``Dockerfile.<x>``, ``Dockerfile-<x>``,
``<x>.Dockerfile`` (``.dockerfile``) or ``Containerfile[.<x>]`` (Podman's name): a
variant is an ordinary Dockerfile, never a folder. Its instructions are read with
dockerfile-parse (given the file's bytes, so the name does not matter to it). Only the
final stage of a multi-stage build is the image that runs: its ``CMD``, ``ENTRYPOINT``
and ``USER`` count, inherited from the stage it is built ``FROM`` when it sets none
(Docker's reference: "The last FROM ... instruction is the image that is produced";
``CMD``/``ENTRYPOINT``/``USER``/``ENV`` are inherited from the base image,
https://docs.docker.com/reference/dockerfile/#from). ``COPY``/``ADD`` of the build
context (not ``--from`` another stage or image) tell where a file of the repository lands
in the image, so a command that runs ``/start`` can be followed into the file the
Dockerfile copies there (:func:`Dockerfile.source_of`).
"""

from __future__ import annotations

import io
import json
import posixpath
from pathlib import Path

from msgspec import Struct, field

from golive import shellwords


class Copy(Struct, frozen=True, kw_only=True):
    """One ``COPY``/``ADD`` from the build context: ``sources`` as written, ``dest`` absolute in
    the image (``WORKDIR`` applied), ``line`` 1-based, ``text`` the instruction as written."""

    sources: tuple[str, ...]
    dest: str
    line: int
    text: str = ""


class Instruction(Struct, frozen=True, kw_only=True):
    """A ``CMD`` or ``ENTRYPOINT`` of the final image: ``argv`` and whether it was the exec
    (JSON) form; ``line`` 1-based."""

    instruction: str
    argv: tuple[str, ...]
    exec_form: bool
    line: int


class Dockerfile(Struct, frozen=True, kw_only=True):
    """What the final image of one Dockerfile runs. ``path`` is relative to the project;
    ``user`` the last ``USER`` in force (None: the base image's, usually root);
    ``copies`` the final stage's copies from the build context, in order."""

    path: str
    commands: tuple[Instruction, ...] = ()
    user: str | None = None
    user_line: int | None = None
    workdir: str | None = None
    copies: tuple[Copy, ...] = field(default_factory=tuple)
    env: tuple[tuple[str, str], ...] = ()
    #: Every stage's copies from the build context (a missing source fails any stage's build).
    build_copies: tuple[Copy, ...] = ()
    #: Private keys a ``RUN`` of the final image writes at build time: ``(path, line, tool)``.
    build_keys: tuple[tuple[str, int, str], ...] = ()

    def source_of(self, image_path: str, contexts: list[Path], project_dir: Path) -> Path | None:
        """The repository file the image holds at ``image_path``, or None.

        ``COPY ./compose/production/django/start /start`` maps ``/start``; ``COPY . /app``
        maps ``/app/boot.sh`` to ``<context>/boot.sh``. Later copies win, as in the image.
        The build context is the first of ``contexts`` where the copied source exists (a
        compose file's ``build.context``, the Dockerfile's folder, its parents). Only files
        inside ``project_dir`` are returned.
        """
        target = posixpath.normpath(image_path if image_path.startswith("/") else f"/{image_path}")
        for copy in reversed(self.copies):
            for source in copy.sources:
                if any(c in source for c in "*?[") or "://" in source:
                    continue
                for context in contexts:
                    src = (context / source).resolve()
                    if not src.exists():
                        continue
                    candidate = _landing(src, copy, target)
                    if candidate is not None and candidate.is_file() and _inside(candidate, project_dir):
                        return candidate
                    break
        return None


def _landing(src: Path, copy: Copy, target: str) -> Path | None:
    """The file of ``src`` that ``copy`` puts at ``target`` in the image, if any (Docker's
    rules: a folder's contents go under ``dest``; a file goes to ``dest``, or inside it when
    ``dest`` ends with ``/`` or several sources are copied)."""
    base = posixpath.normpath(copy.dest)
    if src.is_dir():
        if target == base or not target.startswith(base.rstrip("/") + "/"):
            return None
        return src / posixpath.relpath(target, base)
    if copy.dest.endswith("/") or len(copy.sources) > 1:
        return src if target == posixpath.join(base, src.name) else None
    return src if base == target else None


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def _argv(value: str) -> tuple[tuple[str, ...], bool]:
    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = None
    if isinstance(parsed, list):
        return tuple(str(a) for a in parsed), True
    try:
        return tuple(shellwords.split(value)), False
    except ValueError:
        return tuple(value.split()), False


def _env(value: str) -> list[tuple[str, str]]:
    """``ENV A=1 B="two"`` or the legacy ``ENV A 1`` (Docker's reference, ENV)."""
    words, _ = _argv(value)
    if words and "=" not in words[0]:
        return [(words[0], " ".join(words[1:]))]
    return [(w.partition("=")[0], w.partition("=")[2]) for w in words if "=" in w]


def _copy(value: str, workdir: str, line: int) -> Copy | None:
    """A COPY/ADD from the build context; None for ``--from=`` (another stage or image)."""
    words, _ = _argv(value)
    args = [w for w in words if not w.startswith("--")]
    if any(w.startswith("--from") for w in words) or len(args) < 2:
        return None
    *sources, dest = args
    if not dest.startswith("/"):
        dest = posixpath.join(workdir or "/", dest) + ("/" if dest.endswith("/") or dest == "." else "")
    return Copy(sources=tuple(sources), dest=dest, line=line)


class _Stage(Struct):
    name: str
    base: str
    commands: dict[str, Instruction] = field(default_factory=dict)
    user: tuple[str, int] | None = None
    workdir: str = ""
    copies: list[Copy] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    keys: list[tuple[str, int, str]] = field(default_factory=list)


#: Programs that write a private key, and the options naming the key file they write
#: (OpenSSL's req/genrsa/genpkey/ecparam, sscg, mkcert, GnuTLS certtool).
KEY_TOOLS = {
    "openssl": ("-keyout", "-out"),
    "sscg": ("--cert-key-file",),
    "mkcert": ("-key-file",),
    "certtool": ("--outfile",),
}
OPENSSL_KEY_COMMANDS = frozenset({"genrsa", "genpkey", "ecparam"})


def generated_keys(command: str) -> list[tuple[str, str]]:
    """``(key path, tool)`` of each private key a shell ``command`` (a ``RUN`` line) writes:
    ``openssl req ... -keyout P``, ``openssl genrsa -out P``, ``sscg --cert-key-file P``,
    ``mkcert -key-file P``, ``certtool --generate-privkey --outfile P``."""
    try:
        words = shellwords.split(command)
    except ValueError:
        words = command.split()
    out: list[tuple[str, str]] = []
    tool, sub = "", ""
    for i, word in enumerate(words):
        name = word.rsplit("/", 1)[-1]
        if name in KEY_TOOLS:
            tool, sub = name, (words[i + 1] if i + 1 < len(words) else "")
            continue
        if word in ("&&", "||", ";", "|"):
            tool = ""
            continue
        if not tool or i + 1 >= len(words):
            continue
        flag, value = word, words[i + 1]
        if flag not in KEY_TOOLS[tool] or value.startswith("-"):
            continue
        if tool == "openssl" and flag == "-out" and sub not in OPENSSL_KEY_COMMANDS:
            continue  # `openssl req -out` writes the certificate or request
        if tool == "certtool" and "--generate-privkey" not in words:
            continue
        out.append((value, tool))
    return out


def read(path: Path, rel: str, target: str | None = None) -> Dockerfile:
    """The final image of the Dockerfile at ``path`` (shown as ``rel``), or the stage named
    ``target`` (a compose file's ``build.target``, ``docker build --target``) when it has one.

    Raises ``OSError``/``UnicodeDecodeError`` when the file cannot be read; the caller
    reports it (a collector never swallows an error).
    """
    from dockerfile_parse import DockerfileParser

    data = path.read_bytes()
    data.decode("utf-8")  # UnicodeDecodeError for a file that is not text
    parser = DockerfileParser(fileobj=io.BytesIO(data), env_replace=False)
    stages: list[_Stage] = []
    every: list[Copy] = []
    for item in parser.structure:
        instruction = str(item.get("instruction", "")).upper()
        value = str(item.get("value", "")).strip()
        line = int(item.get("startline", 0)) + 1
        if instruction == "FROM":
            words = value.split()
            while words and words[0].startswith("--"):  # FROM [--platform=<p>] image [AS name]
                words = words[1:]
            name = words[2].lower() if len(words) >= 3 and words[1].lower() == "as" else ""
            base = words[0].lower() if words else ""
            parent = next((s for s in reversed(stages) if s.name and s.name == base), None)
            stage = _Stage(name=name, base=base)
            if parent is not None:  # FROM an earlier stage inherits its image configuration
                stage.commands = dict(parent.commands)
                stage.user, stage.workdir, stage.env = parent.user, parent.workdir, dict(parent.env)
                stage.copies = list(parent.copies)  # and its files
                stage.keys = list(parent.keys)
            stages.append(stage)
            continue
        if not stages:
            stages.append(_Stage(name="", base=""))
        stage = stages[-1]
        if instruction in ("CMD", "ENTRYPOINT"):
            argv, exec_form = _argv(value)
            stage.commands[instruction] = Instruction(
                instruction=instruction, argv=argv, exec_form=exec_form, line=line
            )
        elif instruction == "USER":
            stage.user = (value.split()[0] if value else "", line)
        elif instruction == "ENV":
            stage.env.update(_env(value))
        elif instruction == "WORKDIR":
            stage.workdir = posixpath.join(stage.workdir or "/", value)
        elif instruction == "RUN":
            stage.keys += [(path, line, tool) for path, tool in generated_keys(value)]
        elif instruction in ("COPY", "ADD"):
            copy = _copy(value, stage.workdir, line)
            if copy is not None:
                copy = Copy(sources=copy.sources, dest=copy.dest, line=line, text=f"{instruction} {value}")
                stage.copies.append(copy)
                every.append(copy)
    if not stages:
        return Dockerfile(path=rel)
    final = next((s for s in stages if target and s.name == target.lower()), stages[-1])
    order = [final.commands[k] for k in ("ENTRYPOINT", "CMD") if k in final.commands]
    return Dockerfile(
        path=rel,
        commands=tuple(sorted(order, key=lambda i: i.line)),
        user=final.user[0] if final.user else None,
        user_line=final.user[1] if final.user else None,
        workdir=final.workdir or None,
        copies=tuple(final.copies),
        env=tuple(final.env.items()),
        build_copies=tuple(every),
        build_keys=tuple(final.keys),
    )


def missing_sources(image: Dockerfile, contexts: list[Path], ignored: list[str]) -> list[tuple[Copy, str]]:
    """``(copy, source)`` of each ``COPY``/``ADD`` source of ``image`` (every stage) that none
    of the build ``contexts`` holds: ``docker build`` stops there ("failed to compute cache
    key: ... not found"), so the image cannot be built from the repository. Sources with a
    wildcard, a variable or a URL are not judged, nor those ``ignored`` (the repository's
    ``.gitignore`` patterns: a file generated before the build, such as an exported
    ``requirements.txt``)."""
    import fnmatch

    out = []
    for copy in image.build_copies:
        for source in copy.sources:
            if any(c in source for c in "*?[$") or "://" in source or source.startswith("<<"):
                continue
            clean = posixpath.normpath(source.lstrip("/")) if source not in (".", "./") else "."
            name = posixpath.basename(clean)
            if any(fnmatch.fnmatch(clean, p) or fnmatch.fnmatch(name, p) for p in ignored):
                continue
            if not any((context / clean).exists() for context in contexts):
                out.append((copy, source))
    return out


def gitignore_patterns(project_dir: Path) -> list[str]:
    """The plain patterns of the repository's top ``.gitignore`` (no negations), stripped of
    their leading and trailing ``/``; ``[]`` when it has none or cannot be read."""
    try:
        text = (project_dir / ".gitignore").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    lines = (line.strip() for line in text.splitlines())
    return [line.strip("/") for line in lines if line and not line.startswith(("#", "!"))]


def image_path(value: str, workdir: str | None) -> str:
    """An image path as the container resolves it: relative to ``workdir`` (default ``/``)."""
    if value.startswith("/"):
        return posixpath.normpath(value)
    return posixpath.normpath(posixpath.join(workdir or "/", value))


def contexts(dockerfile: Path, project_dir: Path, given: Path | None = None) -> list[Path]:
    """Build contexts to try for ``dockerfile``, most likely first: ``given`` (a compose
    file's ``build.context``), then the Dockerfile's folder and each parent up to the
    project (``docker build -f compose/production/django/Dockerfile .`` is common)."""
    out = [given] if given is not None else []
    folder = dockerfile.parent.resolve()
    root = project_dir.resolve()
    while True:
        out.append(folder)
        if folder == root or root not in folder.parents:
            break
        folder = folder.parent
    return out
