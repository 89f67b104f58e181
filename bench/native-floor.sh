#!/usr/bin/env bash
# How much of a native service's memory is BrkCoin's own. Publishes three binaries as the images'
# are published (native AOT, linux-x64, Release): bench/native-floor (ASP.NET Core's host and one
# endpoint, nothing of BrkCoin's), rng without OpenTelemetry (a copy of the tree with the one call
# that registers it taken out), and rng as it ships. Runs each on the host as a 0.5-CPU container
# sees itself (one processor, the images' 1 MiB gen0 budget), asks it for 8 random bytes four times
# a second for 30 s, then prints the binary's size and the process's memory from /proc: RSS,
# anonymous and file-backed, PSS, threads. ROUNDS (2) runs the three in turn that many times, so a
# swing of the machine shows as a spread rather than as a difference.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-2}
work=$(mktemp -d /tmp/brkcoin-floor-XXXX)
trap 'rm -rf "$work"' EXIT

publish() { # project, output folder
  dotnet publish "$1" -c Release -r linux-x64 --self-contained -o "$2" -nologo -v:q >"$2.log" 2>&1 \
    || { tail -n 20 "$2.log" >&2; exit 1; }
}

publish bench/native-floor "$work/floor"
publish BrkCoin.Rng "$work/rng"
mkdir "$work/tree"
tar -c --exclude=bin --exclude=obj Directory.Build.props Directory.Build.targets Directory.Packages.props \
  global.json BrkCoin.ServiceDefaults BrkCoin.Rng | tar -x -C "$work/tree"
defaults="$work/tree/BrkCoin.ServiceDefaults/Extensions.cs"
grep -q '^        builder.ConfigureOpenTelemetry();$' "$defaults" \
  || { echo "AddServiceDefaults no longer calls ConfigureOpenTelemetry on a line of its own" >&2; exit 1; }
sed -i '/^        builder.ConfigureOpenTelemetry();$/d' "$defaults"
publish "$work/tree/BrkCoin.Rng" "$work/rng-without-telemetry"

probe() { # label, binary
  local port=$((20000 + RANDOM % 20000)) pid
  env -i PATH=/usr/bin:/bin HOME="$work" DOTNET_PROCESSOR_COUNT=1 DOTNET_GCgen0size=100000 \
    ASPNETCORE_URLS="http://127.0.0.1:$port" "$2" >"$work/$1.out" 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -fs -o /dev/null "http://127.0.0.1:$port/alive" && break; sleep 0.1; done
  for _ in $(seq 120); do curl -fs -o /dev/null "http://127.0.0.1:$port/8"; sleep 0.25; done
  awk -v label="$1" -v size="$(stat -c %s "$2")" -v pss="$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup")" \
    -v threads="$(ls "/proc/$pid/task" | wc -l)" '
    /^VmRSS:/ {rss = $2} /^RssAnon:/ {anon = $2} /^RssFile:/ {file = $2}
    END {printf "%-26s binary %5.1f MB  RSS %5.1f  anonymous %5.1f  file-backed %5.1f  PSS %5.1f MB  threads %d\n",
      label, size / 1048576, rss / 1024, anon / 1024, file / 1024, pss / 1024, threads}' "/proc/$pid/status"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

for _ in $(seq "$rounds"); do
  probe "floor" "$work/floor/NativeFloor"
  probe "rng without OpenTelemetry" "$work/rng-without-telemetry/BrkCoin.Rng"
  probe "rng" "$work/rng/BrkCoin.Rng"
done
