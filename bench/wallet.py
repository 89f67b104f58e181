"""The embedded wallet over time: what mining costs it on disk and at the next start.

Starts the Release AppHost (`dotnet run -c Release --no-build`) on the embedded wallet (Garnet,
`--Mining:Redis:Backend=Embedded`) in a fresh data folder, in throughput mode, and prints the
time from `dotnet run` to the first hash on that empty wallet, the hash rate and the data
folder's size each minute it mines, and then the same start-up time on the wallet it left.

    bash bench/wallet.sh                  # 3 minutes of 1 worker x 16 loops
    MINUTES=5 bash bench/wallet.sh
    REPO=/path/to/another/checkout bash bench/wallet.sh   # the same on another build of BrkCoin
"""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request

ROOT = os.environ.get("REPO") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WEBUI = "http://127.0.0.1:5100"
MINUTES = int(os.environ.get("MINUTES", "3"))
LOOPS = int(os.environ.get("LOOPS", "16"))


def totals():
    with urllib.request.urlopen(WEBUI + "/json", timeout=1) as response:
        reply = json.loads(response.read())
    return reply["hashes"], reply["coins"]


def folder_mb(path):
    size = 0
    for folder, _, files in os.walk(path):
        for name in files:
            try:
                size += os.path.getsize(os.path.join(folder, name))
            except FileNotFoundError:
                pass  # a segment deleted by a checkpoint while we walked
    return size / 1e6


def start(data):
    started = time.time()
    apphost = subprocess.Popen(
        ["dotnet", "run", "--project", "BrkCoin.AppHost", "-c", "Release", "--no-build", "--",
         "--Mining:Redis:Backend=Embedded", f"--Mining:Redis:DataPath={data}",
         "--Mining:Throughput=true", f"--Mining:LoopsPerWorker={LOOPS}"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    # The first hash is the first rise of `hashes` after the web UI first answers: the web UI
    # answers before the worker's first counter flush, on an empty wallet and a full one alike.
    first_reply = None
    while time.time() - started < 180:
        try:
            hashes, _ = totals()
            if first_reply is None:
                first_reply = hashes
            elif hashes > first_reply:
                return apphost, time.time() - started
        except OSError:
            pass
        time.sleep(0.1)
    stop(apphost)
    raise SystemExit("no hash within 180 s")


def stop(apphost):
    try:
        os.killpg(apphost.pid, signal.SIGTERM)
        apphost.wait(timeout=60)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(apphost.pid, signal.SIGKILL)
    # DCP stops the services a moment after the AppHost; the next start needs port 5100 back.
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            totals()
            time.sleep(0.5)
        except OSError:
            break


def main():
    data = tempfile.mkdtemp(prefix="brkcoin-wallet-bench-")
    try:
        print(f"throughput mode, 1 worker x {LOOPS} loops, embedded wallet in {data}")
        apphost, first = start(data)
        print(f"empty wallet:   first hash {first:5.1f} s after dotnet run")
        try:
            h0, _ = totals()
            t0 = time.time()
            most = 0.0
            for minute in range(1, MINUTES + 1):
                # Sampled every 5 s: a checkpoint makes the folder briefly larger before it drops
                # the file it covers; the largest seen is what the disk must hold.
                while time.time() < t0 + 60 * minute:
                    most = max(most, folder_mb(data))
                    time.sleep(5)
                hashes, coins = totals()
                rate = (hashes - h0) / (time.time() - t0)
                print(f"  minute {minute}: {hashes:>10,} hashes ({rate:,.0f}/s), {coins:>8,} coins, "
                      f"data folder {folder_mb(data):6.1f} MB (largest seen {most:.1f} MB)")
        finally:
            stop(apphost)
        print(f"after stopping: data folder {folder_mb(data):6.1f} MB")

        apphost, again = start(data)
        try:
            print(f"that wallet:    first hash {again:5.1f} s after dotnet run ({again - first:+.1f} s against the empty wallet)")
        finally:
            stop(apphost)
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
