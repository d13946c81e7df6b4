"""What the lines of a file look like, for the secret scanner (:mod:`golive.collectors.git.scanner`).

- the kind of a file by its name (:func:`file_kind`: Python, other code, dotenv/shell/Dockerfile,
  YAML, INI), and documented templates (:func:`is_example_file`);
- the regular expressions that find a quoted literal assigned to a name (:data:`ASSIGN_RE`),
  the literal default of an environment lookup (:data:`ENVGET_RE`, :data:`ENVDEFAULT_RE`), the
  target of an assignment (:data:`LHS_RE`, :data:`NAME_RE`) and credentials in a URL
  (:data:`URL_CRED_RE`);
- the value of a quoted literal (:func:`string_value`).

Nothing here says whether a value is a secret: the scanner judges that with
:mod:`golive.facts.secrets.rules` and :mod:`golive.facts.secrets.evidence`.
"""

from __future__ import annotations

import ast
import re

_STR = r"""(?P<prefix>[rRuUbB]{0,2})(?P<q>["'])(?P<body>(?:\\.|(?!(?P=q))[^\\])*)(?P=q)"""
#: ``NAME = "v"``, ``"NAME": "v"``, ``name="v"``, ``NAME: str = "v"``, ``name: "v"``, ``X["NAME"] = "v"``.
ASSIGN_RE = re.compile(
    r"""(?P<name>[A-Za-z_][\w-]*)["']?\]?\s*(?::\s*[A-Za-z_][\w\[\], |.]*\s*)?(?:=|:|=>)\s*""" + _STR
)
#: ``os.environ.get("X", "v")``, ``os.getenv("X", default="v")``.
ENVGET_RE = re.compile(
    r"""\b(?:os\.environ\.get|os\.getenv|environ\.get|getenv)\(\s*(?P<vq>["'])(?P<var>[^"']+)(?P=vq)"""
    r"""\s*,\s*(?:default\s*=\s*)?""" + _STR
)
#: ``env("X", default="v")``, ``env.str("X", default="v")``, ``config("X", default="v")``.
ENVDEFAULT_RE = re.compile(
    r"""\b(?:env|config|environ\.Env|env\.\w+)\(\s*(?P<vq>["'])(?P<var>[^"']+)(?P=vq)[^()]*?"""
    r"""\bdefault\s*=\s*""" + _STR
)
#: The assignment target in front of an environment lookup: ``SECRET_KEY = os.environ...``.
LHS_RE = re.compile(r"""^\s*(?P<name>[A-Za-z_][\w]*)\s*(?::[^=]+)?=[^=]|["'](?P<key>[\w-]+)["']\s*:""")
#: Credentials in a URL: ``scheme://user:password@host``.
URL_CRED_RE = re.compile(
    r"""\b(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]{1,20})://(?P<user>[^\s:/@'"`<>]*):(?P<pw>[^\s@/'"`<>]+)@"""
    r"""(?P<host>[^\s/'"`:@<>?#]+)"""
)
#: What a line assigns to, for matches found without a name: ``NAME =``, ``"KEY":``, ``export NAME=``.
NAME_RE = re.compile(
    r"""^\s*(?:export\s+|ENV\s+|ARG\s+|-\s+)?["']?(?P<name>[A-Za-z_][\w.-]*)["']?"""
    r"""\s*(?::\s*[\w\[\], |.]+\s*)?[:=]"""
    r"""|["'](?P<key>[A-Za-z_][\w.-]*)["']\s*:"""
)

PYTHON_SUFFIXES = (".py", ".pyi")
ENV_NAMES = (".env", ".flaskenv", "env", "Dockerfile")
ENV_SUFFIXES = (".env", ".sh", ".bash", ".zsh", ".envrc")
YAML_SUFFIXES = (".yml", ".yaml")
INI_SUFFIXES = (".ini", ".cfg", ".conf", ".properties")
EXAMPLE_WORDS = ("example", "sample", "template", "dist", "defaults")


def file_kind(path: str) -> str:
    """``python``, ``env``, ``yaml``, ``ini`` or ``code`` (any other text) for ``path``."""
    name = path.rsplit("/", 1)[-1]
    lower = name.lower()
    if lower.endswith(PYTHON_SUFFIXES):
        return "python"
    if lower.startswith(".env") or name in ENV_NAMES or lower.endswith(ENV_SUFFIXES):
        return "env"
    if name.startswith("Dockerfile") or lower.endswith(".dockerfile"):
        return "env"
    if lower.endswith(YAML_SUFFIXES):
        return "yaml"
    if lower.endswith(INI_SUFFIXES):
        return "ini"
    return "code"


def is_example_file(path: str) -> bool:
    """True for ``.env.example``, ``settings.sample.py`` and other documented templates."""
    lower = path.rsplit("/", 1)[-1].lower()
    return any(w in lower for w in EXAMPLE_WORDS)


def string_value(prefix: str, quote: str, body: str) -> str | None:
    """The value of a quoted literal (escapes resolved); None for f-strings with fields."""
    if "f" in prefix.lower() and "{" in body:
        return None
    if "\\" not in body:
        return body
    try:
        value = ast.literal_eval(f"{prefix.replace('b', '').replace('B', '')}{quote}{body}{quote}")
    except (ValueError, SyntaxError):
        return body
    return value if isinstance(value, str) else body
