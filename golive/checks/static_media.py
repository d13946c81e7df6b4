"""Environment-specific settings, static and media files (checklist section 2, ids GL240–GL252):
STATIC_ROOT, the URLs, hashed names, MEDIA_ROOT and where uploads live.

Source: Django's deployment checklist, "STATIC_ROOT and STATIC_URL" and "MEDIA_ROOT and
MEDIA_URL" (https://docs.djangoproject.com/en/stable/howto/deployment/checklist/#static-root-and-static-url),
and "Deploying static files" (https://docs.djangoproject.com/en/stable/howto/static-files/deployment/).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from golive.checks._util import (
    CHECKLIST,
    attest_fix,
    backend_name,
    inside,
    where,
)
from golive.facts.git import GitFacts
from golive.facts.run import RunFacts
from golive.facts.runtime import RuntimeFacts
from golive.model import Finding, Severity
from golive.registry import CheckSpec, Facts, check


@check(
    "GL240",
    title="STATIC_ROOT is not set",
    severity=Severity.HIGH,
    needs=(RuntimeFacts,),
    reference=CHECKLIST + "#static-root-and-static-url",
    remediation='STATIC_ROOT = "/srv/example/static"  # then: python manage.py collectstatic',
)
def static_root(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "In production, you must define a STATIC_ROOT directory where collectstatic will
    copy them." Without it ``collectstatic`` refuses to run and static files 404.
    """
    runtime = facts[RuntimeFacts]
    if not runtime.setting("STATIC_ROOT"):
        yield spec.fail(
            subjects=["STATIC_ROOT"],
            location=where(facts, "STATIC_ROOT") or where(facts, "STATIC_URL"),
            evidence=[f"STATIC_ROOT = {runtime.setting('STATIC_ROOT')!r}"],
        )


@check(
    "GL241",
    title="STATIC_URL and MEDIA_URL are the same",
    severity=Severity.HIGH,
    needs=(RuntimeFacts,),
    reference=CHECKLIST + "#media-root-and-media-url",
    remediation='STATIC_URL = "/static/"\nMEDIA_URL = "/media/"',
)
def static_media_url(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Uploaded files served from the static URL are served with the static files'
    trust (long caching, maybe a CDN) and can shadow or be shadowed by them.
    Source: the checklist's MEDIA_ROOT and MEDIA_URL section
    (https://docs.djangoproject.com/en/stable/howto/deployment/checklist/#media-root-and-media-url);
    staticfiles refuses equal values when it serves files.
    """
    runtime = facts[RuntimeFacts]
    static, media = runtime.setting("STATIC_URL"), runtime.setting("MEDIA_URL")
    if static and media and str(static).strip("/") == str(media).strip("/"):
        yield spec.fail(
            subjects=["STATIC_URL", "MEDIA_URL"],
            location=where(facts, "MEDIA_URL"),
            evidence=[f"STATIC_URL = {static!r}, MEDIA_URL = {media!r}"],
        )


@check(
    "GL242",
    title="static files are not stored with hashed names",
    severity=Severity.INFO,
    needs=(RuntimeFacts,),
    reference="https://docs.djangoproject.com/en/stable/ref/contrib/staticfiles/#manifeststaticfilesstorage",
    remediation="""
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    """,
)
def hashed_static(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Hashed file names (ManifestStaticFilesStorage, WhiteNoise's
    CompressedManifestStaticFilesStorage) let the web server cache static files forever
    and never serve a stale stylesheet after a release.
    Source: ManifestStaticFilesStorage
    (https://docs.djangoproject.com/en/stable/ref/contrib/staticfiles/#manifeststaticfilesstorage).
    """
    runtime = facts[RuntimeFacts]
    storages = runtime.setting("STORAGES") or {}
    backend = (
        str((storages.get("staticfiles") or {}).get("BACKEND", "")) if isinstance(storages, dict) else ""
    )
    backend = backend or str(runtime.setting("STATICFILES_STORAGE", ""))
    if "manifest" not in backend.lower():
        yield spec.fail(
            subjects=["STORAGES"],
            location=where(facts, "STORAGES"),
            evidence=[f"staticfiles storage: {backend or 'StaticFilesStorage (default)'}"],
        )


@check(
    "GL250",
    title="MEDIA_ROOT is not set but models have file fields",
    severity=Severity.HIGH,
    needs=(RuntimeFacts,),
    reference=CHECKLIST + "#media-root-and-media-url",
    remediation="""
    MEDIA_ROOT = "/srv/example/media"  # outside the code tree, backed up
    MEDIA_URL = "/media/"
    """,
)
def media_root(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """With MEDIA_ROOT empty, uploads land in the process's working directory: usually
    the code tree, lost at the next deployment and maybe served as code.
    Source: the checklist's MEDIA_ROOT and MEDIA_URL section
    (https://docs.djangoproject.com/en/stable/howto/deployment/checklist/#media-root-and-media-url).
    """
    runtime = facts[RuntimeFacts]
    unknown = runtime.step_error("file_fields")
    if unknown:
        yield spec.skipped(f"the models' file fields could not be listed: {unknown}")
        return
    storage = default_storage(runtime)
    if storage != FILE_SYSTEM_STORAGE:
        yield spec.passed(evidence=[f"uploads go to {backend_name(storage)}, not to MEDIA_ROOT"])
        return
    if runtime.file_fields and not runtime.setting("MEDIA_ROOT"):
        fields = ", ".join(runtime.file_fields[:5])
        yield spec.fail(
            subjects=["MEDIA_ROOT"],
            location=where(facts, "MEDIA_ROOT"),
            evidence=[f"MEDIA_ROOT = '' and file fields: {fields}"],
        )


FILE_SYSTEM_STORAGE = "django.core.files.storage.FileSystemStorage"


def default_storage(runtime: RuntimeFacts) -> str:
    """The backend uploads are stored with (``STORAGES["default"]``; FileSystemStorage by default)."""
    storages = runtime.setting("STORAGES")
    conf = storages.get("default") if isinstance(storages, dict) else None
    backend = conf.get("BACKEND") if isinstance(conf, dict) else None
    return str(backend or runtime.setting("DEFAULT_FILE_STORAGE") or FILE_SYSTEM_STORAGE)


@check(
    "GL251",
    title="MEDIA_ROOT is inside STATIC_ROOT or the code tree",
    severity=Severity.MEDIUM,
    needs=(RuntimeFacts,),
    uses=(GitFacts,),
    reference=CHECKLIST + "#media-root-and-media-url",
    remediation='MEDIA_ROOT = "/srv/example/media"  # its own directory, outside the project',
)
def media_inside(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "Media files are uploaded by your users. They're untrusted!" Inside the code tree
    they can be imported, committed or wiped by a deployment; inside STATIC_ROOT they are
    served and cached as if they were the site's own files (collectstatic can publish
    them): medium. Merely under the project folder, in a folder git does not track (the
    usual ``BASE_DIR / "media"`` that a container deployment mounts as a volume), it is a
    risk only if the web server executes files from it or uploads get committed: low. A
    tracked folder, or one whose state is unknown (git not read), stays medium.
    """
    runtime = facts[RuntimeFacts]
    media = runtime.setting("MEDIA_ROOT")
    if not media or default_storage(runtime) != FILE_SYSTEM_STORAGE:
        return
    run = facts.get(RunFacts)
    # A relative path is relative to the server's working directory: the Django root, usually.
    cwd = run.django_dir if run is not None else Path.cwd()
    media_path = (cwd / str(media)).resolve()
    static = runtime.setting("STATIC_ROOT")
    if static and inside(media_path, (cwd / str(static)).resolve()):
        yield spec.fail(
            subjects=["MEDIA_ROOT", "STATIC_ROOT"],
            location=where(facts, "MEDIA_ROOT"),
            evidence=[f"MEDIA_ROOT {media} is inside STATIC_ROOT {static}"],
        )
        return
    if run is not None and inside(media_path, run.project_dir):
        shown = media_path.relative_to(run.project_dir.resolve()).as_posix() + "/"
        git = facts.get(GitFacts)
        tracked = git.tracks(media_path) if git is not None else None
        if tracked is None:
            why = f"whether git tracks {shown} is unknown (the git history was not read)"
        elif tracked:
            why = f"git tracks files under {shown}: uploads there end up committed"
        else:
            why = (
                f"{shown} is not tracked by git: uploads there are a risk only if the web server"
                " executes files from it, or if uploads end up committed: low"
            )
        yield spec.fail(
            subjects=["MEDIA_ROOT"],
            location=where(facts, "MEDIA_ROOT"),
            evidence=[f"MEDIA_ROOT {media} is inside the project directory {run.project_dir}", why],
            severity=Severity.LOW if tracked is False else None,
        )


@check(
    "GL252",
    title="media files are backed up",
    severity=Severity.MEDIUM,
    needs=(RuntimeFacts,),
    reference=CHECKLIST + "#media-root-and-media-url",
    remediation="Copy MEDIA_ROOT (or the media bucket) off-site on a schedule."
    + attest_fix("GL252", "media synced nightly to off-site storage"),
    manual=True,
    validity_days=90,
)
def media_backups(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "Now is a good time to check your backup strategy for these files." Not asked
    when no model has a file field.
    """
    runtime = facts[RuntimeFacts]
    unknown = runtime.step_error("file_fields")
    if unknown:
        yield spec.skipped(f"the models' file fields could not be listed: {unknown}")
        return
    if not runtime.file_fields:
        yield spec.passed(evidence=["no model has a file field"])
        return
    yield spec.ask(subjects=["MEDIA_ROOT"])
