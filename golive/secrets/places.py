"""Where a committed value lives: production code, or tests, docs, examples, CI, development.

A secret in a test fixture, a README, an example file, a CI workflow or a development
settings module weighs less than one in the code production runs (DESIGN.md,
"Production, development, test"): the checks cap its severity at ``low`` unless the same
value is what production loads. :func:`place` names the place of one path:

1. documentation by its suffix (``.md``, ``.rst``, ``.adoc``, ``README``/``CHANGELOG``
   files): ``docs``;
2. CI configuration (``.github/``, ``.gitlab-ci.yml``, ``.circleci/``, ``Jenkinsfile``, ...):
   ``ci``;
3. test code, fixtures and test doubles (:func:`golive.secrets.rules.is_test_path`; folders
   named ``mocks``, ``__mocks__``, ``stubs``, ``fakes``, ``testdata``): ``test``; demo and
   tutorial folders (``demo/``, ``tutorial/``): ``example``;
4. documented templates (``.env.example``, ``settings.sample.py``): ``example``;
5. else the classification every collector shares (:func:`golive.collectors.layout.classify`:
   ``tests/``, ``*_testing.py``, ``settings/local.py``, ``settings/dev.py``,
   ``docker-compose.override.yml``, ``examples/``, ``docs/``...): ``test``, ``development``,
   ``example``, or ``production``/``unknown`` (both weigh as production);
6. a deployment file that is still ``unknown`` by its name (``docker-compose.yml``,
   ``Dockerfile``, ``Procfile``: :func:`deployment_kind`) is classified by its content by the
   audit's :class:`golive.collectors.layout.Layout` (a compose file that starts ``runserver``
   while another file starts gunicorn is development), which also applies the team's
   ``production_files``/``ignore_files`` (done by the git collector, which has the audit).
"""

from __future__ import annotations

import functools
import re
from pathlib import PurePosixPath

from golive.collectors.layout import COMPOSE, DOCKERFILE, PROCFILE
from golive.collectors.layout import classify as layout_classify
from golive.secrets.rules import is_test_path

#: Places that weigh as production.
PRODUCTION = frozenset({"production", "unknown"})
DOC_SUFFIXES = (".md", ".markdown", ".rst", ".adoc", ".asciidoc", ".ipynb")
DOC_NAMES = ("readme", "changelog", "changes", "history", "contributing", "install", "authors", "news")
CI_FOLDERS = (".github", ".circleci", ".gitlab", ".buildkite", ".woodpecker", ".azure-pipelines")
CI_FILES = (
    ".gitlab-ci.yml",
    ".travis.yml",
    "jenkinsfile",
    "azure-pipelines.yml",
    "bitbucket-pipelines.yml",
    ".drone.yml",
    "cloudbuild.yaml",
    "cloudbuild.yml",
    "buildspec.yml",
    "tox.ini",
    "noxfile.py",
)
#: File names of deployment files whose content says what they are for: (pattern, layout kind).
DEPLOYMENT_NAMES = (
    (re.compile(r"^(?:docker-)?compose(?:[.-][\w.-]+)?\.ya?ml$", re.IGNORECASE), COMPOSE),
    (re.compile(r"^dockerfile(?:[.-][\w.-]+)?$|\.dockerfile$", re.IGNORECASE), DOCKERFILE),
    (re.compile(r"^procfile(?:[.-][\w.-]+)?$", re.IGNORECASE), PROCFILE),
)
#: Folder names that hold test doubles, and demos or tutorials.
TEST_FOLDERS = frozenset({"mock", "mocks", "__mocks__", "stub", "stubs", "fake", "fakes", "testdata"})
EXAMPLE_FOLDERS = frozenset({"demo", "demos", "tutorial", "tutorials", "sample", "samples", "examples"})
#: What each place is called in evidence.
LABELS = {
    "docs": "documentation",
    "ci": "CI configuration",
    "test": "test code",
    "example": "an example or template",
    "development": "development configuration",
}


@functools.lru_cache(maxsize=8192)
def place(path: str) -> tuple[str, str]:
    """``(place, reason)`` of ``path`` (relative to the repository root): ``place`` is
    ``docs``, ``ci``, ``test``, ``example``, ``development``, ``production`` or
    ``unknown``; ``reason`` says what decided (``"its name says 'dev'"``)."""
    pure = PurePosixPath(path)
    name = pure.name.lower()
    stem = name.split(".", 1)[0]
    if name.endswith(DOC_SUFFIXES) or (stem in DOC_NAMES and not name.endswith(".py")):
        return "docs", f"{pure.name} is documentation"
    folders = [f.lower() for f in pure.parts[:-1]]
    if name in CI_FILES or any(f in CI_FOLDERS for f in folders):
        return "ci", f"{path} is CI configuration"
    if is_test_path(path) or any(f in TEST_FOLDERS for f in folders):
        return "test", f"{path} is test code"
    if any(f in EXAMPLE_FOLDERS for f in folders):
        return "example", f"{path} is in a demo or example folder"
    from golive.secrets.scanner import is_example_file

    if is_example_file(path):
        return "example", f"{pure.name} is a template"
    found = layout_classify(path, "source file")
    return found.role, found.reason


def deployment_kind(path: str) -> str | None:
    """The :mod:`golive.collectors.layout` kind of a deployment file judged by its content
    (compose file, Dockerfile, Procfile), or None."""
    name = PurePosixPath(path).name
    for pattern, kind in DEPLOYMENT_NAMES:
        if pattern.search(name):
            return kind
    return None
