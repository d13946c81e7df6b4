"""Where a committed value lives: production code, or tests, docs, examples, CI, development.

A secret in a test fixture, a README, an example file, a CI workflow or a development
settings module weighs less than one in the code production runs (DESIGN.md,
"Production, development, test"): the checks cap its severity at ``low`` unless the same
value is what production loads. :func:`place` names the place of one path:

1. documentation by its suffix (``.md``, ``.rst``, ``.adoc``, ``README``/``CHANGELOG``
   files), anywhere (``helm/<chart>/README.md``): ``docs``; and a generated documentation
   site: the pages and assets (``.html``, ``.js``, ``.css``, ``.json``...: never code such
   as ``.py``) under a build folder (``_build/``, ``site/``, ``_site/``: Sphinx, MkDocs,
   Jekyll), a pretty-URL page ``<section>/<page>/index.html`` outside template and static
   folders (``get_started/install/index.html``), or a hashed bundle in a top-level asset
   folder (``js/app.3f9a1c2b.js``): ``docs``;
2. CI configuration (``.github/``, ``.gitlab-ci.yml``, ``.circleci/``, ``Jenkinsfile``, ...):
   ``ci``;
3. test code, fixtures and test doubles (:func:`golive.facts.secrets.rules.is_test_path`:
   ``tests/``, ``unittests/``, ``unit_tests/``, ``test_data/``, ``spec/``, ``__tests__/``,
   ``test_*.py``, ``*_test.py``; folders named ``mocks``, ``__mocks__``, ``stubs``, ``fakes``,
   ``testdata``): ``test``; demo and tutorial folders (``demo/``, ``tutorial/``): ``example``;
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


@functools.cache
def deployment_names() -> tuple[tuple[re.Pattern[str], str], ...]:
    """File names of deployment files whose content says what they are for: (pattern, layout
    kind). Built on first use, with :mod:`golive.collectors.layout` (issue 15: the checks that
    import :data:`LABELS` and the git facts do not load the layout rules)."""
    from golive.collectors.layout import COMPOSE, DOCKERFILE, PROCFILE

    return (
        (re.compile(r"^(?:docker-)?compose(?:[.-][\w.-]+)?\.ya?ml$", re.IGNORECASE), COMPOSE),
        (re.compile(r"^dockerfile(?:[.-][\w.-]+)?$|\.dockerfile$", re.IGNORECASE), DOCKERFILE),
        (re.compile(r"^procfile(?:[.-][\w.-]+)?$", re.IGNORECASE), PROCFILE),
    )


#: Folders a documentation generator builds into, and what a built site holds.
DOC_BUILD_FOLDERS = frozenset({"_build", "site", "_site"})
BUILT_SUFFIXES = (".html", ".htm", ".js", ".css", ".map", ".json", ".xml", ".txt", ".svg")
#: Folders whose ``index.html`` is a template or an app's own page, not a built site's.
APP_PAGE_FOLDERS = frozenset({"templates", "jinja2", "static", "staticfiles", "src", "app", "frontend"})
ASSET_FOLDERS = frozenset({"js", "css", "assets", "_assets"})
HASHED_ASSET = re.compile(r"^[\w-]+\.[0-9a-f]{8,}\.(?:js|css)$")
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
    built = _doc_build(path, name, folders)
    if built:
        return "docs", built
    if name in CI_FILES or any(f in CI_FOLDERS for f in folders):
        return "ci", f"{path} is CI configuration"
    from golive.facts.secrets.rules import is_test_path

    if is_test_path(path) or any(f in TEST_FOLDERS for f in folders):
        return "test", f"{path} is test code"
    if any(f in EXAMPLE_FOLDERS for f in folders):
        return "example", f"{path} is in a demo or example folder"
    from golive.collectors.git.syntax import is_example_file

    if is_example_file(path):
        return "example", f"{pure.name} is a template"
    from golive.collectors.layout import classify as layout_classify

    found = layout_classify(path, "source file")
    return found.role, found.reason


def _doc_build(path: str, name: str, folders: list[str]) -> str:
    """Why ``path`` is a page or asset of a generated documentation site, or ``""``."""
    if not name.endswith(BUILT_SUFFIXES):
        return ""
    folder = next((f for f in folders if f in DOC_BUILD_FOLDERS), None)
    if folder:
        return f"{path} is in the {folder}/ folder of a documentation build"
    if name == "index.html" and len(folders) >= 2 and not set(folders) & APP_PAGE_FOLDERS:
        return f"{path} is a page of a generated documentation site"
    if len(folders) == 1 and folders[0] in ASSET_FOLDERS and HASHED_ASSET.match(name):
        return f"{path} is a hashed asset of a generated documentation site"
    return ""


def deployment_kind(path: str) -> str | None:
    """The :mod:`golive.collectors.layout` kind of a deployment file judged by its content
    (compose file, Dockerfile, Procfile), or None."""
    name = PurePosixPath(path).name
    for pattern, kind in deployment_names():
        if pattern.search(name):
            return kind
    return None
