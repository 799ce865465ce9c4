"""What deploy/k8s declares about Runstream's containers: rendered with `kubectl kustomize`, read here.

Every overlay is rendered (the base is only deployed through one), and the workloads whose image is
one of Runstream's are kept: the Deployments, the StatefulSet and the migration Job, with their
containers' probes, security contexts, volumes, arguments and environment.
"""

import json
import pathlib
import subprocess

import yaml

REPO = pathlib.Path(__file__).resolve().parents[3]
K8S = REPO / "deploy" / "k8s"
SERVICES = ("ingest", "projections", "query")
PROBES = ("startupProbe", "readinessProbe", "livenessProbe")


def render(overlay):
    """The objects of one overlay, as `kubectl kustomize` renders them (offline)."""
    output = subprocess.run(["kubectl", "kustomize", str(overlay)], check=True, capture_output=True, text=True).stdout
    return [doc for doc in yaml.safe_load_all(output) if doc]


def overlays():
    return sorted(path for path in (K8S / "overlays").iterdir() if (path / "kustomization.yaml").is_file())


def service_of(image):
    """'ingest' for runstream/ingest:dev or registry.example.com/runstream/ingest:1.0.0; None for other images."""
    repository = image.rsplit("@", 1)[0]
    if ":" in repository.rsplit("/", 1)[-1]:
        repository = repository.rsplit(":", 1)[0]
    parts = repository.split("/")
    if len(parts) >= 2 and parts[-2] == "runstream" and parts[-1] in SERVICES:
        return parts[-1]
    return None


class Workload:
    """One Runstream container as an overlay runs it, with what the kubelet would use to run it."""

    def __init__(self, overlay, objects, workload, container):
        self.overlay = overlay.name
        self.kind = workload["kind"]
        self.name = workload["metadata"]["name"]
        self.container = container
        self.service = service_of(container["image"])
        self.pod = workload["spec"]["template"]["spec"]
        self.pod_labels = workload["spec"]["template"]["metadata"].get("labels", {})
        self.namespace = workload["metadata"].get("namespace", "default")
        self._config_maps = {o["metadata"]["name"]: o.get("data", {}) for o in objects if o["kind"] == "ConfigMap"}

    @property
    def args(self):
        return list(self.container.get("args", []))

    def probes(self):
        """(kind, probe) for each probe the container declares."""
        return [(kind, self.container[kind]) for kind in PROBES if kind in self.container]

    def port(self, port):
        """A probe's port (a number or a port name) as the container's port number."""
        if isinstance(port, int):
            return port
        for declared in self.container.get("ports", []):
            if declared.get("name") == port:
                return declared["containerPort"]
        raise LookupError(f"{self.name}: no container port named {port!r}")

    def environment(self, secrets):
        """The container's environment as the kubelet composes it: envFrom ConfigMaps and the Secret
        (its values given here, since the overlays' are placeholders), then env."""
        env = {}
        for source in self.container.get("envFrom", []):
            if "configMapRef" in source:
                env.update(self._config_maps[source["configMapRef"]["name"]])
            elif "secretRef" in source:
                env.update(secrets)
        for entry in self.container.get("env", []):
            if "value" in entry:
                value = entry["value"]
                for key, known in env.items():  # $(VAR) references to variables defined earlier
                    value = value.replace(f"$({key})", known)
                env[entry["name"]] = value
                continue
            source = entry["valueFrom"]
            if "configMapKeyRef" in source:
                ref = source["configMapKeyRef"]
                env[entry["name"]] = self._config_maps[ref["name"]][ref["key"]]
            elif "fieldRef" in source:
                path = source["fieldRef"]["fieldPath"]
                fields = {
                    "metadata.name": f"{self.name}-0",
                    "metadata.namespace": self.namespace,
                    # The StatefulSet controller's label: the first (and here only) replica.
                    "metadata.labels['apps.kubernetes.io/pod-index']": "0",
                }
                env[entry["name"]] = fields[path]
            else:
                raise ValueError(f"{self.name}: unsupported env source {json.dumps(source)}")
        return env

    def mounts(self):
        """(mountPath, volume, readOnly) for each of the container's volume mounts."""
        volumes = {v["name"]: v for v in self.pod.get("volumes", [])}
        return [(m["mountPath"], volumes[m["name"]], bool(m.get("readOnly"))) for m in self.container.get("volumeMounts", [])]

    def security(self):
        """The effective security context: the container's settings over the pod's."""
        effective = dict(self.pod.get("securityContext", {}))
        effective.update(self.container.get("securityContext", {}))
        return effective


def workloads():
    """Every Runstream container in every overlay."""
    found = []
    for overlay in overlays():
        objects = render(overlay)
        for obj in objects:
            if obj["kind"] not in ("Deployment", "StatefulSet", "DaemonSet", "Job"):
                continue
            spec = obj["spec"]["template"]["spec"]
            for container in spec.get("containers", []) + spec.get("initContainers", []):
                if service_of(container["image"]):
                    found.append(Workload(overlay, objects, obj, container))
    return found
