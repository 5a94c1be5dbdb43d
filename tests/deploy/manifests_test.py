"""Checks deploy/docker, deploy/k8s and deploy/monitoring with what this machine has.

- every YAML file parses (python3-yaml);
- compose.yaml: an init service and four node services whose --hosts order, homes and health
  ports agree with `lotchaind testnet`'s port scheme;
- Kubernetes: the fields each kind needs (no cluster and no kubeconform in Debian, so a check of
  required fields per kind), StatefulSets of one replica with a PVC, probes on /readyz and
  /healthz, keys from a Secret, a headless Service publishing not-ready pods, a PodDisruption
  Budget covering every validator; each ConfigMap's config.toml is loaded by lotchaind itself;
- the Dockerfile: Debian bookworm, a non-root user, a HEALTHCHECK on /readyz; `docker build`
  only where a Docker daemon answers;
- prometheus.yml with promtool where Debian's prometheus package is installed;
- every metric the Grafana dashboard queries is in the /metrics output of a running node.
Whatever is skipped is printed with the reason. Usage: manifests_test.py REPO LOTCHAIND
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import urllib.request

import yaml

REPO, LOTCHAIND = sys.argv[1], sys.argv[2]
DEPLOY = os.path.join(REPO, "deploy")
sys.path.insert(0, os.path.join(REPO, "tests", "cluster"))
os.environ.setdefault("LOTCHAIND", LOTCHAIND)
import lotnet  # noqa: E402

skipped = []
failures = []


def check(cond, message):
    if not cond:
        failures.append(message)


def load_all(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def check_compose():
    compose = load_all(os.path.join(DEPLOY, "docker", "compose.yaml"))[0]
    services = compose["services"]
    init = services["init"]
    check(init["build"]["dockerfile"] == "deploy/docker/Dockerfile", "init builds the image")
    hosts = re.search(r"--hosts (\S+)", init["command"][0]).group(1).split(",")
    base = int(re.search(r"--base-port (\d+)", init["command"][0]).group(1))
    check(len(hosts) == 4, "four organisations: %s" % hosts)
    for i, host in enumerate(hosts):
        svc = services.get(host)
        check(svc is not None, "no service %s for --hosts entry %d" % (host, i))
        if svc is None:
            continue
        check(svc["command"][:3] == ["start", "--home", "/var/lib/lotchain/net/node%d" % i],
              "%s starts node%d: %s" % (host, i, svc["command"]))
        check(svc["environment"]["LOTCHAIN_HTTP_PORT"] == str(base + 200 + i),
              "%s health port is node%d's HTTP port %d" % (host, i, base + 200 + i))
        check(svc["depends_on"]["init"]["condition"] == "service_completed_successfully",
              "%s waits for init" % host)
        check("homes:/var/lib/lotchain" in svc["volumes"], "%s mounts the homes" % host)
    print("ok: compose.yaml: init + %d organisations, ports of testnet's scheme" % len(hosts))


def labels_match(selector, labels):
    return all(labels.get(k) == v for k, v in selector.items())


def check_statefulset(s, services, path):
    name = s["metadata"]["name"]
    spec = s["spec"]
    check(spec.get("replicas") == 1, "%s: exactly one replica (one key, one signer)" % name)
    tmpl = spec["template"]
    check(labels_match(spec["selector"]["matchLabels"], tmpl["metadata"]["labels"]),
          "%s: selector matches the pod labels" % name)
    svc = services.get(spec.get("serviceName"))
    check(svc is not None and svc["spec"].get("clusterIP") == "None",
          "%s: serviceName names a headless Service in %s" % (name, path))
    if svc is not None:
        check(svc["spec"].get("publishNotReadyAddresses") is True,
              "%s: not-ready pods must be dialable" % name)
        check(labels_match(svc["spec"]["selector"], tmpl["metadata"]["labels"]),
              "%s: Service selects the pods" % name)
    pod = tmpl["spec"]
    check(pod["securityContext"].get("runAsNonRoot") is True, "%s: runAsNonRoot" % name)
    volumes = {v["name"]: v for v in pod["volumes"]}
    claims = {c["metadata"]["name"] for c in spec.get("volumeClaimTemplates", [])}
    check(claims, "%s: a PersistentVolumeClaim template for the store" % name)
    check(any("secret" in v for v in volumes.values()), "%s: the key from a Secret" % name)
    for c in pod["containers"]:
        ports = {p["name"] for p in c["ports"]}
        check(c["readinessProbe"]["httpGet"]["path"] == "/readyz", "%s: readiness /readyz" % name)
        check(c["livenessProbe"]["httpGet"]["path"] == "/healthz", "%s: liveness /healthz" % name)
        for probe in ("readinessProbe", "livenessProbe"):
            check(c[probe]["httpGet"]["port"] in ports, "%s: %s port is named" % (name, probe))
        check(c["securityContext"].get("allowPrivilegeEscalation") is False,
              "%s: no privilege escalation" % name)
        for m in c["volumeMounts"]:
            check(m["name"] in volumes or m["name"] in claims,
                  "%s: mount %s has a volume" % (name, m["name"]))
        if svc is not None:
            for p in svc["spec"]["ports"]:
                check(p["targetPort"] in ports, "%s: Service port %s exists" % (name, p["name"]))
    return tmpl["metadata"]["labels"]


REQUIRED = {  # kind -> paths every object of that kind needs
    "Namespace": [],
    "ConfigMap": ["data"],
    "Service": ["spec.selector", "spec.ports"],
    "StatefulSet": ["spec.serviceName", "spec.selector.matchLabels", "spec.template.spec.containers",
                    "spec.volumeClaimTemplates"],
    "PodDisruptionBudget": ["spec.selector.matchLabels"],
}


def has_path(doc, path):
    for part in path.split("."):
        if not isinstance(doc, dict) or part not in doc:
            return False
        doc = doc[part]
    return True


def check_config_with_lotchaind(name, text):
    """lotchaind loads the ConfigMap's config.toml: it must get past the config (and fail on the
    genesis, which only the cluster has)."""
    home = tempfile.mkdtemp(prefix="lotchain-k8s-config-")
    try:
        with open(os.path.join(home, "config.toml"), "w") as f:
            f.write(text)
        p = subprocess.run([LOTCHAIND, "start", "--home", home], capture_output=True, text=True,
                           timeout=30)
        check(p.returncode == 2 and "BAD_CONFIG" not in p.stderr and
              "/etc/lotchain/genesis/genesis.json" in p.stderr,
              "%s: lotchaind does not accept its config.toml: %s" % (name, p.stderr[-400:]))
    finally:
        shutil.rmtree(home, ignore_errors=True)


def check_k8s():
    docs = []
    for path in sorted(glob.glob(os.path.join(DEPLOY, "k8s", "*.yaml"))):
        for d in load_all(path):
            for key in ("apiVersion", "kind", "metadata"):
                check(key in d, "%s: a document lacks %s" % (path, key))
            check(d["kind"] in REQUIRED, "%s: unexpected kind %s" % (path, d["kind"]))
            for req in REQUIRED.get(d["kind"], []):
                check(has_path(d, req), "%s %s lacks %s" % (d["kind"], d["metadata"]["name"], req))
            if d["kind"] != "Namespace":
                check(d["metadata"].get("namespace") == "lotchain", "%s namespace" % path)
            docs.append((path, d))
    services = {d["metadata"]["name"]: d for _, d in docs if d["kind"] == "Service"}
    pod_labels, peers = [], {}
    for path, d in docs:
        if d["kind"] == "StatefulSet":
            pod_labels.append(check_statefulset(d, services, path))
        if d["kind"] == "ConfigMap":
            config = tomllib.loads(d["data"]["config.toml"])
            peers[d["metadata"]["name"]] = config["p2p"]["peers"]
            check_config_with_lotchaind(d["metadata"]["name"], d["data"]["config.toml"])
    pdbs = [d for _, d in docs if d["kind"] == "PodDisruptionBudget"]
    check(len(pdbs) == 1 and pdbs[0]["spec"].get("maxUnavailable") == 1, "one PDB, 1 unavailable")
    for labels in pod_labels:
        check(labels_match(pdbs[0]["spec"]["selector"]["matchLabels"], labels),
              "the PDB covers every validator")
    for name, entries in peers.items():
        for entry in entries:
            host = entry.split("@")[1].split(".")[1]
            check(host in services, "%s: peer %s is no Service here" % (name, entry))
    kinds = sorted({d["kind"] for _, d in docs})
    print("ok: %d Kubernetes objects (%s); %d StatefulSets; configs loaded by lotchaind"
          % (len(docs), ", ".join(kinds), len(pod_labels)))


def check_dockerfile():
    text = open(os.path.join(DEPLOY, "docker", "Dockerfile")).read()
    froms = re.findall(r"^FROM (\S+)", text, re.M)
    check(froms and all(f.startswith("debian:bookworm") for f in froms), "bookworm: %s" % froms)
    user = re.findall(r"^USER (\S+)", text, re.M)
    check(user and not user[-1].startswith(("root", "0")), "non-root USER: %s" % user)
    check(re.search(r"^HEALTHCHECK .*\n?.*/readyz", text, re.M), "HEALTHCHECK on /readyz")
    print("ok: Dockerfile: %s, USER %s, HEALTHCHECK /readyz" % (", ".join(froms), user[-1]))
    docker = shutil.which("docker")
    if docker is None:
        skipped.append("docker build: no docker client installed")
    elif subprocess.run([docker, "info"], capture_output=True, timeout=20).returncode != 0:
        skipped.append("docker build: no Docker daemon answers on this machine (docker info fails)")
    elif os.environ.get("LOTCHAIN_DOCKER_BUILD") != "1":
        skipped.append("docker build: a daemon answers, but building takes minutes; set "
                       "LOTCHAIN_DOCKER_BUILD=1 to run it")
    else:
        p = subprocess.run([docker, "build", "-f", "deploy/docker/Dockerfile", "-t",
                            "lotchaind:test", "."], cwd=REPO, capture_output=True, text=True)
        check(p.returncode == 0, "docker build failed: %s" % p.stderr[-2000:])
        print("ok: docker build")


def check_prometheus():
    path = os.path.join(DEPLOY, "monitoring", "prometheus.yml")
    jobs = [j["job_name"] for j in load_all(path)[0]["scrape_configs"]]
    check("lotchain-compose" in jobs and "lotchain-k8s" in jobs, "scrape jobs: %s" % jobs)
    promtool = shutil.which("promtool")
    if promtool is None:
        skipped.append("promtool check config: promtool not installed (Debian package "
                       "prometheus, 96 MB, is not in deploy/install-deps.sh)")
        return
    p = subprocess.run([promtool, "check", "config", path], capture_output=True, text=True)
    check(p.returncode == 0, "promtool: %s%s" % (p.stdout, p.stderr))
    print("ok: promtool check config")


def dashboard_metrics():
    dash = json.load(open(os.path.join(DEPLOY, "monitoring", "grafana-dashboard.json")))
    names = set()
    for panel in dash["panels"]:
        for target in panel["targets"]:
            names |= set(re.findall(r"\b((?:lotchain|process)_[a-z0-9_]+)", target["expr"]))
    return names


def check_dashboard_against_node():
    names = dashboard_metrics()
    net = lotnet.Net(1, "metrics")
    try:
        net.start(0)
        net.wait_ready([0])
        # Labelled series appear with their first event: one commit, one refused transaction.
        net.register_mine(net.dev_member())
        try:
            net.clients[0].submit(b"not a transaction")
            check(False, "garbage was accepted")
        except lotnet.grpc.RpcError as error:
            check(error.code() == lotnet.grpc.StatusCode.INVALID_ARGUMENT, str(error))
        url = "http://%s/metrics" % net.testnet["nodes"][0]["http"]
        text = urllib.request.urlopen(url, timeout=10).read().decode()
    finally:
        net.close()
    exported = set(re.findall(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)", text, re.M))
    missing = sorted(n for n in names if n not in exported)
    check(not missing, "the dashboard queries metrics the node does not export: %s" % missing)
    if not missing:
        print("ok: the dashboard's %d metric names are all in a running node's /metrics"
              % len(names))


def main():
    for path in glob.glob(os.path.join(DEPLOY, "**", "*.y*ml"), recursive=True):
        load_all(path)
    check_compose()
    check_k8s()
    check_dockerfile()
    check_prometheus()
    check_dashboard_against_node()
    for s in skipped:
        print("SKIPPED: " + s)
    if failures:
        for f in failures:
            print("FAIL: " + f)
        sys.exit(1)
    print("ok: deploy manifests (%d checks skipped, named above)" % len(skipped))


if __name__ == "__main__":
    main()
