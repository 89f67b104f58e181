#!/usr/bin/env python3
"""BrkCoin's benchmark over the running system (not a test): starts the AppHost in each shape in
turn, one at a time, and prints one table of speed against the workshop's model, CPU, memory,
CPU, RSS and PSS per kind of process, time to the first hash, and /json under wrk.

Public tools only: /proc, curl-free HTTP from Python's standard library, wrk from Debian.
Everything binds loopback; every run is bounded in time.

    bash bench/run.sh                  # every shape
    bash bench/run.sh classic          # the workshop's shapes only
    bash bench/run.sh json             # one worker and /json under wrk only
    bash bench/run.sh quick            # 1 worker (+ /json), 10 workers x 5 rng, throughput 1 x 16
    bash bench/run.sh throughput16     # throughput 1 x 16 alone: the wallet's write path
    WINDOW=20 bash bench/run.sh        # shorter measuring window
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
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WEBUI = "http://127.0.0.1:5100"
WARMUP = int(os.environ.get("WARMUP", "20"))   # seconds after the first hash before measuring
WINDOW = int(os.environ.get("WINDOW", "30"))   # seconds the speed and CPU are measured over
CORES = os.cpu_count() or 1

# (label, AppHost arguments, model in hashes/s or None for throughput mode)
CLASSIC = [
    ("classic 1 worker", ["--Mining:Workers=1"], 10 / 3 * 1),
    ("classic 2 workers", ["--Mining:Workers=2"], 10 / 3 * 2),
    ("classic 5 workers", ["--Mining:Workers=5"], 10.0),
    ("classic 10 workers", ["--Mining:Workers=10"], 10.0),
    ("classic 10 workers x 3 rng", ["--Mining:Workers=10", "--Mining:RngReplicas=3"], 30.0),
    ("classic 10 workers x 5 rng", ["--Mining:Workers=10", "--Mining:RngReplicas=5"], 100 / 3),
]
THROUGHPUT = [
    ("throughput 1 worker x 1 loop", ["--Mining:Throughput=true"], None),
    ("throughput 1 worker x 16 loops", ["--Mining:Throughput=true", "--Mining:LoopsPerWorker=16"], None),
    ("throughput 2 workers x 8 loops", ["--Mining:Throughput=true", "--Mining:Workers=2", "--Mining:LoopsPerWorker=8"], None),
]


def get_json(path, timeout=2):
    with urllib.request.urlopen(WEBUI + path, timeout=timeout) as response:
        return json.loads(response.read())


def cpu_jiffies():
    with open("/proc/stat") as stat:
        fields = [int(x) for x in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def mem_in_use_mb():
    info = {}
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            key, value = line.split(":", 1)
            info[key] = int(value.split()[0])
    return (info["MemTotal"] - info["MemAvailable"]) / 1024


def kind_of(cmdline):
    """Which part of the running system a process is, from its command line."""
    if re.search(r"BrkCoin\.AppHost", cmdline):
        # `dotnet run` stays resident as the AppHost's parent, as it did for every service before.
        return "apphost host" if "\0run\0" in cmdline else "apphost"
    if "dotnet run" in cmdline.replace("\0", " ") and re.search(r"BrkCoin\.(Rng|Hasher|Worker|WebUi)", cmdline):
        return "service host"
    if re.search(r"BrkCoin\.WebUi", cmdline):
        return "webui"
    if re.search(r"BrkCoin\.(Rng|Hasher|Worker)", cmdline):
        return "service"
    if "Aspire.Dashboard" in cmdline:
        return "dashboard"
    if re.search(r"/dcp(\0|$| )|/dcpctrl|/dcpproc|dcp\0start-apiserver|aspire\.hosting\.orchestration", cmdline):
        return "dcp"
    if re.search(r"(^|/)chrom(e|ium)[^\0]*\0", cmdline):
        return "browser"
    return None


def processes():
    """pid -> kind for every process of the running system."""
    found = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline") as f:
                kind = kind_of(f.read())
        except OSError:
            continue
        if kind:
            found[pid] = kind
    return found


def memory_kb(pid, field):
    """A field of /proc/<pid>/smaps_rollup in kB: Rss counts every page the process maps, Pss splits
    each shared page (the .NET framework's files, mapped by every service) between its sharers."""
    with open(f"/proc/{pid}/smaps_rollup") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))


def rss_by_kind():
    """kind -> [(RSS MB, PSS MB)] per process."""
    kinds = {}
    for pid, kind in processes().items():
        try:
            kinds.setdefault(kind, []).append((memory_kb(pid, "Rss") / 1024, memory_kb(pid, "Pss") / 1024))
        except (OSError, StopIteration):
            continue
    return kinds


def cpu_ticks_by_pid():
    """pid -> (kind, user + system clock ticks so far)."""
    ticks = {}
    for pid, kind in processes().items():
        try:
            with open(f"/proc/{pid}/stat") as f:
                # Fields after the command name, which may hold spaces: utime is the 12th, stime the 13th.
                fields = f.read().rsplit(")", 1)[1].split()
            ticks[pid] = (kind, int(fields[11]) + int(fields[12]))
        except (OSError, IndexError):
            continue
    return ticks


def cores_by_kind(before, after, seconds):
    """CPU cores each kind of process kept busy between two cpu_ticks_by_pid() samples."""
    hz = os.sysconf("SC_CLK_TCK")
    kinds = {}
    for pid, (kind, end) in after.items():
        start = before.get(pid, (kind, 0))[1]  # a process started in the window counts from zero
        kinds[kind] = kinds.get(kind, 0) + (end - start) / hz / seconds
    return kinds


def wrk(connections, seconds=10):
    try:
        out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", WEBUI + "/json"],
                             capture_output=True, text=True, timeout=seconds + 30).stdout
    except FileNotFoundError:
        return "wrk missing"
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"\n\s+50%\s+([\d.]+\w+)", out)
    p99 = re.search(r"\n\s+99%\s+([\d.]+\w+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    text = f"{float(rps.group(1)):,.0f} req/s p50 {p50.group(1)} p99 {p99.group(1)}" if rps and p50 and p99 else "wrk failed"
    if errors:
        text += f" errors: {errors.group(1)}"
    if non2xx:
        text += f" non-2xx: {non2xx.group(1)}"
    return text


def open_connections(port):
    """Established TCP connections to a local port (each open page holds one for its live charts)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    local, _, state = line.split()[1:4]
                    count += local.endswith(f":{port:04X}") and state == "01"
        except OSError:
            pass
    return count


def pages_cost(pages, seconds=20):
    """Cores the web UI (server) and the browser use while `pages` tabs show the page, in one
    headless Chromium; None when Chromium is not installed."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        return None
    profile = tempfile.mkdtemp(prefix="brkcoin-bench-chromium-")
    baseline = open_connections(5100)
    browser = subprocess.Popen(
        [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--mute-audio",
         f"--user-data-dir={profile}", "--remote-debugging-port=0", WEBUI + "/"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.time() + 60
        # Headless Chromium takes one URL on its command line; the other tabs are opened through
        # its DevTools endpoint (loopback, on the port it writes into the profile).
        active = os.path.join(profile, "DevToolsActivePort")
        while time.time() < deadline and not os.path.exists(active):
            time.sleep(0.2)
        time.sleep(0.5)
        with open(active) as f:
            devtools = f"http://127.0.0.1:{f.readline().strip()}"
        for _ in range(pages - 1):
            request = urllib.request.Request(f"{devtools}/json/new?{WEBUI}/", method="PUT")
            urllib.request.urlopen(request, timeout=10).read()
        while time.time() < deadline and open_connections(5100) - baseline < pages:
            time.sleep(0.5)
        connected = open_connections(5100) - baseline
        time.sleep(5)  # past the first render
        before = cpu_ticks_by_pid()
        time.sleep(seconds)
        cores = cores_by_kind(before, cpu_ticks_by_pid(), seconds)
        return {"pages": pages, "connected": connected, "webui": cores.get("webui", 0), "browser": cores.get("browser", 0)}
    finally:
        os.killpg(browser.pid, signal.SIGKILL)
        browser.wait()
        shutil.rmtree(profile, ignore_errors=True)


def stop(apphost):
    try:
        os.killpg(apphost.pid, signal.SIGTERM)
        apphost.wait(timeout=60)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(apphost.pid, signal.SIGKILL)
    # DCP stops the services a moment after the AppHost; the next shape needs the ports back.
    deadline = time.time() + 60
    while time.time() < deadline and any(rss_by_kind().get(k) for k in ("service", "webui", "service host", "dcp", "dashboard")):
        time.sleep(1)


def launch(arguments, data, timeline=None):
    """Starts the AppHost (embedded wallet in `data`) and waits for the first hash: (process,
    seconds to the first hash or None after 120 s). `timeline` gets when each kind of process
    first showed and when /json first answered: where the start-up seconds go."""
    timeline = {} if timeline is None else timeline
    started = time.time()
    apphost = subprocess.Popen(
        ["dotnet", "run", "--project", "BrkCoin.AppHost", "-c", "Release", "--no-build", "--",
         "--Mining:Redis:Backend=Embedded", f"--Mining:Redis:DataPath={data}", *arguments],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        while time.time() - started < 120:
            for kind in set(processes().values()) - set(timeline):
                timeline[kind] = time.time() - started
            try:
                json_reply = get_json("/json", timeout=1)
                timeline.setdefault("/json answers", time.time() - started)
                if json_reply["hashes"] > 0:
                    return apphost, time.time() - started
            except Exception:
                pass
            time.sleep(0.1)
    except BaseException:
        stop(apphost)
        raise
    return apphost, None


def measure(label, arguments, model, with_wrk):
    baseline_mem = mem_in_use_mb()
    data = tempfile.mkdtemp(prefix="brkcoin-bench-")
    timeline = {}
    apphost, first_hash = launch(arguments, data, timeline)
    try:
        if first_hash is None:
            return {"label": label, "error": "no hash within 120 s"}

        time.sleep(WARMUP)
        busy0, total0 = cpu_jiffies()
        ticks0 = cpu_ticks_by_pid()
        a = get_json("/json")
        time.sleep(WINDOW)
        b = get_json("/json")
        busy1, total1 = cpu_jiffies()
        ticks1 = cpu_ticks_by_pid()
        kinds = rss_by_kind()
        mem = mem_in_use_mb() - baseline_mem

        speed = (b["hashes"] - a["hashes"]) / (b["now"] - a["now"])
        cores = (busy1 - busy0) / (total1 - total0) * CORES
        by_kind = cores_by_kind(ticks0, ticks1, b["now"] - a["now"])
        # What serves the developer rather than mines: the dashboard, DCP and its proxies, the AppHost.
        support = sum(by_kind.get(k, 0) for k in ("dashboard", "dcp", "apphost", "apphost host"))
        row = {
            "label": label,
            "speed": speed,
            "model": model,
            "cores": cores,
            "cpu_ms_per_hash": cores * 1000 / speed if speed > 0 else float("nan"),
            "mem_mb": mem,
            "first_hash": first_hash,
            "timeline": timeline,
            "rss": {k: (len(v), sum(r for r, _ in v) / len(v), sum(p for _, p in v) / len(v)) for k, v in kinds.items()},
            "cpu": by_kind,
            "support_share": support / cores if cores > 0 else float("nan"),
        }
        if with_wrk:
            row["wrk16"] = wrk(16)
            row["wrk500"] = wrk(500)
            row["pages"] = [cost for cost in (pages_cost(1), pages_cost(20)) if cost]
        return row
    finally:
        stop(apphost)
        subprocess.run(["rm", "-rf", data])


def print_row(row, with_timeline=False):
    if "error" in row:
        print(f"| {row['label']} | {row['error']} |")
        return
    model = f"{row['model']:.1f}" if row["model"] else "—"
    off = f" ({(row['speed'] / row['model'] - 1) * 100:+.0f}%)" if row["model"] else ""
    rss = "; ".join(f"{k} {n}× {rss:.0f}/{pss:.0f} MB" for k, (n, rss, pss) in sorted(row["rss"].items()))
    cpu = "; ".join(f"{k} {c:.2f}" for k, c in sorted(row["cpu"].items()))
    print(f"| {row['label']} | {row['speed']:,.1f}{off} | {model} | {row['cores']:.2f} | {row['cpu_ms_per_hash']:.2f} | "
          f"{cpu}; support {row['support_share']:.0%} | {row['mem_mb']:,.0f} MB | {rss} | {row['first_hash']:.1f} s |")
    for key in ("wrk16", "wrk500"):
        if key in row:
            print(f"|   /json, {key[3:]} connections | {row[key]} | | | | | | | |")
    if with_timeline:
        steps = ", ".join(f"{kind} {at:.1f} s" for kind, at in sorted(row["timeline"].items(), key=lambda item: item[1]))
        print(f"|   start-up | {steps}, first hash {row['first_hash']:.1f} s | | | | | | | |")
    for cost in row.get("pages", []):
        print(f"|   {cost['pages']} open page(s) ({cost['connected']} connected) | web UI {cost['webui']:.3f} cores, "
              f"headless Chromium {cost['browser']:.2f} cores | | | | | | | |")


def main():
    which = sys.argv[1] if len(sys.argv) > 1 else "all"
    shapes = {
        "classic": CLASSIC,
        "throughput": THROUGHPUT,
        "json": CLASSIC[:1],
        # One of each kind, for a quick before/after of a change.
        "quick": [CLASSIC[0], CLASSIC[-1], THROUGHPUT[1]],
        "big": CLASSIC[-1:],
        "throughput16": THROUGHPUT[1:2],
    }.get(which, CLASSIC + THROUGHPUT)
    subprocess.run(["dotnet", "build", "BrkCoin.AppHost", "-c", "Release", "-v", "q", "-nologo"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    print(f"BrkCoin benchmark, {time.strftime('%Y-%m-%d')}, {CORES} cores, warm-up {WARMUP} s, window {WINDOW} s")
    print("| shape | hashes/s (vs model) | model | CPU cores busy | CPU-ms per hash | cores per process kind; share of dashboard + DCP + AppHost "
          "| memory in use | RSS/PSS per process kind (count × average) | first hash |")
    print("|---|---|---|---|---|---|---|---|---|")
    for label, arguments, model in shapes:
        # /json and the open pages are measured once, on the first workshop shape.
        first = label == CLASSIC[0][0]
        print_row(measure(label, arguments, model, with_wrk=first), with_timeline=first)
        sys.stdout.flush()


if __name__ == "__main__":
    main()
