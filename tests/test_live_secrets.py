"""Is the leaked value the one production uses? (issue 11, item 4; GL100).

A real Django project in a real git repository: a deploy env file committed the database
and cache passwords and was deleted in the next commit, a test fixture still holds the
cache password, and the e-mail password is the literal default of an environment lookup.
The settings are loaded for real (the runtime probe in a subprocess) with production's
environment. When production runs with the committed values, each is one critical GL100
finding, whatever file the copy sits in, and the history checks do not report it again;
when production runs with fresh values, GL100 passes on the same repository.

Every value is random and assembled at run time: no file of golive's repository holds one.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import audit_project, failing, outcome
from test_git_secrets import commit, rand, start_repo

from golive.model import Audit, Location, Severity, Status

DB_PW = "db-" + rand(20)
CACHE_PW = "cache-" + rand(20)
MAIL_PW = "mail-" + rand(20)
DEPLOY_ENV = "deploy/production.env"
FIXTURE = "tests/fixtures/compose.yml"
PRODUCTION = "site_conf/settings/production.py"
LIVE_ENV = {"APP_DB_PASSWORD": DB_PW, "APP_REDIS_URL": f"redis://:{CACHE_PW}@127.0.0.1:6379/0"}


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = start_repo(tmp_path_factory.mktemp("live") / "shop")
    shas = {"root": str(root)}
    shas["c1"] = commit(
        root,
        "Deploy configuration",
        "2024-02-01T10:00:00+00:00",
        {
            DEPLOY_ENV: f"APP_DB_PASSWORD={DB_PW}\nAPP_REDIS_URL=redis://:{CACHE_PW}@cache:6379/0\n",
            FIXTURE: f"services:\n  web:\n    environment:\n      - REDIS_URL=redis://:{CACHE_PW}@cache:6379/0\n",
            PRODUCTION: "from .base import *  # noqa\n"
            f'EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "{MAIL_PW}")\n',
        },
    )
    shas["c2"] = commit(root, "Keep secrets out of git", "2024-02-02T10:00:00+00:00", {DEPLOY_ENV: None})
    return shas


@pytest.fixture(scope="module")
def live(repo: dict[str, str]) -> Audit:
    return audit_project(Path(repo["root"]), env=LIVE_ENV, no_history=True)


def _no_value_in(audit: Audit) -> None:
    text = repr(audit)
    for value in (DB_PW, CACHE_PW, MAIL_PW):
        assert value not in text


@pytest.mark.covers("GL100", "fail")
def test_committed_values_production_loads_are_critical(repo: dict[str, str], live: Audit) -> None:
    found = {f.subjects[0]: f for f in failing(live, "GL100")}
    assert sorted(found) == ["CACHES", "DATABASES", "EMAIL_HOST_PASSWORD"]
    assert {f.severity for f in found.values()} == {Severity.CRITICAL}

    db = found["DATABASES"]
    assert db.evidence[0].startswith("DATABASES.default.PASSWORD as Django loads it (23 chars, ")
    assert db.evidence[0].endswith(") is committed:")
    # History only: located where it was introduced.
    assert db.location == Location(path=DEPLOY_ENV, line=1)
    assert db.evidence[1].startswith("git: APP_DB_PASSWORD: KEY=value line (23 chars, ")
    assert (
        f"added in commit {repo['c1'][:10]} (2024-02-01T10:00:00+00:00, Ann Dev) at {DEPLOY_ENV}:1"
        in (db.evidence[1])
    )
    assert db.evidence[1].endswith("no longer in HEAD, still in every clone's history")

    cache = found["CACHES"]
    assert cache.evidence[0].startswith("CACHES.default.LOCATION as Django loads it (26 chars, ")
    # Committed twice (the deleted env file and the test fixture), kept once by the history
    # scan; HEAD's copy sits in test code, which is no excuse when production loads it.
    assert cache.location == Location(path=FIXTURE, line=4)
    [line] = cache.evidence[1:]
    assert line.startswith("git: REDIS_URL: password in a redis:// URL (26 chars, ")
    assert line.endswith(f"; still in HEAD at {FIXTURE}:4")

    mail = found["EMAIL_HOST_PASSWORD"]
    assert mail.location == Location(path=PRODUCTION, line=2)
    assert mail.evidence[1] == (
        f"settings source: EMAIL_HOST_PASSWORD at {PRODUCTION}:2 is the default of"
        " os.environ.get('EMAIL_HOST_PASSWORD') with this value"
    )
    _no_value_in(live)


def test_live_values_are_not_reported_again_by_the_history_checks(live: Audit) -> None:
    # The live database password is GL100's; nothing else of the deleted file is left.
    assert failing(live, "GL122") == []
    assert [f.subjects for f in failing(live, "GL128")] == []


@pytest.mark.covers("GL100", "pass")
def test_fresh_production_values_pass_on_the_same_repository(repo: dict[str, str]) -> None:
    fresh = {
        "APP_DB_PASSWORD": "db-" + rand(20),
        "APP_REDIS_URL": f"redis://:cache-{rand(20)}@127.0.0.1:6379/0",
        "EMAIL_HOST_PASSWORD": "mail-" + rand(20),
    }
    result = audit_project(Path(repo["root"]), env=fresh, no_history=True)
    assert outcome(result, "GL100") == [Status.PASS]
    [f] = [f for f in result.findings if f.id == "GL100"]
    assert f.evidence[0].startswith("3 secret value(s) Django loads, compared with the settings source (")
    assert f.evidence[0].endswith(" on all refs: none matches")
    # The deleted env file is now an ordinary history finding, the test fixture a placeholder.
    assert [g.subjects for g in failing(result, "GL122")] == [("APP_DB_PASSWORD",)]
    assert [g.subjects for g in failing(result, "GL128")] == [("REDIS_URL",)]


def test_vendor_tokens_in_settings_without_a_secret_name_are_compared_too(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """A Slack webhook and an OpenAI key production reads into settings whose names say
    nothing of secrets: the probe fingerprints (and hides) every vendor-format token in a
    setting's value, so the copy committed in a deleted env file is found live."""
    hook = "https://hooks." + "slack.com/services/T" + rand(10).upper()
    hook += "/B" + rand(10).upper() + "/" + rand(24)
    openai = "sk-" + "proj-" + rand(74) + "T3Blbk" + "FJ" + rand(74)
    root = start_repo(tmp_path_factory.mktemp("live-tokens") / "shop")
    commit(
        root,
        "Integrations",
        "2024-03-01T10:00:00+00:00",
        {
            "deploy/integrations.env": f"SLACK_HOOK={hook}\nOPENAI={openai}\n",
            PRODUCTION: "from .base import *  # noqa\n"
            'SLACK_HOOK = os.environ["SLACK_HOOK"]\nOPENAI = os.environ["OPENAI"]\n',
        },
    )
    commit(root, "No env files", "2024-03-02T10:00:00+00:00", {"deploy/integrations.env": None})
    result = audit_project(root, env={"SLACK_HOOK": hook, "OPENAI": openai}, no_history=True)
    found = {f.subjects[0]: f for f in failing(result, "GL100")}
    assert sorted(found) == ["OPENAI", "SLACK_HOOK"]
    assert found["SLACK_HOOK"].evidence[0].startswith("SLACK_HOOK as Django loads it (")
    assert (
        found["SLACK_HOOK"]
        .evidence[1]
        .startswith("git: SLACK_HOOK: Slack incoming webhook URL https://hooks.")
    )
    assert found["OPENAI"].location == Location(path="deploy/integrations.env", line=2)
    text = repr(result)
    assert hook not in text and openai not in text
