"""Apply the secret rules to the lines of one file.

:class:`FileScanner` is fed one line at a time (a whole file, or the added lines of one
file in a diff) and returns :class:`RawMatch` objects. Which name rules apply depends on
the kind of file (:func:`golive.collectors.git.syntax.file_kind`; what each kind's lines
look like is in :mod:`golive.collectors.git.syntax`): Python and other code (quoted literals
assigned to secret-named names, environment lookups with literal defaults),
dotenv/shell/Dockerfile lines (read with python-dotenv's parser), YAML lines (PyYAML), INI
lines (configparser). Token formats, private key blocks and URL credentials apply to every
text file.

A name rule needs evidence from the value (:func:`golive.facts.secrets.evidence.judge`): a
literal that cannot be a secret (an identifier, a dotted path, a word) is not reported, and
each match carries a :class:`golive.model.Confidence`. Files that are not code (lockfiles,
minified JavaScript, translation catalogues: :mod:`golive.collectors.git.policy`) and lines longer
than :data:`golive.collectors.git.policy.LONG_LINE` get token formats and private key blocks only.

A :class:`RawMatch` carries the value: it exists only inside the collector, which turns
it into a :class:`golive.facts.secrets.SecretInfo` and drops it.
"""

from __future__ import annotations

import functools
import io
from typing import Any

from msgspec import Struct
from msgspec.structs import replace

from golive import yamlread
from golive.collectors.git.policy import DEFAULT, LONG_LINE, ScanPolicy
from golive.collectors.git.syntax import (
    ASSIGN_RE,
    ENVDEFAULT_RE,
    ENVGET_RE,
    LHS_RE,
    NAME_RE,
    URL_CRED_RE,
    file_kind,
    is_example_file,
    string_value,
)
from golive.facts.secrets.evidence import judge
from golive.facts.secrets.rules import (
    KEY_BODY_RE,
    PRIVATE_KEY_LABEL,
    PRIVATE_KEY_RE,
    PRIVATE_KEY_RULE,
    is_test_path,
    placeholder_reason,
    plausible_value,
    public_prefix,
    public_reason,
    secret_name,
)
from golive.facts.secrets.token_formats import MARKERS, find_tokens
from golive.model import Confidence

#: Lines longer than this are scanned on their first MAX_LINE characters only.
MAX_LINE = 4000
#: How many characters of a private key body are fingerprinted.
KEY_BODY_CHARS = 64


@functools.lru_cache(maxsize=4096)
def _traits(path: str) -> tuple[str, bool, bool]:
    return file_kind(path), is_test_path(path), is_example_file(path)


#: Every token format holds one of these
#: (:data:`golive.facts.secrets.token_formats.MARKERS`; lower-case ones case-insensitively).
TOKEN_MARKERS = MARKERS


class RawMatch(Struct, frozen=True):
    """One secret on one line. ``value`` never leaves the collector.

    ``rule`` is a token format's rule id, ``private-key``, ``url-password``,
    ``assigned-literal``, ``env-default`` or ``env-line``; ``name`` the setting, key or
    variable it is assigned to (``""`` when none); ``shown`` the public prefix that may be
    printed (token formats only); ``placeholder`` why it is not a real secret (``""``: it is:
    a placeholder, a public-by-design value, test code, an allowed key); ``confidence`` and
    ``why`` what the value itself says (``"random-looking token: 32 chars, ..."``).
    """

    rule: str
    label: str
    name: str
    value: str
    shown: str = ""
    placeholder: str = ""
    confidence: Confidence = Confidence.CONFIRMED
    why: str = ""


class FileScanner:
    """Scan the lines of one file, in order (a private key's body follows its BEGIN line).

    ``path`` is used only to choose the rules (file kind, test code, example files, files
    that are not code); ``policy`` says which files those are and which keys are allowed.
    """

    def __init__(self, path: str, policy: ScanPolicy = DEFAULT) -> None:
        self.path = path
        self.policy = policy
        self.kind, self.test, self.example = _traits(path)
        #: Why name rules are off for this file (``"npm lockfile (...)"``), or ``""``.
        self.not_code = policy.excluded(path)
        self._pending_key = False

    @property
    def pending(self) -> bool:
        """True right after a private key's BEGIN line: the next line is its body."""
        return self._pending_key

    def interrupt(self) -> None:
        """The next line does not follow the last one (a new hunk of a diff)."""
        self._pending_key = False

    def scan(self, line: str) -> list[RawMatch]:
        """The secrets on ``line`` (without its newline), one per distinct value."""
        if len(line) > MAX_LINE:
            line = line[:MAX_LINE]
        found: list[RawMatch] = []
        if self._pending_key:
            self._pending_key = False
            body = KEY_BODY_RE.search(line)
            if body and not line.startswith("-----END"):
                found.append(self._private_key(body.group(0)))
                return found
        self._tokens(line, found)
        self._private_keys(line, found)
        if not self.not_code and len(line) <= LONG_LINE:
            self._url_credentials(line, found)
            if self.kind == "python" or self.kind == "code":
                self._code(line, found)
            elif self.kind == "env":
                self._env_line(line, found)
            elif self.kind == "yaml":
                self._yaml_line(line, found)
            elif self.kind == "ini":
                self._ini_line(line, found)
                self._code(line, found)
        return self._allowed(_named_after(_dedupe(found), line))

    def _allowed(self, found: list[RawMatch]) -> list[RawMatch]:
        """Matches the team allowed in ``[tool.golive.secrets] allow`` become information."""
        if not self.policy.allow:
            return found
        out = []
        for m in found:
            reason = self.policy.allowed(self.path, m.name)
            out.append(replace(m, placeholder=f"allowed in [tool.golive.secrets]: {reason}") if reason else m)
        return out

    # -- the rule families -------------------------------------------------------------

    def _tokens(self, line: str, found: list[RawMatch]) -> None:
        for fmt, value in find_tokens(line):
            reason = placeholder_reason(value) or public_reason("", value)
            if not reason and fmt.rule == "stripe-secret-key" and "_test_" in value[:8]:
                reason = "Stripe test-mode key (no access to live data)"
            found.append(
                RawMatch(
                    rule=fmt.rule,
                    label=fmt.label,
                    name="",
                    value=value,
                    shown=public_prefix(fmt.rule, value),
                    placeholder=reason,
                    why=f"{fmt.label} format ({fmt.reference})",
                )
            )

    def _private_keys(self, line: str, found: list[RawMatch]) -> None:
        m = PRIVATE_KEY_RE.search(line) if "PRIVATE KEY" in line else None
        if not m:
            return
        rest = line[m.end() :].replace("\\n", "\n").strip()
        body = KEY_BODY_RE.search(rest)
        if body:
            found.append(self._private_key(body.group(0)))
        else:
            self._pending_key = True

    def _private_key(self, body: str) -> RawMatch:
        value = body[:KEY_BODY_CHARS]
        reason = placeholder_reason(value)
        return RawMatch(
            rule=PRIVATE_KEY_RULE,
            label=PRIVATE_KEY_LABEL,
            name="",
            value=value,
            placeholder=reason,
            why="a private key block (RFC 7468)",
        )

    def _url_credentials(self, line: str, found: list[RawMatch]) -> None:
        if "://" not in line or "@" not in line:
            return
        for m in URL_CRED_RE.finditer(line):
            pw = m.group("pw")
            if pw.startswith(("$", "{", "%(", "<%", "*")):
                continue
            reason = placeholder_reason(pw) or ("same as the user name" if pw == m.group("user") else "")
            host = m.group("host").lower()
            if not reason and (host.startswith("example.") or ".example." in host or host == "host"):
                reason = "example host"
            verdict = judge("", pw, "url-password")
            if not reason and not verdict.secret:
                continue
            found.append(
                RawMatch(
                    rule="url-password",
                    label=f"password in a {m.group('scheme').lower()}:// URL",
                    name="",
                    value=pw,
                    placeholder=self._name_reason(reason),
                    confidence=verdict.confidence or Confidence.POSSIBLE,
                    why=verdict.why,
                )
            )

    def _code(self, line: str, found: list[RawMatch]) -> None:
        if '"' not in line and "'" not in line:
            return
        lhs = LHS_RE.search(line)
        target = (lhs.group("name") or lhs.group("key")) if lhs else ""
        lookups = "env" in line or "config" in line
        for regex, rule in ((ENVGET_RE, "env-default"), (ENVDEFAULT_RE, "env-default")):
            for m in regex.finditer(line) if lookups else ():
                var = m.group("var")
                if not (secret_name(var) or (target and secret_name(target))):
                    continue
                value = string_value(m.group("prefix"), m.group("q"), m.group("body"))
                name = target if target and secret_name(target) else var
                self._named(found, rule, "literal default of an environment lookup", name, value)
        for m in ASSIGN_RE.finditer(line):
            name = m.group("name")
            if not secret_name(name):
                continue
            value = string_value(m.group("prefix"), m.group("q"), m.group("body"))
            self._named(found, "assigned-literal", "literal assigned to a secret name", name, value)

    def _env_line(self, line: str, found: list[RawMatch]) -> None:
        text = line.strip()
        if text.startswith(("ENV ", "ARG ")):
            text = text[4:].strip()
            if "=" not in text and " " in text:
                text = text.replace(" ", "=", 1)
        if "=" not in text or text.startswith("#"):
            return
        # imported where a line needs it (issue 15): an audit whose history has no such line
        # does not load python-dotenv, PyYAML or configparser
        from dotenv.parser import parse_stream

        for binding in parse_stream(io.StringIO(text)):
            if binding.key and binding.value is not None and secret_name(binding.key):
                self._named(found, "env-line", "KEY=value line", binding.key, binding.value)

    def _yaml_line(self, line: str, found: list[RawMatch]) -> None:
        text = line.strip()
        if ":" not in text and "=" not in text:
            return
        import yaml

        try:
            data: Any = yamlread.safe_load(text)
        except yaml.YAMLError:
            return
        if isinstance(data, list) and len(data) == 1 and isinstance(data[0], str) and "=" in data[0]:
            key, _, value = data[0].partition("=")
            if secret_name(key.strip()):
                self._named(found, "env-line", "KEY=value line", key.strip(), value.strip())
        elif isinstance(data, list) and len(data) == 1 and isinstance(data[0], dict):
            data = data[0]
        if isinstance(data, dict) and len(data) == 1:
            (key, value), *_ = data.items()
            if isinstance(key, str) and isinstance(value, str) and secret_name(key):
                self._named(found, "assigned-literal", "literal assigned to a secret name", key, value)

    def _ini_line(self, line: str, found: list[RawMatch]) -> None:
        text = line.strip()
        if "=" not in text or text.startswith(("#", ";", "[")):
            return
        import configparser

        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read_string("[golive]\n" + text)
        except configparser.Error:
            return
        for key, value in parser.items("golive"):
            if secret_name(key) and value and value[0] not in "\"'":
                self._named(found, "env-line", "key = value line", key, value)

    # -- helpers -----------------------------------------------------------------------

    def _named(self, found: list[RawMatch], rule: str, label: str, name: str, value: str | None) -> None:
        if value is None or not plausible_value(value):
            return
        if any(value in m.value or m.value in value for m in found):
            return
        reason = placeholder_reason(value) or public_reason(name, value)
        verdict = judge(name, value, rule)
        if not reason and not verdict.secret:
            return
        found.append(
            RawMatch(
                rule=rule,
                label=label,
                name=name,
                value=value,
                placeholder=self._name_reason(reason),
                confidence=verdict.confidence or Confidence.POSSIBLE,
                why=verdict.why,
            )
        )

    def _name_reason(self, reason: str) -> str:
        """Placeholders by name rules: also everything in test code and example files."""
        if reason:
            return reason
        if self.test:
            return "test code"
        if self.example:
            return "example file"
        return ""


def _named_after(found: list[RawMatch], line: str) -> list[RawMatch]:
    """Give nameless matches (token formats, URL passwords) the name the line assigns to."""
    if not found or all(m.name for m in found):
        return found
    m = NAME_RE.search(line)
    name = (m.group("name") or m.group("key")) if m else ""
    if not name:
        return found
    return [replace(f, name=name) if not f.name else f for f in found]


def _dedupe(found: list[RawMatch]) -> list[RawMatch]:
    """One match per value on a line: token formats first, then the order found."""
    out: list[RawMatch] = []
    seen: set[str] = set()
    for m in found:
        if m.value not in seen:
            seen.add(m.value)
            out.append(m)
    return out


def scan_text(path: str, text: str, policy: ScanPolicy = DEFAULT) -> list[tuple[int, RawMatch]]:
    """Every secret in a whole file: ``[(line number, match), ...]`` (1-based)."""
    scanner = FileScanner(path, policy)
    out: list[tuple[int, RawMatch]] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        out.extend((lineno, m) for m in scanner.scan(line))
    return out
