"""Values golive fills in from an environment never put a secret into a fact.

An nginx ``*.template`` rendered with a Compose service's ``environment:``/``env_file:``
(:func:`golive.collectors.nginx.context.substitute`), a command line's ``$VAR``
(:func:`golive.collectors.appservers.cmdline.expand`) and uWSGI's ``$(VAR)`` take the value of a
secret-named variable, or of any variable holding one of the environment's secret values, as
:data:`golive.redact.PLACEHOLDER`; ``SECRET_KEY_FALLBACKS`` holds secrets for values. The
secrets are built at test time (DESIGN.md, "Conventions": secrets never leave the collector
that reads them).
"""

from __future__ import annotations

import secrets
from pathlib import Path

from golive.collectors.appservers import launch
from golive.collectors.appservers.cmdline import invocations
from golive.collectors.appservers.uwsgi import read as read_uwsgi
from golive.collectors.nginx.context import read_compose, substitute
from golive.redact import PLACEHOLDER, redact_text, redact_words


def canary(label: str) -> str:
    return f"{label}{secrets.token_urlsafe(18)}"


def test_a_template_never_takes_a_secret_value() -> None:
    key = canary("apikey")
    env = {"API_KEY": key, "HEADER_VALUE": key, "APP_HOST": "django"}
    text = (
        'add_header X-Frame-Options "${API_KEY}";\n'
        'if ($http_x_api_key != "${HEADER_VALUE}") { return 403; }\n'
        "proxy_pass http://${APP_HOST}:8000;\n"
    )
    out, used, left = substitute(text, env)
    assert key not in out
    assert f'add_header X-Frame-Options "{PLACEHOLDER}";' in out
    assert f'!= "{PLACEHOLDER}"' in out
    assert "proxy_pass http://django:8000;" in out  # a value that is no secret is filled in
    assert (used, left) == (["API_KEY", "HEADER_VALUE", "APP_HOST"], [])


def test_compose_reads_env_files_of_the_repository_only_and_keeps_no_secret(tmp_path: Path) -> None:
    inside, outside = canary("inside"), canary("outside")
    project = tmp_path / "shop"
    project.mkdir()
    (project / "nginx.env").write_text(f"API_KEY={inside}\nAPP_HOST=django\n")
    elsewhere = tmp_path / "run-secrets.env"
    elsewhere.write_text(f"OTHER_HEADER={outside}\n")
    compose = project / "docker-compose.yml"
    compose.write_text(
        "services:\n  nginx:\n    image: nginx\n"
        f"    env_file: [nginx.env, {elsewhere}, ../run-secrets.env]\n"
        "    environment:\n      COPY_OF_KEY: ${API_KEY}\n"
    )
    [service] = read_compose(compose, "docker-compose.yml", ".", {"API_KEY": inside}, project)
    assert service.environment == {"API_KEY": PLACEHOLDER, "APP_HOST": "django", "COPY_OF_KEY": PLACEHOLDER}
    assert outside not in repr(service) and inside not in repr(service)


def test_a_command_line_variable_holding_a_secret_is_filled_in_as_the_placeholder() -> None:
    password = canary("hunter")
    env = {"DATABASE_PASSWORD": password, "ALIAS": password, "PORT": "8000"}
    [inv] = invocations(
        ("gunicorn", "app.wsgi", "--env", "DB=$DATABASE_PASSWORD", "--env", "X=${ALIAS}", "-b", ":$PORT"),
        env,
    )
    assert inv.argv == ("app.wsgi", "--env", f"DB={PLACEHOLDER}", "--env", f"X={PLACEHOLDER}", "-b", ":8000")


def test_uwsgi_env_taking_a_secret_from_the_environment(tmp_path: Path) -> None:
    password = canary("hunter")
    (tmp_path / "uwsgi.ini").write_text(
        "[uwsgi]\nenv = DB=$(DATABASE_PASSWORD)\nenv = COPY=$(ALIAS)\nhttp = :$(PORT)\n"
    )
    env = {"DATABASE_PASSWORD": password, "ALIAS": password, "PORT": "8000"}
    instance = read_uwsgi(project_dir=tmp_path, env=env, file=tmp_path / "uwsgi.ini", found="t", where=None)
    assert [(o.name, o.value) for o in instance.options] == [
        ("env", f"DB={PLACEHOLDER}"),
        ("env", f"COPY={PLACEHOLDER}"),
        ("http", ":8000"),
    ]
    assert password not in repr(instance)


def test_secret_key_fallbacks_values_are_secret_in_commands_and_environments() -> None:
    old = canary("oldkey")
    line = f"env SECRET_KEY_FALLBACKS={old} DJANGO_SECRET_KEY_FALLBACKS={old} gunicorn app.wsgi"
    assert old not in redact_text(line)
    assert old not in " ".join(redact_words(line.split()))
    assert launch.safe_env([("SECRET_KEY_FALLBACKS", old), ("PORT", "8000")]) == (("PORT", "8000"),)
    [inv] = invocations(
        ("gunicorn", "app.wsgi", "--env", "K=$SECRET_KEY_FALLBACKS"), {"SECRET_KEY_FALLBACKS": old}
    )
    assert old not in repr(inv)


def test_the_probe_judges_secret_key_fallbacks_as_golive_does() -> None:
    from golive.collectors.runtime.settings_loader import env_secret_name
    from golive.facts.secrets import holds_secret

    for name in (
        "SECRET_KEY_FALLBACKS",
        "DJANGO_SECRET_KEY_FALLBACKS",
        "PASSWORD_HASHERS",
        "PORT",
        "API_KEY",
    ):
        assert env_secret_name(name) == holds_secret(name), name
    assert holds_secret("SECRET_KEY_FALLBACKS")


def test_uwsgi_and_start_scripts_use_the_one_redaction(tmp_path: Path) -> None:
    bearer, token = canary("bearer"), canary("urltoken")
    github = "ghp_" + "".join(secrets.choice("abcdefghijkmnpqrstuvwxyzABCDEFGH0123456789") for _ in range(36))
    (tmp_path / "uwsgi.ini").write_text(
        "[uwsgi]\n"
        f"add-header = Authorization: Bearer {bearer}\n"
        f"logger = socket:https://{token}@logs.example.com/in\n"
        f"env = GH={github}\n"
    )
    instance = read_uwsgi(
        project_dir=tmp_path,
        env={},
        file=tmp_path / "uwsgi.ini",
        found="t",
        where=None,
        command=f"uwsgi --ini uwsgi.ini --add-header 'Authorization: Bearer {bearer}'",
    )
    for value in (bearer, token, github):
        assert value not in repr(instance)
    assert not (Path(launch.__file__).parent / "redaction.py").exists()


def test_uwsgi_placeholders_that_multiply_stop_at_a_size_limit(tmp_path: Path) -> None:
    import time

    lines = ["[uwsgi]", "a0 = xxxxxxxxxxxxxxxx"]
    lines += [f"a{i} = " + f"%(a{i - 1})" * 40 for i in range(1, 5)]
    lines += ["processes = %(a4)", "threads = 4"]
    (tmp_path / "uwsgi.ini").write_text("\n".join(lines) + "\n")
    started = time.monotonic()
    instance = read_uwsgi(project_dir=tmp_path, env={}, file=tmp_path / "uwsgi.ini", found="t", where=None)
    assert time.monotonic() - started < 5  # a behaviour bound, not a speed test (16 * 40**4 is 41 MB)
    grown = {o.name: o for o in instance.options}
    for name in ("a4", "processes"):
        assert len(grown[name].value) <= 2 * 64 * 1024 + 1024 and grown[name].unresolved, name
    assert grown["a2"].value == "x" * 16 * 40 * 40 and not grown["a2"].unresolved
    assert (grown["threads"].value, grown["threads"].unresolved) == ("4", ())
