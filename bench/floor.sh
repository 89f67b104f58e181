#!/usr/bin/env bash
# How much of a service's memory is BrkCoin's own: each service beside the smallest app of its kind,
# published the same way and run the same way. `bash bench/floor.sh [native|webui]` (both by default).
# - native: bench/native-floor (ASP.NET Core's host and one endpoint, nothing of BrkCoin's), rng
#   without OpenTelemetry (a copy of the tree with the one call that registers it taken out) and rng
#   as it ships, native AOT as the images are. Each is asked for 8 random bytes four times a second
#   for 30 s, with the images' 1 MiB gen0 budget.
# - webui: the SDK's empty Blazor Server app (`dotnet new blazor --interactivity Server --empty`,
#   invariant globalization as the web UI has) and the web UI against a loopback redis-server,
#   both self-contained JIT as the image is. Each page is asked for 20 times, then left 30 s.
# Every process runs on the host as a 0.5-CPU container sees itself (one processor). Printed: the
# size of what was published (the image's content, MiB), RSS, anonymous and file-backed memory, PSS and
# threads from /proc.
# ROUNDS (2) runs each group's apps in turn that many times, so a swing of the machine shows as a
# spread rather than as a difference.
set -euo pipefail
cd "$(dirname "$0")/.."
groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(native webui)
rounds=${ROUNDS:-2}
work=$(mktemp -d /tmp/brkcoin-floor-XXXX)
redis= app=
# Whatever is still running when the script ends, however it ends, is stopped.
trap '[ -z "$app" ] || kill "$app" 2>/dev/null; [ -z "$redis" ] || kill "$redis" 2>/dev/null; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

publish() { # project, output folder
  dotnet publish "$1" -c Release -r linux-x64 --self-contained -o "$2" -nologo -v:q >"$2.log" 2>&1 \
    || { tail -n 20 "$2.log" >&2; exit 1; }
}

# probe label binary path requests interval settle [VAR=value...]: start it, ask `path` `requests`
# times `interval` seconds apart, wait `settle` seconds, print its memory, stop it.
probe() {
  local label=$1 binary=$2 path=$3 requests=$4 interval=$5 settle=$6 port=$((20000 + RANDOM % 12000)) pid ready=
  shift 6
  env -i PATH=/usr/bin:/bin HOME="$work" DOTNET_PROCESSOR_COUNT=1 ASPNETCORE_URLS="http://127.0.0.1:$port" \
    "$@" "$binary" >"$work/$label.out" 2>&1 &
  pid=$! app=$!
  # Any answer will do: it is listening.
  for _ in $(seq 300); do curl -s -o /dev/null "http://127.0.0.1:$port/" && { ready=1; break; }; sleep 0.1; done
  [ -n "$ready" ] && kill -0 "$pid" 2>/dev/null \
    || { echo "$label did not answer on port $port within 30 s:" >&2; tail -n 20 "$work/$label.out" >&2; exit 1; }
  for _ in $(seq "$requests"); do curl -fs -o /dev/null "http://127.0.0.1:$port$path"; sleep "$interval"; done
  sleep "$settle"
  awk -v label="$label" -v size="$(du -sb "$(dirname "$binary")" | cut -f1)" -v pss="$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup")" \
    -v threads="$(ls "/proc/$pid/task" | wc -l)" '
    /^VmRSS:/ {rss = $2} /^RssAnon:/ {anon = $2} /^RssFile:/ {file = $2}
    END {printf "%-26s published %5.1f MiB  RSS %5.1f  anonymous %5.1f  file-backed %5.1f  PSS %5.1f MB  threads %d\n",
      label, size / 1048576, rss / 1024, anon / 1024, file / 1024, pss / 1024, threads}' "/proc/$pid/status"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  app=
}

native() {
  publish bench/native-floor "$work/floor"
  publish BrkCoin.Rng "$work/rng"
  mkdir "$work/tree"
  tar -c --exclude=bin --exclude=obj Directory.Build.props Directory.Build.targets Directory.Packages.props \
    global.json BrkCoin.ServiceDefaults BrkCoin.Rng | tar -x -C "$work/tree"
  local defaults="$work/tree/BrkCoin.ServiceDefaults/Extensions.cs"
  grep -q '^        builder.ConfigureOpenTelemetry();$' "$defaults" \
    || { echo "AddServiceDefaults no longer calls ConfigureOpenTelemetry on a line of its own" >&2; exit 1; }
  sed -i '/^        builder.ConfigureOpenTelemetry();$/d' "$defaults"
  publish "$work/tree/BrkCoin.Rng" "$work/rng-without-telemetry"
  for _ in $(seq "$rounds"); do
    probe "floor" "$work/floor/NativeFloor" /8 120 0.25 1 DOTNET_GCgen0size=100000
    probe "rng without OpenTelemetry" "$work/rng-without-telemetry/BrkCoin.Rng" /8 120 0.25 1 DOTNET_GCgen0size=100000
    probe "rng" "$work/rng/BrkCoin.Rng" /8 120 0.25 1 DOTNET_GCgen0size=100000
  done
}

webui() {
  # Outside the repository, so none of its Directory.Build.* files apply: the template as shipped.
  dotnet new blazor --interactivity Server --empty --framework net10.0 -n BlazorFloor -o "$work/blazor" >"$work/new.log" 2>&1
  sed -i 's#<ImplicitUsings>enable</ImplicitUsings>#&<InvariantGlobalization>true</InvariantGlobalization>#' \
    "$work/blazor/BlazorFloor.csproj"
  grep -q InvariantGlobalization "$work/blazor/BlazorFloor.csproj" \
    || { echo "the template's project changed: no ImplicitUsings line to follow" >&2; exit 1; }
  publish "$work/blazor" "$work/blazor-floor"
  publish BrkCoin.WebUi "$work/webui"
  local port=$((32100 + RANDOM % 600))  # below the kernel's ephemeral ports, apart from the apps'
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --requirepass floor >/dev/null &
  redis=$!
  for _ in $(seq 50); do redis-cli -p "$port" -a floor --no-auth-warning PING 2>/dev/null | grep -q PONG && break; sleep 0.1; done
  redis-cli -p "$port" -a floor --no-auth-warning PING 2>/dev/null | grep -q PONG \
    || { echo "redis-server did not start on port $port" >&2; exit 1; }
  for _ in $(seq "$rounds"); do
    probe "empty Blazor Server app" "$work/blazor-floor/BlazorFloor" / 20 0.5 30
    probe "web UI" "$work/webui/BrkCoin.WebUi" / 20 0.5 30 "ConnectionStrings__redis=127.0.0.1:$port,password=floor"
  done
  kill "$redis"; wait "$redis" 2>/dev/null || true
  redis=
}

for group in "${groups[@]}"; do
  case $group in
    native|webui) "$group" ;;
    *) echo "unknown group $group: native or webui" >&2; exit 2 ;;
  esac
done
