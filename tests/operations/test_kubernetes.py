"""deploy/kubernetes/: each app's overlays built by kubectl's Kustomize and
every object checked against the Kubernetes API's schemas (kubernetes-validate,
strict: a misspelt or misplaced field fails), offline; then what no schema
sees: probes, resources, one beat, the autoscaler's and the Ingress's targets,
no migration in the web pods, no secret in the repository.

Each app is built from the files its fork would hold (scripts/fork.py), so
this also shows that a fork's manifests build without the other apps'. The
overlays' secret.env, which git ignores, is made from the committed
secret.env.example, as an operator would before filling it in."""

from __future__ import annotations

import base64
import re
import runpy
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from tests.deploy.compose_files import resolved_config
from tests.scripts import script

ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = "deploy/kubernetes"
APPS = script("apps").apps(ROOT)
# The API the objects must be valid for: a version clusters run today (managed
# providers' stable channels, end of 2026), older than the newest schemas
# kubernetes-validate has (1.37), so a cluster not upgraded yet takes them too.
# Only GA APIs are used (apps/v1, batch/v1, autoscaling/v2, policy/v1, networking/v1).
KUBERNETES_VERSION = "1.35"
# What a web container runs, and what it must never run: the migration.
GUNICORN = ["gunicorn", "-c", "gunicorn.conf.py", "$(APP):create_app()"]
MIGRATE = ["flask", "--app", "$(APP)", "db", "upgrade"]
# A committed secret.env.example holds only this where a secret goes.
PLACEHOLDER = "change-me"
# Settings compose gives an app that a cluster does without: plain HTTP is for
# trials, and the S3 endpoints are compose's SeaweedFS (AWS S3 needs none).
COMPOSE_ONLY = {"ALLOW_PLAIN_HTTP", "S3_ENDPOINT_URL", "S3_PUBLIC_ENDPOINT_URL"}


def overlays(app: Any) -> list[str]:
    return sorted(path.name for path in (ROOT / MANIFESTS / app.package / "overlays").iterdir())


CASES = [(app, overlay) for app in APPS for overlay in overlays(app)]
IDS = [f"{app.package}-{overlay}" for app, overlay in CASES]


def kubectl(*args: str) -> str:
    assert shutil.which("kubectl"), "kubectl is missing: make kubectl installs it"
    done = subprocess.run(["kubectl", *args], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


@cache
def fork_tree(package: str, root: Path) -> Path:
    """deploy/kubernetes/ as a fork of the app would hold it, with each
    overlay's secret.env made from its example."""
    app = next(app for app in APPS if app.package == package)
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", MANIFESTS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    tree = root / package
    for path in listed:
        if script("fork").chosen(path, app, APPS) and (ROOT / path).is_file():
            (tree / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ROOT / path, tree / path)
    for example in (tree / MANIFESTS).rglob("secret.env.example"):
        shutil.copyfile(example, example.with_suffix(""))
    return tree / MANIFESTS


@pytest.fixture(scope="module")
def forks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("forks")


@dataclass(frozen=True)
class Build:
    app: Any
    overlay: str
    objects: list[dict[str, Any]]

    def env(self) -> dict[str, str]:
        """What every container gets from the settings ConfigMap and the Secret."""
        settings = only(self.objects, "ConfigMap")["data"]
        secrets = only(self.objects, "Secret")["data"]
        decoded = {name: base64.b64decode(value).decode() for name, value in secrets.items()}
        return {**settings, **decoded}


@pytest.fixture(params=CASES, ids=IDS)
def build(request: pytest.FixtureRequest, forks: Path) -> Build:
    """What ``kubectl kustomize`` builds for one app's overlay."""
    app, overlay = request.param
    folder = fork_tree(app.package, forks) / app.package / "overlays" / overlay
    return Build(app, overlay, kustomize(folder))


@cache
def kustomize(folder: Path) -> list[dict[str, Any]]:
    return [
        document for document in yaml.safe_load_all(kubectl("kustomize", str(folder))) if document
    ]


def only(objects: list[dict[str, Any]], kind: str, component: str | None = None) -> dict[str, Any]:
    found = of_kind(objects, kind, component)
    assert len(found) == 1, f"{len(found)} {kind} ({component})"
    return found[0]


def of_kind(objects: list[dict[str, Any]], kind: str, component: str | None = None) -> list[Any]:
    return [
        item
        for item in objects
        if item["kind"] == kind
        and (component is None or labels(item).get("app.kubernetes.io/component") == component)
    ]


def labels(item: dict[str, Any]) -> dict[str, str]:
    return item["metadata"].get("labels", {})


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    return workload["spec"]["template"]["spec"]


def expanded(args: list[str], env: dict[str, str]) -> list[str]:
    """``args`` as the kubelet runs them: ``$(NAME)`` replaced from the environment."""
    return [re.sub(r"\$\((\w+)\)", lambda name: env[name[1]], arg) for arg in args]


def selects(selector: dict[str, str], pod_labels: dict[str, str]) -> bool:
    return all(pod_labels.get(key) == value for key, value in selector.items())


def test_every_object_is_valid_for_the_kubernetes_api(build: Build) -> None:
    problems = []
    for item in build.objects:
        try:
            kubernetes_validate.validate(item, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            where = "/".join(str(part) for part in error.absolute_path)
            name = f"{item['kind']} {item['metadata']['name']}"
            problems.append(f"{name}: {where}: {error.message}")
    assert problems == []
    kinds = [item["kind"] for item in build.objects]
    for kind in ("ConfigMap", "Secret", "Service", "HorizontalPodAutoscaler"):
        assert kinds.count(kind) == 1, kind
    for kind in ("PodDisruptionBudget", "Job", "Ingress"):
        assert kinds.count(kind) == 1, kind
    assert kinds.count("Deployment") == (3 if build.app.demo.get("worker") else 1)


def test_names_and_labels_are_the_apps_so_apps_can_share_a_namespace(build: Build) -> None:
    for item in build.objects:
        assert item["metadata"]["name"].startswith(f"{build.app.slug}-"), item["metadata"]["name"]
        assert labels(item)["app.kubernetes.io/name"] == build.app.slug
    # The overlay says where: one namespace for all of it.
    assert len({item["metadata"]["namespace"] for item in build.objects}) == 1
    env = build.env()
    assert env["APP"] == build.app.package  # the image runs this app
    assert env[f"{build.app.prefix}_ENV"] == "production"
    assert env[f"{build.app.prefix}_PROXY_COUNT"] == "1"  # the Ingress controller


def test_the_web_pods_serve_probe_and_never_migrate(build: Build) -> None:
    env = build.env()
    web = only(build.objects, "Deployment", "web")
    assert "replicas" not in web["spec"]  # the autoscaler's to set
    [container] = pod_spec(web)["containers"]
    assert container["args"] == GUNICORN
    assert expanded(container["args"], env)[-1] == f"{build.app.package}:create_app()"
    assert "command" not in container  # the image's entrypoint runs the args as they are
    assert container["ports"] == [{"name": "http", "containerPort": 8000}]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    # The probes name a Host the app answers to; it refuses any other with 400.
    trusted = yaml.safe_load(env[f"{build.app.prefix}_TRUSTED_HOSTS"])
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["port"] == "http"
        [host] = container[probe]["httpGet"]["httpHeaders"]
        assert host["name"] == "Host"
        assert host["value"] in trusted
    assert web["spec"]["template"]["metadata"]["annotations"] == {
        "prometheus.io/scrape": "true",
        "prometheus.io/port": "8000",
        "prometheus.io/path": "/metrics",
    }


def test_the_web_pods_stop_without_dropping_requests(build: Build) -> None:
    # The pod keeps serving while the Service's endpoints and the Ingress stop
    # sending it requests (preStop), then gunicorn finishes the ones it holds
    # (graceful_timeout), and all of it before the grace period ends in SIGKILL.
    graceful_timeout = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["graceful_timeout"]
    web = only(build.objects, "Deployment", "web")
    for container in pod_spec(web)["containers"]:
        [program, seconds] = container["lifecycle"]["preStop"]["exec"]["command"]
        assert program == "sleep"
        pre_stop = int(seconds)
        assert pre_stop > 0
        assert pod_spec(web)["terminationGracePeriodSeconds"] > pre_stop + graceful_timeout


def test_the_migration_job_runs_the_migration_once(build: Build) -> None:
    job = only(build.objects, "Job", "migrate")
    [container] = pod_spec(job)["containers"]
    assert container["args"] == MIGRATE
    assert expanded(container["args"], build.env())[2] == build.app.package
    assert pod_spec(job)["restartPolicy"] == "Never"
    # A failed or stuck migration ends as Failed, which the documented wait
    # stops on, rather than retrying or waiting for ever.
    assert job["spec"]["backoffLimit"] <= 2
    assert job["spec"]["activeDeadlineSeconds"] > 0
    # A release applies the settings and the Job alone first (docs/kubernetes.md):
    # `--selector 'app.kubernetes.io/component in (settings,migrate)'` picks exactly these.
    first = [
        item["kind"]
        for item in build.objects
        if labels(item).get("app.kubernetes.io/component") in ("settings", "migrate")
    ]
    assert sorted(first) == ["ConfigMap", "Job", "Secret"]


def test_every_container_has_requests_limits_and_runs_unprivileged(build: Build) -> None:
    settings, secret = only(build.objects, "ConfigMap"), only(build.objects, "Secret")
    for workload in of_kind(build.objects, "Deployment") + of_kind(build.objects, "Job"):
        spec = pod_spec(workload)
        assert spec["automountServiceAccountToken"] is False  # no API token to steal
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["securityContext"]["runAsUser"] == 10001  # the image's `app` user
        for container in spec.get("initContainers", []) + spec["containers"]:
            for bound in ("requests", "limits"):
                assert set(container["resources"][bound]) == {"cpu", "memory"}, container["name"]
            assert container["securityContext"]["allowPrivilegeEscalation"] is False
            assert container["securityContext"]["readOnlyRootFilesystem"] is True
            # /tmp, the one writable folder, is the pod's own.
            [mount] = container["volumeMounts"]
            assert mount["mountPath"] == "/tmp"  # noqa: S108 -- an emptyDir: the pod's alone
            assert {"name": mount["name"], "emptyDir": {}} in spec["volumes"]
            assert container["envFrom"] == [
                {"configMapRef": {"name": settings["metadata"]["name"]}},
                {"secretRef": {"name": secret["metadata"]["name"]}},
            ]


def test_workers_can_scale_and_beat_stays_single(build: Build) -> None:
    workers = of_kind(build.objects, "Deployment", "worker")
    beats = of_kind(build.objects, "Deployment", "beat")
    if not build.app.demo.get("worker"):  # an app with no Celery worker gets neither
        assert workers == beats == []
        return
    env = build.env()
    worker_app = f"{build.app.package}.worker"
    [worker], [beat] = workers, beats
    [container] = pod_spec(worker)["containers"]
    assert expanded(container["args"], env)[:4] == ["celery", "--app", worker_app, "worker"]
    assert container["ports"] == [{"name": "metrics", "containerPort": 9808}]
    annotations = worker["spec"]["template"]["metadata"]["annotations"]
    assert (annotations["prometheus.io/scrape"], annotations["prometheus.io/port"]) == (
        "true",
        "9808",
    )
    assert env[f"{build.app.prefix}_CELERY_BROKER_URL"].startswith("redis://")
    # Two beats would queue every scheduled task twice: one replica, and an
    # update stops the old pod before it starts the new one.
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"] == {"type": "Recreate"}
    [container] = pod_spec(beat)["containers"]
    assert expanded(container["args"], env)[:6] == [
        "celery",
        "--app",
        worker_app,
        "beat",
        "--schedule",
        "/tmp/celerybeat-schedule",  # noqa: S108 -- in the pod's own emptyDir
    ]
    scaled = [
        hpa["spec"]["scaleTargetRef"]["name"]
        for hpa in of_kind(build.objects, "HorizontalPodAutoscaler")
    ]
    assert beat["metadata"]["name"] not in scaled


def test_the_autoscaler_budget_service_and_ingress_point_at_the_web_pods(build: Build) -> None:
    web = only(build.objects, "Deployment", "web")
    hpa = only(build.objects, "HorizontalPodAutoscaler")
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": web["metadata"]["name"],
    }
    assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
    # The disruption budget and the Service select the web pods and no others,
    # not even another app's in the same namespace.
    pods = {
        workload["metadata"]["name"]: workload["spec"]["template"]["metadata"]["labels"]
        for workload in of_kind(build.objects, "Deployment") + of_kind(build.objects, "Job")
    }
    pdb = only(build.objects, "PodDisruptionBudget")
    service = only(build.objects, "Service")
    for selector in (pdb["spec"]["selector"]["matchLabels"], service["spec"]["selector"]):
        assert [name for name, pod in pods.items() if selects(selector, pod)] == [
            web["metadata"]["name"]
        ]
        assert selector["app.kubernetes.io/name"] == build.app.slug
    # The Ingress sends its host to the Service's port, which is the web container's.
    ingress = only(build.objects, "Ingress")
    [rule] = ingress["spec"]["rules"]
    [path] = rule["http"]["paths"]
    assert (path["path"], path["pathType"]) == ("/", "Prefix")
    backend = path["backend"]["service"]
    assert backend["name"] == service["metadata"]["name"]
    [port] = service["spec"]["ports"]
    assert backend["port"] == {"name": port["name"]}
    assert port["targetPort"] == "http"
    # Its host is one the app trusts, has a certificate, and is where mail links lead.
    env = build.env()
    assert rule["host"] in yaml.safe_load(env[f"{build.app.prefix}_TRUSTED_HOSTS"])
    [tls] = ingress["spec"]["tls"]
    assert tls["hosts"] == [rule["host"]]
    if external_url := env.get(f"{build.app.prefix}_EXTERNAL_URL"):
        assert external_url == f"https://{rule['host']}"


def test_every_setting_compose_gives_the_app_is_set(build: Build) -> None:
    prefix = f"{build.app.prefix}_"
    compose_env = resolved_config()["services"][build.app.package]["environment"]
    needed = {
        name
        for name in compose_env
        if name.startswith(prefix) and name.removeprefix(prefix) not in COMPOSE_ONLY
    }
    assert needed
    assert needed - set(build.env()) == set()


def test_the_secret_holds_what_the_operator_wrote_and_nothing_committed(build: Build) -> None:
    # Built from the examples, every value of the Secret is a placeholder:
    # nothing reached it from a committed literal.
    secret = only(build.objects, "Secret")
    values = [base64.b64decode(value).decode() for value in secret["data"].values()]
    assert f"{build.app.prefix}_SECRET_KEY" in secret["data"]
    assert [value for value in values if PLACEHOLDER not in value] == []
    # And no password or connection string is in the ConfigMap.
    settings = only(build.objects, "ConfigMap")["data"]
    assert [name for name in settings if re.search(r"SECRET|PASSWORD|_URL$|_URI$", name)] == [
        name for name in settings if name.endswith("_EXTERNAL_URL")
    ]


def test_no_secret_is_committed() -> None:
    tracked = subprocess.run(
        ["git", "ls-files", MANIFESTS], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert [path for path in tracked if path.endswith("/secret.env")] == []
    for path in tracked:
        assert not re.search(r"^kind: Secret$", (ROOT / path).read_text(), re.M), path
    kustomizations = [path for path in tracked if path.endswith("kustomization.yaml")]
    sources = []
    for path in kustomizations:
        for generator in yaml.safe_load((ROOT / path).read_text()).get("secretGenerator", []):
            # From files only (no literals), and only from files git ignores.
            assert set(generator) <= {"name", "behavior", "envs"}, path
            sources += [Path(path).parent / source for source in generator.get("envs", [])]
    assert sources
    for source in sources:
        ignored = subprocess.run(
            ["git", "check-ignore", "--no-index", "--quiet", str(source)], cwd=ROOT, check=False
        )
        assert ignored.returncode == 0, f"{source} is not ignored by git"
        example = (ROOT / f"{source}.example").read_text().splitlines()
        settings = [line for line in example if line and not line.startswith("#")]
        assert settings
        assert [line for line in settings if PLACEHOLDER not in line] == []


def test_every_app_has_its_folder_over_the_shared_base() -> None:
    for app in APPS:
        folder = ROOT / MANIFESTS / app.package
        base = yaml.safe_load((folder / "base" / "kustomization.yaml").read_text())
        assert base["resources"] == ["../../base"]
        assert base["namePrefix"] == f"{app.slug}-"
        components = ["../../components/worker", "../../components/beat"]
        assert base.get("components", []) == (components if app.demo.get("worker") else [])
        assert overlays(app)
