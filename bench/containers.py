#!/usr/bin/env python3
"""BrkCoin in containers (not a test): the Compose deployment on the real engine of eng/engine.sh,
today's images against the images of an earlier commit (JIT on the Debian runtime-deps base), in
the same run, one deployment at a time.

For each shape and each set of images it publishes the deployment files from that commit's own
AppHost, runs `docker-compose up -d`, and prints: hashes/s against the workshop's model; the time
from `up` to every service healthy (Docker's own health status) and to the first hash in Redis;
how long each kind of service took from its container's start to "Application started"; then,
after a warm-up, over a window: CPU cores per kind of container (the cgroup's cpuacct), memory per
container (the main process's RSS, and the cgroup's own figure: usage less inactive page cache, as
`docker stats` shows it); and the size of every image.

    flock /tmp/brkcoin-engine.lock bash bench/containers.sh     # build both sets of images, every shape
    SKIP_BUILD=1 bash bench/containers.sh                     # reuse the images of an earlier run
    BEFORE=<commit> bash bench/containers.sh                  # compare against another commit
    WINDOW=20 WARMUP=5 bash bench/containers.sh
    SHAPES="1 worker" SKIP_BUILD=1 bash bench/containers.sh   # only the shapes named (comma-separated)

The engine is started when it is not running, and then stopped at the end. Bounded: about
15 minutes with both builds on 2 cores.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime

from procfs import cgroup_path, rss_mb

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENGINE = os.path.join(ROOT, "eng", "engine.sh")
# The last commit whose rng, hasher and worker images were JIT builds on the Debian base.
BEFORE = os.environ.get("BEFORE", "3a3f6ee")
WARMUP = int(os.environ.get("WARMUP", "10"))
WINDOW = int(os.environ.get("WINDOW", "30"))
UP_TIMEOUT = 120
PROJECT = "brkbench"
PASSWORD = "BenchPassword1"
KINDS = ["rng", "hasher", "worker", "webui", "redis"]

# (label, AppHost arguments, model in hashes/s or None for throughput mode)
SHAPES = [
    ("1 worker", ["--Mining:Workers=1"], 10 / 3),
    ("10 workers", ["--Mining:Workers=10"], 10.0),
    ("10 workers x 5 rng", ["--Mining:Workers=10", "--Mining:RngReplicas=5"], 100 / 3),
    ("throughput 1 worker x 16 loops", ["--Mining:Throughput=true", "--Mining:LoopsPerWorker=16"], None),
]


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run(args, env=None, cwd=None, check=True, timeout=900):
    result = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    return result.stdout


def engine_env():
    env = dict(os.environ)
    for line in run(["bash", ENGINE, "env"]).splitlines():
        name, value = line.replace("export ", "", 1).split("=", 1)
        env[name] = value
    return env


def before_tree():
    """A detached worktree of BEFORE, outside the repository; removed at the end of the run."""
    path = os.path.join(tempfile.gettempdir(), f"brkcoin-bench-{BEFORE}")
    if not os.path.isdir(path):
        run(["git", "-C", ROOT, "worktree", "add", "--detach", path, BEFORE])
    return path


def build(root, tag, env):
    """The images as that commit's eng/engine.sh builds them; returns the seconds it took."""
    started = time.monotonic()
    run(["bash", os.path.join(root, "eng", "engine.sh"), "images"], env={**env, "BRKCOIN_IMAGE_TAG": tag})
    return time.monotonic() - started


def publish(root, tag, shape_args, output, env):
    apphost = os.path.join(root, "BrkCoin.AppHost", "bin", "Release", "net10.0", "BrkCoin.AppHost.dll")
    run(["dotnet", apphost, "--operation", "publish", "--step", "publish", "--output-path", output,
         f"--Deploy:Tag={tag}", f"--Deploy:RedisImage={env['BRKCOIN_REDIS_IMAGE']}",
         "--Deploy:WebUiAddress=127.0.0.1", "--Deploy:WebUiPort=18080",
         f"--Parameters:redis-password={PASSWORD}", *shape_args], env=env, cwd=root, timeout=180)


def compose(folder, env, *args, check=True):
    return run(["docker-compose", "-p", PROJECT, "-f", os.path.join(folder, "docker-compose.yaml"), *args],
               env=env, cwd=folder, check=check, timeout=300)


def containers(env):
    ids = run(["docker", "ps", "-q", "--filter", f"label=com.docker.compose.project={PROJECT}"], env=env).split()
    if not ids:
        return []
    return json.loads(run(["docker", "inspect", *ids], env=env))


def kind_of(container):
    return container["Config"]["Labels"].get("com.docker.compose.service", "?")


def parse_time(text):
    # Docker's RFC 3339 with nanoseconds; keep microseconds.
    text = re.sub(r"(\.\d{6})\d*", r"\1", text.replace("Z", "+00:00"))
    return datetime.fromisoformat(text).timestamp()


def hashes(env, redis_id):
    out = run(["docker", "exec", "-e", f"REDISCLI_AUTH={PASSWORD}", redis_id, "redis-cli", "GET", "hashes"],
              env=env, check=False).strip()
    return int(out) if out.isdigit() else 0


def cpu_ns(pid):
    path = cgroup_path(pid, "cpuacct")
    for mount in ("cpu,cpuacct", "cpuacct"):
        file = f"/sys/fs/cgroup/{mount}{path}/cpuacct.usage"
        if os.path.exists(file):
            return int(open(file).read())
    return int(open(f"/sys/fs/cgroup{cgroup_path(pid, '')}/cpu.stat").read().split()[1]) * 1000  # cgroup v2


def memory_mb(pid):
    """(RSS of the container's main process, the cgroup's usage less inactive file pages) in MB."""
    rss = rss_mb(pid)
    if rss is None:
        rss = 0
    path = cgroup_path(pid, "memory")
    folder = f"/sys/fs/cgroup/memory{path}"
    if os.path.isdir(folder):
        usage = int(open(f"{folder}/memory.usage_in_bytes").read())
        stat = dict(line.split() for line in open(f"{folder}/memory.stat"))
        charged = usage - int(stat.get("total_inactive_file", 0))
    else:  # cgroup v2
        folder = f"/sys/fs/cgroup{cgroup_path(pid, '')}"
        stat = dict(line.split() for line in open(f"{folder}/memory.stat"))
        charged = int(open(f"{folder}/memory.current").read()) - int(stat.get("inactive_file", 0))
    return rss, charged / 1024 / 1024


def started_after(env, container):
    """Seconds from the container's start to its 'Application started' log line (None for redis)."""
    out = run(["docker", "logs", "--timestamps", container["Id"]], env=env, check=False)
    for line in out.splitlines():
        if "Application started" in line:
            return parse_time(line.split(" ", 1)[0]) - parse_time(container["State"]["StartedAt"])
    return None


def measure(folder, env, model):
    # Whatever happens while measuring, the shape's containers go: an engine that was already
    # running would otherwise keep them mining after the bench.
    try:
        return measure_up(folder, env, model)
    finally:
        compose(folder, env, "down", "-v", "--remove-orphans", check=False)


def measure_up(folder, env, model):
    compose(folder, env, "down", "-v", "--remove-orphans", check=False)
    up = time.time()
    compose(folder, env, "up", "-d")
    healthy_at = first_hash_at = None
    while time.time() - up < UP_TIMEOUT and (healthy_at is None or first_hash_at is None):
        found = containers(env)
        checked = [c for c in found if "Health" in c["State"]]
        if healthy_at is None and checked and all(c["State"]["Health"]["Status"] == "healthy" for c in checked):
            healthy_at = time.time()
        redis = [c for c in found if kind_of(c) == "redis"]
        if first_hash_at is None and redis and hashes(env, redis[0]["Id"]) > 0:
            first_hash_at = time.time()
        time.sleep(0.25)
    found = containers(env)
    ready = {}
    for container in found:
        seconds = started_after(env, container)
        if seconds is not None:
            ready[kind_of(container)] = max(ready.get(kind_of(container), 0), seconds)

    time.sleep(WARMUP)
    found = containers(env)
    redis_id = next(c["Id"] for c in found if kind_of(c) == "redis")
    pids = {c["Id"]: (kind_of(c), c["State"]["Pid"]) for c in found}
    cpu_before = {cid: cpu_ns(pid) for cid, (_, pid) in pids.items()}
    hashes_before, started = hashes(env, redis_id), time.monotonic()
    # Memory sampled three times over the window; each container's highest figures are kept.
    memory = {}
    for _ in range(3):
        time.sleep(WINDOW / 3)
        for cid, (_, pid) in pids.items():
            if not os.path.exists(f"/proc/{pid}"):
                continue  # restarted: counted below, and its figures are the ones sampled before
            rss, charged = memory_mb(pid)
            old = memory.get(cid, (0, 0))
            memory[cid] = (max(old[0], rss), max(old[1], charged))
    elapsed = time.monotonic() - started
    hashes_after = hashes(env, redis_id)
    cpu_after = {cid: cpu_ns(pid) if os.path.exists(f"/proc/{pid}") else cpu_before[cid] for cid, (_, pid) in pids.items()}
    restarts = sum(c["RestartCount"] for c in containers(env))

    kinds = {}
    for cid, (kind, _) in pids.items():
        entry = kinds.setdefault(kind, {"count": 0, "cores": 0.0, "rss": [], "cgroup": []})
        entry["count"] += 1
        entry["cores"] += (cpu_after[cid] - cpu_before[cid]) / 1e9 / elapsed
        entry["rss"].append(memory.get(cid, (0, 0))[0])
        entry["cgroup"].append(memory.get(cid, (0, 0))[1])
    return {
        "speed": (hashes_after - hashes_before) / elapsed,
        "model": model,
        "healthy": None if healthy_at is None else healthy_at - up,
        "first_hash": None if first_hash_at is None else first_hash_at - up,
        "ready": ready,
        "kinds": kinds,
        "restarts": restarts,
    }


def image_sizes(tag, env):
    sizes = {}
    for kind in ["rng", "hasher", "worker", "webui"]:
        out = run(["docker", "image", "inspect", "-f", "{{.Size}}", f"brkcoin-{kind}:{tag}"], env=env, check=False).strip()
        sizes[kind] = int(out) / 1e6 if out.isdigit() else None
    return sizes


def mean(values):
    return sum(values) / len(values) if values else 0


def print_tables(results, sizes, builds, variants):
    print(f"\nCompose on eng/engine.sh's engine, {os.cpu_count()} cores; warm-up {WARMUP} s, window {WINDOW} s.")
    print("RSS / cgroup: MB per container (mean of that kind), cgroup = usage less inactive page cache.")
    print("ready: the slowest container of each kind, from its start to 'Application started' (rng / hasher / worker / webui).\n")
    print("| shape | images | hashes/s (vs model) | up → all healthy | up → first hash | ready (s) | "
          + " | ".join(f"{k} RSS / cgroup" for k in KINDS) + " | " + " | ".join(f"{k} cores" for k in KINDS) + " |")
    print("|---" * (6 + 2 * len(KINDS)) + "|")
    for (shape, variant), r in results.items():
        speed = f"{r['speed']:,.1f}"
        if r["model"]:
            speed += f" ({(r['speed'] / r['model'] - 1) * 100:+.0f} %)"
        if r["restarts"]:
            speed += f", {r['restarts']} container restarts"
        seconds = lambda v: "—" if v is None else f"{v:.1f} s"
        ready = " / ".join(f"{r['ready'][k]:.1f}" if k in r["ready"] else "—" for k in ["rng", "hasher", "worker", "webui"])
        memory = []
        cores = []
        for kind in KINDS:
            entry = r["kinds"].get(kind)
            if entry is None:
                memory.append("—")
                cores.append("—")
                continue
            memory.append(f"{mean(entry['rss']):.0f} / {mean(entry['cgroup']):.0f}")
            cores.append(f"{entry['cores']:.3f}" + (f" ({entry['count']})" if entry["count"] > 1 else ""))
        print(f"| {shape} | {variant} | {speed} | {seconds(r['healthy'])} | {seconds(r['first_hash'])} | "
              f"{ready} | " + " | ".join(memory) + " | " + " | ".join(cores) + " |")
    print("\nImage sizes (MB, as `docker image inspect` counts them) and build time of the four images:\n")
    print("| images | " + " | ".join(["rng", "hasher", "worker", "webui"]) + " | build |")
    print("|---" * 6 + "|")
    for label, tag, _ in variants:
        row = [f"{sizes[tag][k]:.0f}" if sizes[tag][k] else "—" for k in ["rng", "hasher", "worker", "webui"]]
        build = f"{builds[tag]:.0f} s" if tag in builds else "—"
        print(f"| {label} | " + " | ".join(row) + f" | {build} |")


def stop_on_sigterm(signum, frame):
    # A timeout's SIGTERM becomes an exception, so the cleanup blocks run as they do on Ctrl-C.
    raise KeyboardInterrupt(f"signal {signum}")


def main():
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    # The docs write "×" where these names have "x"; either is taken.
    chosen = [name.strip().replace("×", "x") for name in os.environ.get("SHAPES", "").split(",") if name.strip()]
    unknown = [name for name in chosen if name not in [shape for shape, _, _ in SHAPES]]
    if unknown:
        raise SystemExit(f"unknown shape(s) {unknown}; the shapes are: {', '.join(s for s, _, _ in SHAPES)}")
    if not shutil.which("docker-compose"):
        raise SystemExit("docker-compose is needed (Debian's docker-compose)")
    started_engine = subprocess.run(["bash", ENGINE, "status"], capture_output=True).returncode != 0
    if started_engine:
        log("starting eng/engine.sh")
        run(["bash", ENGINE, "start"], timeout=900)
    try:
        env = engine_env()
        # Named by commit only: what the images hold depends on the commits compared.
        variants = [(f"before ({BEFORE})", "jit", before_tree()),
                    ("now (this checkout)", "aot", ROOT)]
        builds = {}
        if os.environ.get("SKIP_BUILD") != "1":
            for label, tag, root in variants:
                log(f"building the images of {label}")
                builds[tag] = build(root, tag, env)
        for _, _, root in variants:  # that commit's AppHost writes its deployment files
            run(["dotnet", "build", os.path.join(root, "BrkCoin.AppHost"), "-c", "Release", "-nologo", "-v:q"])
        sizes = {tag: image_sizes(tag, env) for _, tag, _ in variants}
        results = {}
        work = tempfile.mkdtemp(prefix="brkcoin-containers-")
        try:
            for index, (shape, args, model) in enumerate(SHAPES):
                if chosen and shape not in chosen:
                    continue
                for label, tag, root in variants:
                    folder = os.path.join(work, f"{tag}-{index}")
                    publish(root, tag, args, folder, env)
                    log(f"{shape}, {label}")
                    results[(shape, label)] = measure(folder, env, model)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        print_tables(results, sizes, builds, variants)
    finally:
        before = os.path.join(tempfile.gettempdir(), f"brkcoin-bench-{BEFORE}")
        if os.path.isdir(before):
            run(["git", "-C", ROOT, "worktree", "remove", "--force", before], check=False)
        if started_engine:
            log("stopping eng/engine.sh")
            run(["bash", ENGINE, "stop"], check=False)


if __name__ == "__main__":
    main()
