"""Platform manifests recognised as the deployment they describe (Helm charts, Kubernetes
manifests, Heroku, Fly.io, Render, WhiteNoise), and GL623 weighed with them: Docker's root
default is low where the repository's Helm chart or Heroku runs the app as another user.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import audit_project, build_project, failing

from golive.model import Audit, Severity

DOCKERFILE = """
FROM python:3.12-slim
WORKDIR /app
COPY . .
RUN pip install -r requirements.txt
CMD ["gunicorn", "site_conf.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
"""

CHART = "apiVersion: v2\nname: shop\nversion: 0.1.0\nappVersion: '1.0'\n"

VALUES = """
image:
  repository: registry.example.com/shop
  tag: "1.0"
podSecurityContext:
  fsGroup: 1000
securityContext:
  readOnlyRootFilesystem: true
  runAsNonRoot: true
  runAsUser: 1000
"""

VALUES_ROOT = VALUES.replace("runAsNonRoot: true", "runAsNonRoot: false").replace(
    "runAsUser: 1000", "runAsUser: 0"
)

TEMPLATE = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  template:
    spec:
      securityContext:
        {{- toYaml .Values.podSecurityContext | nindent 8 }}
      containers:
        - name: web
          securityContext:
            {{- toYaml .Values.securityContext | nindent 12 }}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
"""


def _audit(tmp: pytest.TempPathFactory, name: str, files: dict[str, str], production: str = "") -> Audit:
    root = build_project(tmp.mktemp(name) / "proj", production=production, files={"Procfile": None, **files})
    return audit_project(root, select=("GL623", "GL79"))


def _details(audit: Audit) -> dict:
    return dict(next(c for c in audit.collectors if c.name == "platforms").details)


@pytest.mark.covers("GL623", "fail")
def test_gl623_docker_root_is_low_when_the_helm_chart_runs_as_uid_1000(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    files = {
        "Dockerfile": DOCKERFILE,
        "charts/shop/Chart.yaml": CHART,
        "charts/shop/values.yaml": VALUES,
        "charts/shop/templates/deployment.yaml": TEMPLATE,
    }
    audit = _audit(tmp_path_factory, "helm", files)
    (found,) = failing(audit, "GL623")
    assert (found.subjects, str(found.location), found.severity) == (("USER",), "Dockerfile", Severity.LOW)
    assert found.evidence[1] == (
        "Helm runs it as another user: securityContext.runAsUser: 1000"
        " (used by charts/shop/templates/deployment.yaml) (charts/shop/values.yaml:9)"
    )
    details = _details(audit)
    assert details["platforms"] == ["Helm"]
    assert "charts/shop/values.yaml (Helm values: securityContext read)" in details["files"]
    assert (
        "charts/shop/templates/deployment.yaml (Helm template: Deployment; not rendered)" in details["files"]
    )


def test_gl623_stays_medium_when_the_chart_says_root(tmp_path_factory: pytest.TempPathFactory) -> None:
    files = {
        "Dockerfile": DOCKERFILE,
        "charts/shop/Chart.yaml": CHART,
        "charts/shop/values.yaml": VALUES_ROOT,
        "charts/shop/templates/deployment.yaml": TEMPLATE,
    }
    audit = _audit(tmp_path_factory, "helmroot", files)
    (found,) = failing(audit, "GL623")
    assert found.severity is Severity.MEDIUM
    assert found.evidence == (
        "Dockerfile sets no USER (nor compose user:): Docker starts gunicorn (Dockerfile:5) as root",
    )
    assert "securityContext.runAsUser: 0 (root) (used by charts/shop/templates/deployment.yaml)" in " ".join(
        _details(audit)["run as"]
    )


def test_heroku_app_json_and_procfile(tmp_path_factory: pytest.TempPathFactory) -> None:
    """A Procfile with app.json is Heroku, whose dynos never run as root: the compose file's
    Docker default is low; app.json is listed with what it declares."""
    files = {
        "Procfile": "release: python manage.py migrate\nweb: gunicorn site_conf.wsgi --bind 0.0.0.0:$PORT\n",
        "app.json": '{"name": "shop", "formation": {"web": {"quantity": 2}},'
        ' "scripts": {"postdeploy": "x"}}\n',
        "Dockerfile": DOCKERFILE,
    }
    audit = _audit(tmp_path_factory, "heroku", files)
    (found,) = failing(audit, "GL623")
    assert found.severity is Severity.LOW
    assert found.evidence[1].startswith(
        "Heroku runs it as another user: Heroku starts dynos as an unprivileged user, never root"
        " (Procfile, app.json)"
    )
    details = _details(audit)
    assert details["platforms"] == ["Heroku"]
    assert (
        "Procfile (process types release, web; commands read by the application-server checks)"
        in (details["files"])
    )
    assert "app.json (Heroku app manifest: formation web×2; scripts postdeploy)" in details["files"]


def test_kubernetes_manifest_ingress_and_whitenoise(tmp_path_factory: pytest.TempPathFactory) -> None:
    manifest = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
spec:
  replicas: 2
  template:
    spec:
      securityContext:
        runAsNonRoot: true
      containers:
        - name: web
          image: registry.example.com/shop:1.0
          command: ["gunicorn", "site_conf.wsgi", "--bind", "0.0.0.0:8000"]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
spec:
  tls:
    - hosts: [shop.example.com]
      secretName: shop-tls
"""
    production = 'MIDDLEWARE = ["whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE]\n'
    audit = _audit(
        tmp_path_factory, "k8s", {"deploy/k8s/shop.yaml": manifest, "fly.toml": 'app = "shop"\n'}, production
    )
    details = _details(audit)
    assert details["platforms"] == ["Kubernetes", "Fly.io"]
    assert "deploy/k8s/shop.yaml (Kubernetes: Deployment shop, Ingress shop)" in details["files"]
    assert "deploy/k8s/shop.yaml: Ingress terminates TLS for shop.example.com" in details["files"]
    assert details["run as"] == [
        "Deployment shop spec.template.spec.securityContext.runAsNonRoot: true (deploy/k8s/shop.yaml:10)"
    ]
    assert details["static files"] == (
        "WhiteNoise serves STATIC_ROOT from the application"
        " (MIDDLEWARE: whitenoise.middleware.WhiteNoiseMiddleware)"
    )
    assert any("not audited" in n for n in details["notes"])


def test_no_platform_manifest_skips(tmp_path: Path) -> None:
    root = build_project(tmp_path / "proj", files={"Procfile": None})
    audit = audit_project(root, select=("GL623",))
    (run,) = [c for c in audit.collectors if c.name == "platforms"]
    assert (run.status, run.reason) == (
        "skipped",
        "no platform manifest (Kubernetes, Helm, Heroku, Fly.io, Render, Terraform) in the project",
    )


def test_terraform_fastly_service_is_the_cdn_in_front(tmp_path_factory: pytest.TempPathFactory) -> None:
    tf = """
resource "fastly_service_vcl" "shop" {
  name = "shop.example.com"
  domain {
    name = "shop.example.com"
  }
  header {
    action      = "set"
    destination = "http.Strict-Transport-Security"
    source      = "\\"max-age=63072000\\""
    type        = "response"
    name        = "HSTS"
  }
  request_setting {
    name      = "default"
    force_ssl = true
  }
}
"""
    audit = _audit(tmp_path_factory, "tf", {"infra/cdn/main.tf": tf})
    details = _details(audit)
    assert details["platforms"] == ["Fastly CDN in front"]
    assert details["cdn"] == ["Fastly (infra/cdn/main.tf:1, resource fastly_service_vcl.shop)"]
    assert details["files"] == [
        "infra/cdn/main.tf (Terraform: CDN Fastly; force_ssl = true at line 15;"
        " Strict-Transport-Security header at line 8; not audited further)"
    ]


def test_heroku_yml_alone_is_heroku(tmp_path_factory: pytest.TempPathFactory) -> None:
    """An Oscar-sandbox-like container app (written for this test): heroku.yml builds the
    Dockerfile and runs it; app.json names the stack; no Procfile."""
    files = {
        "heroku.yml": "build:\n  docker:\n    web: Dockerfile\nrun:\n  web: gunicorn site_conf.wsgi\n",
        "app.json": '{"name": "shop", "stack": "container"}\n',
        "Dockerfile": DOCKERFILE,
    }
    audit = _audit(tmp_path_factory, "herokuyml", files)
    details = _details(audit)
    assert details["platforms"] == ["Heroku"]
    assert details["run as"] == [
        "Heroku starts dynos as an unprivileged user, never root (app.json, heroku.yml) (app.json)"
    ]
    (found,) = failing(audit, "GL623")
    assert found.severity is Severity.LOW


NGINX_SITE = """
server {
    listen 80 default_server;
    server_name shop.example.com;
    location / {
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_pass http://127.0.0.1:8000;
    }
}
"""

FASTLY_TF = 'resource "fastly_service_vcl" "shop" {\n  name = "shop.example.com"\n}\n'
TRUSTS_FASTLY = 'SECURE_PROXY_SSL_HEADER = ("HTTP_FASTLY_SSL", "1")\n'


def test_gl704_fastly_ssl_without_the_cdn_in_the_repository(tmp_path_factory: pytest.TempPathFactory) -> None:
    root = build_project(
        tmp_path_factory.mktemp("nocdn") / "proj",
        production=TRUSTS_FASTLY,
        files={"Procfile": None, "deploy/nginx/shop.conf": NGINX_SITE},
    )
    audit = audit_project(root, select=("GL704",))
    (found,) = failing(audit, "GL704")
    assert (found.subjects, found.severity) == (("proxy_set_header", "Fastly-Ssl"), Severity.HIGH)


def test_gl704_is_low_when_the_fastly_service_in_front_sets_the_header(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """A python.org-like origin (written for this test): Django trusts Fastly-SSL, which the
    Fastly edge the Terraform file declares sets on what it forwards."""
    root = build_project(
        tmp_path_factory.mktemp("cdn") / "proj",
        production=TRUSTS_FASTLY,
        files={"Procfile": None, "deploy/nginx/shop.conf": NGINX_SITE, "infra/cdn/main.tf": FASTLY_TF},
    )
    audit = audit_project(root, select=("GL704",))
    (found,) = failing(audit, "GL704")
    assert (found.subjects, found.severity) == (("proxy_set_header", "Fastly-Ssl"), Severity.LOW)
    assert found.evidence[-1] == (
        "Fastly-Ssl is set by the CDN in front, Fastly (infra/cdn/main.tf:1, resource"
        " fastly_service_vcl.shop): only a request that bypasses the CDN reaches nginx with the client's own"
    )


def test_gl701_is_low_behind_the_cdn_the_repository_declares(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """The CDN forwards only the domains its service names: an unknown Host reaches the
    origin's default server only by bypassing it."""
    files = {"Procfile": None, "deploy/nginx/shop.conf": NGINX_SITE}
    plain = build_project(tmp_path_factory.mktemp("gl701") / "proj", files=files)
    (found,) = failing(audit_project(plain, select=("GL701",)), "GL701")
    assert found.severity is Severity.MEDIUM
    behind = build_project(
        tmp_path_factory.mktemp("gl701cdn") / "proj", files={**files, "infra/cdn/main.tf": FASTLY_TF}
    )
    (found,) = failing(audit_project(behind, select=("GL701",)), "GL701")
    assert (found.subjects, found.severity) == (("default_server", "listen"), Severity.LOW)
    assert found.evidence[-1] == (
        "the CDN in front, Fastly (infra/cdn/main.tf:1, resource fastly_service_vcl.shop), forwards only"
        " the domains its service names: an unknown Host reaches this server only by bypassing it"
    )


K8S_WEB = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      securityContext:
        runAsUser: 1000
      containers:
        - name: web
          image: registry.example.com/shop:1.0
          command: ["gunicorn", "site_conf.wsgi"]
          args: ["--bind", "0.0.0.0:8000", "--reload"]
          securityContext:
            runAsUser: 0
"""


def test_kubernetes_container_commands_feed_the_application_server_checks(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """A Deployment's container command and args are a process command like a Dockerfile's
    CMD: gunicorn's --reload is GL612, and the container's runAsUser: 0 (over the pod's 1000)
    is GL623 confirmed."""
    root = build_project(
        tmp_path_factory.mktemp("k8scmd") / "proj", files={"Procfile": None, "k8s/web.yaml": K8S_WEB}
    )
    audit = audit_project(root, select=("GL612", "GL623"))
    (reload,) = failing(audit, "GL612")
    assert reload.location is not None and reload.location.path == "k8s/web.yaml"
    (root_user,) = failing(audit, "GL623")
    assert (str(root_user.location), root_user.severity) == ("k8s/web.yaml:16", Severity.MEDIUM)
    assert root_user.evidence == ("gunicorn (k8s/web.yaml:13) is started as 0 (k8s/web.yaml:16)",)
