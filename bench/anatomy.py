#!/usr/bin/env python3
"""Where each kind of BrkCoin service spends its memory, and what it does every second, in run mode.

    bash bench/anatomy.sh                              # the workshop's 10 workers x 5 rng
    bash bench/anatomy.sh --Mining:Workers=1           # any AppHost arguments: another shape

Starts the AppHost as bench/run.py does, waits WARMUP seconds after the first hash, then watches
every rng, hasher, worker and web UI process for WINDOW seconds and prints one row per kind
(the average of its processes):

- memory by PSS, from /proc/<pid>/smaps: the managed assemblies (.dll files), native libraries
  (.so), JIT-compiled code (anonymous executable memory, or the runtime's double-mapped code heap
  when W^X is on), thread stacks (a read-write mapping right above a one-page guard), the
  C library's main heap ([heap]), and the rest of the anonymous memory: the GC heap, whose
  committed size the runtime itself reports beside it, the runtime's own heaps (type data, stubs,
  loader heaps) and the C library's other arenas, which smaps does not tell apart;
- every second: CPU, context switches (wake-ups), HTTP requests served and sent, thread-pool work
  items, timers and GCs, from the runtime's own counters read with dotnet-counters (installed as
  the repository's local tool: `dotnet tool restore`). The counters come from the first process
  of each kind only, and that process also carries the counter session's own small cost.

Memory is in MiB (the smaps kB / 1024, as bench/run.py gives it), the GC's figures too.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import procfs  # noqa: E402
import run  # noqa: E402  (the same start, stop and process kinds as the main bench)

KINDS = ("Rng", "Hasher", "Worker", "WebUi")
MIB = 1024 * 1024
WORKSHOP = ["--Mining:Workers=10", "--Mining:RngReplicas=5"]
# The runtime's meter; ASP.NET Core's and HttpClient's event counters, whose request rates are
# counts (their meters' durations are histograms, which dotnet-counters shows as percentiles).
COUNTERS = r"System.Runtime,EventCounters\Microsoft.AspNetCore.Hosting,EventCounters\System.Net.Http"


def service_pids():
    """kind -> [pid] for this checkout's Release services (their own executables, not `dotnet run`):
    a test run's services (Debug) or another checkout's are left out."""
    found = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline") as f:
                program = f.read().split("\0")[0]
        except OSError:
            continue
        match = re.search(r"BrkCoin\.(Rng|Hasher|Worker|WebUi)(\.dll)?$", program)
        if match and program.startswith(run.ROOT + "/") and "/bin/Release/" in program:
            found.setdefault(match.group(1), []).append(pid)
    return found


def mappings(pid):
    """Each mapping of a process: (start, end, permissions, path, {field: kB})."""
    result = []
    with open(f"/proc/{pid}/smaps") as f:
        current = None
        for line in f:
            head = re.match(r"^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$", line)
            if head:
                current = (int(head.group(1), 16), int(head.group(2), 16), head.group(3), head.group(4).strip(), {})
                result.append(current)
            elif current and re.match(r"^\w+:\s+\d+ kB", line):
                key, value = line.split(":", 1)
                current[4][key] = int(value.split()[0])
    return result


def memory_parts(pid):
    """PSS in MB by what the memory holds (see the module's description for how each is told apart)."""
    parts = {}
    previous = None
    for start, end, perms, path, fields in mappings(pid):
        pss = fields.get("Pss", 0) / 1024
        if path.endswith(".dll"):
            part = "assemblies"
        elif re.search(r"\.so(\.|$)", path):
            part = "native libraries"
        elif "doublemapper" in path or (not path and "x" in perms):
            part = "JIT'd code"
        elif path == "[stack]" or (not path and perms.startswith("rw") and previous is not None
                                   and previous[1] == start and previous[2].startswith("---")
                                   and previous[1] - previous[0] == 4096):
            part = "thread stacks"
        elif path == "[heap]":
            part = "C main heap"
        elif not path:
            part = "GC heap + runtime heaps"
        else:
            part = "other files"
        parts[part] = parts.get(part, 0) + pss
        previous = (start, end, perms)
    return parts


def switches(pid):
    """Context switches of all the process's threads so far (each is a wake-up or a preemption)."""
    total = 0
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return None
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                total += sum(int(line.split()[1]) for line in f if "ctxt_switches" in line)
        except OSError:
            continue
    return total


def threads(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("Threads:"))


def start_counters(pid, seconds, folder):
    """dotnet-counters collecting the runtime's and ASP.NET Core's counters of one process to JSON."""
    out = os.path.join(folder, f"{pid}.json")
    process = subprocess.Popen(
        ["dotnet", "dotnet-counters", "collect", "--process-id", pid, "--counters", COUNTERS, "--refresh-interval", "1",
         "--format", "json", "--output", out, "--duration", time.strftime("00:%H:%M:%S", time.gmtime(seconds))],
        cwd=run.ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return process, out


def read_counters(path):
    """name (with its tags) -> the values it reported, in order; {} when the file is missing or cut."""
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return {}
    # A collection stopped by its --duration may leave the JSON array unclosed.
    text = text.strip().rstrip(",")
    for ending in ("", "]}", "]}]}"):
        try:
            document = json.loads(text + ending)
            break
        except json.JSONDecodeError:
            document = None
    if not document:
        return {}
    series = {}
    for event in document.get("Events", []):
        tags = event.get("tags") or ""
        name = event["name"] + (f" [{tags}]" if tags else "")
        series.setdefault(name, []).append(float(event["value"]))
    return series


def counter(series, pattern, how="last"):
    """One figure from the counters whose name matches: the last value, or the mean of a rate."""
    names = [name for name in series if re.search(pattern, name) and series[name]]
    if not names:
        return None
    if how == "rate":
        # A rate is reported per refresh interval (1 s) and per tag set: summed across tags, averaged over time.
        per_name = [sum(series[n][1:] or series[n]) / max(1, len(series[n][1:] or series[n])) for n in names]
        return sum(per_name)
    return sum(series[n][-1] for n in names)


def measure(arguments):
    data = tempfile.mkdtemp(prefix="brkcoin-anatomy-")
    apphost, first_hash = run.launch(arguments, data)
    folder = None
    try:
        if first_hash is None:
            sys.exit("no hash within 120 s")
        time.sleep(run.WARMUP)
        pids = service_pids()
        folder = tempfile.mkdtemp(prefix="brkcoin-counters-")
        # One collector per kind (the first process of each): each collector is itself a .NET
        # process, and one per service would weigh on the figures it takes.
        collectors = {kind: start_counters(pids[kind][0], run.WINDOW + 2, folder) for kind in KINDS if kind in pids}
        time.sleep(1)
        before = {pid: (procfs.cpu_seconds(pid), switches(pid)) for ps in pids.values() for pid in ps}
        time.sleep(run.WINDOW)
        after = {pid: (procfs.cpu_seconds(pid), switches(pid)) for ps in pids.values() for pid in ps}
        rows = []
        for kind in KINDS:
            if kind not in pids:
                continue
            measured = {}
            for pid in pids[kind]:
                if None in before[pid] or None in after[pid]:
                    continue  # gone, or restarted, during the window
                try:
                    measured[pid] = (memory_parts(pid), run.memory_kb(pid, "Rss") / 1024, threads(pid))
                except (OSError, StopIteration):
                    continue  # gone since
            process, out = collectors[kind]
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
            alive = list(measured)
            if not alive:
                continue
            parts = {}
            for pid in alive:
                for part, mb in measured[pid][0].items():
                    parts[part] = parts.get(part, 0) + mb / len(alive)
            series = read_counters(out)
            rows.append({
                "kind": kind.lower(),
                "processes": len(alive),
                "pss": sum(parts.values()),
                "rss": sum(measured[pid][1] for pid in alive) / len(alive),
                "parts": parts,
                "gc_committed": (counter(series, r"^dotnet\.gc\.last_collection\.memory\.committed_size") or 0) / MIB,
                "gc_heap": (counter(series, r"^dotnet\.gc\.last_collection\.heap\.size") or 0) / MIB,
                "threads": sum(measured[pid][2] for pid in alive) / len(alive),
                "cpu_ms": sum(after[pid][0] - before[pid][0] for pid in alive) / len(alive) / run.WINDOW * 1000,
                "switches": sum(after[pid][1] - before[pid][1] for pid in alive) / len(alive) / run.WINDOW,
                "served": counter(series, r"^Request Rate", "rate"),
                "sent": counter(series, r"^Requests Started Rate", "rate"),
                "work_items": counter(series, r"^dotnet\.thread_pool\.work_item\.count", "rate"),
                "timers": counter(series, r"^dotnet\.timer\.count"),
                "gcs": counter(series, r"^dotnet\.gc\.collections", "rate"),
                "allocated": (counter(series, r"^dotnet\.gc\.heap\.total_allocated", "rate") or 0) / MIB,
                "jitted": counter(series, r"^dotnet\.jit\.compiled_methods", "rate"),
                "contentions": counter(series, r"^dotnet\.monitor\.lock_contentions", "rate"),
                "counters_seen": len(series),
            })
        return first_hash, rows
    finally:
        run.stop(apphost)
        subprocess.run(["rm", "-rf", data, *([folder] if folder else [])])


def figure(value, pattern):
    return "—" if value is None else format(value, pattern)


def main():
    arguments = sys.argv[1:] or WORKSHOP
    subprocess.run(["dotnet", "tool", "restore"], cwd=run.ROOT, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["dotnet", "build", "BrkCoin.AppHost", "-c", "Release", "-v", "q", "-nologo"], cwd=run.ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    first_hash, rows = measure(arguments)
    print(f"BrkCoin anatomy, {time.strftime('%Y-%m-%d')}, {run.CORES} cores, {' '.join(arguments)}, "
          f"warm-up {run.WARMUP} s, window {run.WINDOW} s, first hash {first_hash:.1f} s")
    parts = ["assemblies", "native libraries", "JIT'd code", "thread stacks", "C main heap", "GC heap + runtime heaps", "other files"]
    print("\nMemory per process, MiB (PSS unless named):\n")
    print("| service | processes | RSS | PSS | " + " | ".join(parts) + " | GC heap / committed (runtime's figures) | threads |")
    print("|---" * (len(parts) + 6) + "|")
    for row in rows:
        cells = " | ".join(f"{row['parts'].get(part, 0):.1f}" for part in parts)
        print(f"| {row['kind']} | {row['processes']} | {row['rss']:.1f} | {row['pss']:.1f} | {cells} | "
              f"{row['gc_heap']:.1f} / {row['gc_committed']:.1f} | {row['threads']:.0f} |")
    print("\nEvery second, per process:\n")
    print("| service | CPU ms | context switches | HTTP requests served | HTTP requests sent | thread-pool work items "
          "| allocated MB | GCs | timers | methods JIT'd | lock contentions |")
    print("|---" * 11 + "|")
    for row in rows:
        print(f"| {row['kind']} | {row['cpu_ms']:.1f} | {row['switches']:.0f} | {figure(row['served'], '.1f')} | "
              f"{figure(row['sent'], '.1f')} | {figure(row['work_items'], '.0f')} | {row['allocated']:.2f} | "
              f"{figure(row['gcs'], '.2f')} | {figure(row['timers'], '.0f')} | {figure(row['jitted'], '.1f')} | "
              f"{figure(row['contentions'], '.1f')} |")
    if any(row["counters_seen"] == 0 for row in rows):
        print("\n(no counters from some services: is dotnet-counters restored, and diagnostics enabled?)")


if __name__ == "__main__":
    main()
