#!/usr/bin/env python3
"""The workshop's cluster, measured (not a test): BrkCoin deployed as a Swarm stack on the
three-node cluster of eng/cluster.sh, in the Swarm chapter's shapes one after the other, printing
the speed of each against the workshop's model and, per kind of container, how many run, their
memory (the main process's RSS, and what the engine charges to the container's cgroup) and CPU.

Uses the cluster when one is up, else starts one and stops it at the end. Root, like the cluster.

    sudo bash bench/cluster.sh             # 1 worker, 10 workers, 10 workers with one rng per node
    sudo WINDOW=20 bash bench/cluster.sh   # a shorter measuring window
"""
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

from procfs import cpu_seconds, rss_mb

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLUSTER = os.path.join(ROOT, "eng", "cluster.sh")
STACK = "brkcoin"
NODES = 3
WARMUP = int(os.environ.get("WARMUP", "15"))   # seconds of mining before each measurement
WINDOW = int(os.environ.get("WINDOW", "30"))   # seconds the speed and CPU are measured over
KINDS = ["redis", "rng", "hasher", "worker", "webui"]


def log(text):
    print(f"bench: {text}", file=sys.stderr, flush=True)


def run(*args, env=None, timeout=900, check=True):
    result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise SystemExit(f"{' '.join(args[:4])}… failed ({result.returncode}):\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return result.stdout


@functools.lru_cache(maxsize=1)
def cluster_env():
    exports = {}
    for line in run("bash", CLUSTER, "env").splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        exports[name] = value
    return exports


def socket_of(node):
    # eng/cluster.sh keeps node K's socket at <its home>/nodeK/docker.sock; `env` names node1's.
    home = os.path.dirname(os.path.dirname(cluster_env()["DOCKER_HOST"].removeprefix("unix://")))
    return f"unix://{home}/node{node}/docker.sock"


def docker(node, *args, timeout=300, check=True):
    env = dict(os.environ, DOCKER_HOST=socket_of(node))
    return run("docker", *args, env=env, timeout=timeout, check=check)


def running_tasks():
    """(service, node) for every running task of the stack."""
    out = docker(1, "stack", "ps", STACK, "--filter", "desired-state=running", "--format", "{{.Name}} {{.Node}} {{.CurrentState}}")
    tasks = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[2] == "Running":
            tasks.append((parts[0][len(STACK) + 1:].split(".")[0], parts[1]))
    return tasks


def page_address():
    node = next(n for s, n in running_tasks() if s == "webui")
    # Node K answers at .(10+K) of the cluster's /24, as eng/cluster.sh numbers them.
    return f"http://{os.environ.get('BRKCOIN_CLUSTER_NET', '10.213.77')}.{10 + int(node[4:])}:8080"


def read_json(page):
    with urllib.request.urlopen(page + "/json", timeout=5) as response:
        return json.loads(response.read())


def wait(what, condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except Exception:  # the page moving between nodes, a task starting: ask again
            pass
        time.sleep(1)
    raise SystemExit(f"gave up waiting for {what} after {seconds} s")


def wait_for_tasks(workers, rng):
    def settled():
        services = [s for s, _ in running_tasks()]
        return services.count("worker") == workers and services.count("rng") == rng and "webui" in services and "redis" in services
    wait(f"{workers} workers and {rng} rng running", settled, 300)


def containers():
    """kind → list of (node, container id, main process id), for every container of the stack."""
    found = {}
    for node in range(1, NODES + 1):
        out = docker(node, "ps", "--filter", f"label=com.docker.stack.namespace={STACK}",
                     "--format", '{{.ID}} {{.Label "com.docker.swarm.service.name"}}', check=False)
        for line in out.splitlines():
            cid, service = line.split()
            pid = docker(node, "inspect", "--format", "{{.State.Pid}}", cid).strip()
            found.setdefault(service[len(STACK) + 1:], []).append((node, cid, int(pid)))
    return found


def cgroup_mb(node):
    """container id (short) → memory the engine charges to its cgroup, as `docker stats` reports it."""
    out = docker(node, "stats", "--no-stream", "--format", "{{.ID}} {{.MemUsage}}", check=False)
    usage = {}
    scale = {"B": 1 / 2**20, "KiB": 1 / 1024, "MiB": 1, "GiB": 1024, "TiB": 2**20}
    for line in out.splitlines():
        cid, amount = line.split(" ", 1)
        # "45.3MiB / 384MiB"; a container just gone reads "0B / 0B" or "-- / --".
        match = re.match(r"([\d.]+)\s*(B|KiB|MiB|GiB|TiB)\b", amount)
        if match:
            usage[cid[:12]] = float(match.group(1)) * scale[match.group(2)]
    return usage


def measure(label, model):
    page = page_address()
    start = read_json(page)
    wait("mining to go on", lambda: read_json(page)["hashes"] > start["hashes"], 60)
    time.sleep(WARMUP)
    running = containers()
    cpu_before = {(kind, pid): cpu_seconds(pid) for kind, items in running.items() for _, _, pid in items}
    cpu_started = time.monotonic()
    first = read_json(page)
    time.sleep(WINDOW)
    last = read_json(page)
    cpu_after = {key: cpu_seconds(key[1]) for key in cpu_before}
    cpu_elapsed = time.monotonic() - cpu_started
    speed = (last["hashes"] - first["hashes"]) / (last["now"] - first["now"])
    charged = {}
    for node in range(1, NODES + 1):
        charged.update(cgroup_mb(node))
    kinds = {}
    for kind, items in running.items():
        # Only the processes that lived through the whole window count.
        alive = [(cid, pid) for _, cid, pid in items if cpu_before[(kind, pid)] is not None and cpu_after[(kind, pid)] is not None]
        rss = [r for r in (rss_mb(pid) for _, pid in alive) if r is not None]
        cgroup = [charged[cid[:12]] for cid, _ in alive if cid[:12] in charged]
        cpu = [cpu_after[(kind, pid)] - cpu_before[(kind, pid)] for _, pid in alive]
        if rss and cpu:
            kinds[kind] = (len(items), sum(rss) / len(rss), sum(cgroup) / len(cgroup) if cgroup else float("nan"), 100 * sum(cpu) / cpu_elapsed / len(cpu))
    spread = {}
    for service, node in running_tasks():
        if service == "worker":
            spread[node] = spread.get(node, 0) + 1
    log(f"{label}: {speed:.2f} hashes/s (model {model:.1f})")
    return label, speed, model, kinds, spread


def main():
    if os.geteuid() != 0:
        raise SystemExit("needs root, like eng/cluster.sh")
    started = subprocess.run(["bash", CLUSTER, "status"], capture_output=True).returncode != 0
    if started:
        log("no cluster up: starting one (stopped again at the end)")
        run("bash", CLUSTER, "start", str(NODES), timeout=1200)
    folder = tempfile.mkdtemp(prefix="brkcoin-bench-cluster-")
    env = cluster_env()
    results = []
    try:
        docker(1, "node", "update", "--label-add", "brkcoin.wallet=true", "node1")
        common = ["--output-path", folder, "--Deploy:Target", "swarm", "--Deploy:Project", STACK, "--Deploy:EndpointMode", "dnsrr",
                  "--Deploy:Registry", env["BRKCOIN_CLUSTER_REGISTRY"], "--Deploy:BaseImage", env["BRKCOIN_BASE_IMAGE"], "--Deploy:NativeBaseImage", env["BRKCOIN_NATIVE_BASE_IMAGE"],
                  "--Deploy:RedisImage", env["BRKCOIN_REDIS_IMAGE"]]
        apphost = ["dotnet", "run", "--project", os.path.join(ROOT, "BrkCoin.AppHost"), "--", "--operation", "publish"]
        build_env = dict(os.environ, DOCKER_HOST=socket_of(1),
                         DOTNET_CONTAINER_INSECURE_REGISTRIES=f"{env['BRKCOIN_CLUSTER_REGISTRY']},{env['BRKCOIN_BASE_IMAGE'].split('/')[0]}")
        log("deploying with one worker (the deploy step: images, stack, health)")
        run(*apphost, "--step", "deploy", *common, "--Mining:Workers=1", env=build_env, timeout=1200)
        wait_for_tasks(1, 1)
        results.append(measure("1 worker, 1 rng", 10 / 3))

        docker(1, "service", "scale", "--detach=false", f"{STACK}_worker=10", timeout=600)
        wait_for_tasks(10, 1)
        results.append(measure("10 workers, 1 rng", 10.0))

        # A service cannot change from replicated to global in place: rng goes, then comes back one per node.
        docker(1, "service", "rm", f"{STACK}_rng")
        run(*apphost, "--step", "publish", *common, "--Mining:Workers=10", "--Deploy:RngPerNode=true", env=build_env)
        docker(1, "stack", "deploy", "--resolve-image", "never", "-c", os.path.join(folder, "docker-stack.yaml"), STACK)
        wait_for_tasks(10, NODES)
        results.append(measure(f"10 workers, one rng per node ({NODES})", 30.0))
    finally:
        docker(1, "stack", "rm", STACK, check=False)
        shutil.rmtree(folder, ignore_errors=True)
        if started:
            run("bash", CLUSTER, "stop", check=False)

    print(f"\nBrkCoin on the workshop's cluster: {NODES} nodes (eng/cluster.sh), Swarm stack, dnsrr; "
          f"warm-up {WARMUP} s, window {WINDOW} s, {os.cpu_count()} cores shared by every node\n")
    print(f"{'shape':42} {'hashes/s':>9} {'model':>6} {'of model':>9}  workers per node")
    for label, speed, model, _, spread in results:
        print(f"{label:42} {speed:9.2f} {model:6.1f} {100 * speed / model:8.0f} %  {', '.join(f'{n}: {c}' for n, c in sorted(spread.items()))}")
    for label, _, _, kinds, _ in results:
        print(f"\n{label}: per container kind (averages)")
        print(f"{'kind':8} {'count':>5} {'RSS MB':>8} {'cgroup MB':>10} {'CPU %':>7}")
        for kind in KINDS:
            if kind in kinds:
                count, rss, cgroup, cpu = kinds[kind]
                print(f"{kind:8} {count:5} {rss:8.1f} {cgroup:10.1f} {cpu:7.1f}")


if __name__ == "__main__":
    main()
