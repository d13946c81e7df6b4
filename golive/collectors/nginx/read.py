"""Reading nginx configurations: what is one, and the crossplane validity pass.

Helpers of :mod:`golive.collectors.nginx` (which documents the behaviour): telling nginx
files from others and the crossplane validity pass (crossplane, the fork gixy-ng ships, never
raises on bad input, so its ``status`` and ``errors`` are read). Running gixy-ng is
:mod:`golive.collectors.nginx.scan`'s, running ``nginx -t`` :mod:`golive.collectors.nginx.binary`'s.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from msgspec import Struct

from golive.collectors.deployment_files import deployment_files
from golive.collectors.nginx.paths import resolved, shown
from golive.facts.nginx import ParseError
from golive.redact import redact_text

if TYPE_CHECKING:
    from golive.collectors.nginx.includes import IncludeResolver

DUMP_MARKER = re.compile(r"^# configuration file (.+):\s*$", re.MULTILINE)
NGINX_FOLDERS = {"nginx", "sites-available", "sites-enabled", "conf.d", "vhosts.d"}
NGINX_BLOCKS = {"http", "server", "events", "upstream", "stream", "map", "geo", "location", "types", "mail"}
APACHE_RE = re.compile(r"^\s*(<(VirtualHost|Directory|IfModule)\b|WSGI(ScriptAlias|DaemonProcess)\s)", re.M)
#: Directives of nginx releases newer than the crossplane fork's table (1.19.4 onwards), and of
#: the dynamic modules most often loaded; nginx's own docs list them by version
#: (https://nginx.org/en/docs/dirindex.html).
NEWER_DIRECTIVES = frozenset(
    """
    ssl_reject_handshake http2 http3 http3_hq http3_max_concurrent_streams http3_stream_buffer_size
    quic_active_connection_id_limit quic_bpf quic_gso quic_host_key quic_retry ssl_conf_command
    proxy_ssl_conf_command grpc_ssl_conf_command uwsgi_ssl_conf_command ssl_certificate_cache
    proxy_ssl_certificate_cache grpc_ssl_certificate_cache uwsgi_ssl_certificate_cache keepalive_time
    proxy_half_close ssl_alpn ssl_ocsp ssl_ocsp_cache ssl_ocsp_responder ssl_key_log proxy_ssl_key_log
    grpc_ssl_key_log uwsgi_ssl_key_log proxy_pass_trailers add_header_inherit add_trailer_inherit
    mp4_start_key_frame early_hints ssl_object_cache_inheritable auth_delay limit_req_dry_run
    limit_conn_dry_run ssl_early_data zone_sync resolver_file
    more_set_headers more_clear_headers more_set_input_headers more_clear_input_headers
    brotli brotli_static brotli_types brotli_comp_level brotli_buffers brotli_min_length brotli_window
    zstd zstd_static zstd_types zstd_comp_level zstd_min_length geoip2 modsecurity modsecurity_rules
    modsecurity_rules_file passenger_enabled passenger_app_root passenger_python passenger_root
    vhost_traffic_status_zone vhost_traffic_status_display security_headers
    """.split()  # noqa: SIM905
)


# --- reading and classifying files ------------------------------------------------------


#: File types that are not regular files, as ``not a regular file (...)`` names them.
SPECIAL_FILES = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str:
    return next((name for test, name in SPECIAL_FILES if test(mode)), "a special file")


def not_regular(path: Path) -> str | None:
    """Why ``path`` cannot be read as a configuration, found without opening it (``stat``,
    symbolic links followed): ``"no such file"``, ``"not a regular file (a FIFO)"`` (or a
    directory, character or block device, socket), ``"cannot read it: REASON"``; None for
    a regular file.

    A FIFO opened for reading waits for a writer, a device such as ``/dev/zero`` never ends:
    neither is opened.
    """
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return "no such file"
    except OSError as exc:
        return f"cannot read it: {exc.strerror or exc}"
    return None if stat.S_ISREG(mode) else f"not a regular file ({_kind(mode)})"


def read_text(path: Path) -> str:
    """The file's text; :class:`ValueError` for a file that is not regular (see
    :func:`not_regular`; it is not opened), binary or not UTF-8; OSError if unreadable.

    Opened non-blocking and checked again once open, so a file replaced by a FIFO in
    between cannot block the audit either.
    """
    problem = not_regular(path)
    if problem is not None and problem.startswith("not a regular file"):
        raise ValueError(problem)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise ValueError(f"not a regular file ({_kind(mode)})")
        data = handle.read()
    if b"\0" in data:
        raise ValueError("binary file, not an nginx configuration")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text (byte {exc.start}), not an nginx configuration") from None


def is_dump(text: str) -> bool:
    """True for ``nginx -T`` output: its first statement is ``# configuration file PATH:``."""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("nginx: "):
            continue
        return DUMP_MARKER.match(stripped) is not None
    return False


def clean_dump(text: str) -> str:
    """Blank out the ``nginx: ... syntax is ok`` lines ``nginx -T 2>&1`` puts first (lines kept)."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("nginx: "):
            lines[i] = ""
        elif line.strip():
            break
    return "\n".join(lines)


def top_level(text: str) -> list[dict[str, Any]]:
    import crossplane

    payload = crossplane.parse_string(
        text, single=True, strict=False, check_ctx=False, check_args=False, comments=False
    )
    return list(payload["config"][0].get("parsed") or []) if payload.get("config") else []


def classify(path: Path) -> str | None:
    """``nginx``, ``apache`` or None (neither) for a discovered candidate file."""
    try:
        text = read_text(path)
    except (OSError, ValueError):
        return None
    if APACHE_RE.search(text):
        return "apache"
    if is_dump(text):
        return "nginx"
    from crossplane.analyzer import DIRECTIVES

    try:
        top = top_level(text)
    except Exception:
        return None
    names = [s.get("directive", "") for s in top]
    if any(s.get("directive") in NGINX_BLOCKS and "block" in s for s in top):
        return "nginx"
    known = [n for n in names if n in DIRECTIVES or n in NEWER_DIRECTIVES]
    return "nginx" if names and len(known) * 2 > len(names) else None


def candidates(project_dir: Path, every: bool = False, files: Iterable[Path] | None = None) -> Iterator[Path]:
    """The nginx candidates among ``files`` (default: :func:`deployment_files` of ``project_dir``)."""
    for path in deployment_files(project_dir, every=every) if files is None else files:
        name = path.name
        if (
            name.endswith((".conf", ".nginx", ".conf.template"))
            or (path.parent.name == "templates" and name.endswith(".template"))
            or name.startswith("nginx.conf")
            or (path.parent.name in NGINX_FOLDERS and "." not in name)
        ):
            yield path


# --- validating with crossplane ----------------------------------------------------------


def _error_text(message: str) -> str:
    return re.sub(r" in \S+:\d+$| in \S+$", "", message)


def _includes(parsed: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for stmt in parsed:
        if stmt.get("directive") == "include" and stmt.get("args"):
            yield stmt
        yield from _includes(stmt.get("block") or [])


class Include(Struct, frozen=True, kw_only=True):
    """One ``include`` edge: the file it names (resolved), where it is written (the
    including file as shown, its line) and its argument as written."""

    target: Path
    shown: str
    line: int | None
    arg: str


def _cycles(
    root: Path, edges: dict[Path, list[Include]], prefix: Path, project_dir: Path
) -> list[ParseError]:
    """An error for each include that closes a cycle (a back edge of a depth-first walk of
    the include graph from ``root``), with the chain: ``include a.conf: recursive include
    (a.conf → b.conf → a.conf)``. Files are named relative to ``prefix`` when inside it."""

    def name(path: Path) -> str:
        try:
            return path.relative_to(resolved(prefix)).as_posix()
        except ValueError:
            return shown(path, project_dir)

    errors: list[ParseError] = []
    done: set[Path] = set()
    stack: list[Path] = [root]
    walk: list[Iterator[Include]] = [iter(edges.get(root, []))]
    while walk:
        edge = next(walk[-1], None)
        if edge is None:
            done.add(stack.pop())
            walk.pop()
            continue
        if edge.target in stack:
            chain = [*stack[stack.index(edge.target) :], edge.target]
            message = f"include {edge.arg}: recursive include ({' → '.join(name(p) for p in chain)}):"
            message += " nginx would follow it until it crashes"
            errors.append(ParseError(path=edge.shown, line=edge.line, message=message))
        elif edge.target not in done:
            stack.append(edge.target)
            walk.append(iter(edges.get(edge.target, [])))
    return errors


def _has_load_module(parsed: list[dict[str, Any]]) -> bool:
    return any(s.get("directive") == "load_module" for s in parsed)


def validate(
    root_file: Path,
    prefix: Path,
    project_dir: Path,
    dump_text: str | None = None,
    resolver: IncludeResolver | None = None,
    root_text: str | None = None,
) -> tuple[list[ParseError], list[Path]]:
    """:func:`validate_root` without the root's statements: (errors, included files)."""
    errors, included, _ = validate_root(root_file, prefix, project_dir, dump_text, resolver, root_text)
    return errors, included


def validate_root(
    root_file: Path,
    prefix: Path,
    project_dir: Path,
    dump_text: str | None = None,
    resolver: IncludeResolver | None = None,
    root_text: str | None = None,
) -> tuple[list[ParseError], list[Path], list[dict[str, Any]] | None]:
    """Check a file and everything it includes with crossplane: (errors, included files).

    Crossplane is run per file (``single``), strictly (unknown directive names are errors,
    unless golive knows them from newer nginx releases or the configuration loads modules),
    with argument-count checks; each ``include`` must name a readable regular file (a glob
    may match nothing; a FIFO or device is "not a regular file" and is never opened),
    resolved against ``prefix`` as nginx does. An include that leads back to a file that
    includes it is an error naming the chain (:func:`_cycles`): nginx follows it until it
    crashes (nginx 1.22's ``nginx -t`` dies of a segmentation fault). A file included
    several times from different places is parsed once and is no error. An include whose
    file does not exist is no error either: ``resolver`` (:mod:`golive.collectors.nginx.includes`)
    maps it to a repository file (then read like any other), a stock file or an unknown one.
    ``root_text`` is ``root_file``'s text when already read (or not read from disk: a
    template after substitution, :mod:`golive.collectors.nginx.context`).

    Returns (errors, included files, the root's top-level statements): the statements are
    :func:`top_level`'s for the root's text when crossplane reported no error in the root
    (its strict pass then kept every statement, as the lenient one does), else None.
    """
    import crossplane

    from golive.collectors.nginx.includes import IncludeResolver, missing

    resolver = resolver or IncludeResolver(project_dir)

    errors: list[ParseError] = []
    included: list[Path] = []
    payloads: list[tuple[Path, dict[str, Any]]] = []
    edges: dict[Path, list[Include]] = {}
    queue = [root_file]
    seen = {resolved(root_file)}
    while queue:
        current = queue.pop(0)
        where = shown(current, project_dir)
        try:
            if dump_text is not None or (root_text is not None and current == root_file):
                text = dump_text if dump_text is not None else str(root_text)
            else:
                text = read_text(current)
        except ValueError as exc:
            errors.append(ParseError(path=where, line=None, message=str(exc)))
            continue
        except OSError as exc:
            errors.append(ParseError(path=where, line=None, message=f"cannot read it: {exc.strerror or exc}"))
            continue
        payload = crossplane.parse_string(
            text,
            filename=str(current),
            single=True,
            strict=True,
            check_ctx=False,
            check_args=True,
            comments=False,
        )
        payloads.append((current, payload))
        if dump_text is not None:
            break
        for stmt in _includes(payload["config"][0].get("parsed") or []):
            arg = stmt["args"][0]
            files, is_glob = resolver.expand(arg, prefix)  # through the Compose mounts, if any
            tried = None if is_glob else missing(str(files[0]), prefix)
            if tried is not None:
                found = resolver.lookup(arg, where, stmt.get("line"), tried)
                files = [found] if isinstance(found, Path) else []
            for f in files:
                problem = not_regular(f)
                if problem == "no such file" and not is_glob:
                    problem += (
                        f" {f} (includes are resolved against {prefix}; give --nginx-prefix to change it)"
                    )
                elif problem is not None:
                    problem += f" {f}"
                if problem is not None:
                    errors.append(
                        ParseError(path=where, line=stmt.get("line"), message=f"include {arg}: {problem}")
                    )
                    continue
                edges.setdefault(resolved(current), []).append(
                    Include(target=resolved(f), shown=where, line=stmt.get("line"), arg=arg)
                )
                if resolved(f) not in seen:
                    seen.add(resolved(f))
                    included.append(f)
                    queue.append(f)
    root_payload = payloads[0][1] if payloads else {}
    top = None
    if root_payload.get("config") and not root_payload.get("errors"):
        top = list(root_payload["config"][0].get("parsed") or [])
    errors += _cycles(resolved(root_file), edges, prefix, project_dir)
    loads_modules = any(_has_load_module(p["config"][0].get("parsed") or []) for _, p in payloads)
    for current, payload in payloads:
        where = shown(current, project_dir)
        for err in payload.get("errors") or []:
            message = _error_text(str(err.get("error", "")))
            unknown = re.match(r'unknown directive "([^"]*)"', message)
            if unknown and (unknown.group(1) in NEWER_DIRECTIVES or loads_modules):
                continue
            # crossplane quotes the file's tokens (unknown directive "...")
            errors.append(ParseError(path=where, line=err.get("line"), message=redact_text(message)))
    return errors, included, top
