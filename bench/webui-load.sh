#!/usr/bin/env bash
# Load on the web UI's two JSON endpoints, measured over the running system: starts the AppHost
# (the miner at its default pace, an embedded wallet in a temporary folder), then has wrk hold
# 500 concurrent connections on /json and on /api/stats for 30 s each and prints wrk's figures
# (requests/s, errors, latency percentiles). Bounded in time; every server binds loopback.
#
#   bash bench/webui-load.sh            # needs wrk (apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."

connections=${CONNECTIONS:-500}
duration=${DURATION:-30s}
webui=http://localhost:5100

command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
dotnet build BrkCoin.AppHost -v q -nologo >/dev/null

data=$(mktemp -d)
dotnet run --project BrkCoin.AppHost --no-build -- --Mining:Redis:DataPath="$data" >/dev/null 2>&1 &
apphost=$!
trap 'kill -TERM $apphost 2>/dev/null; wait $apphost 2>/dev/null; rm -rf "$data"' EXIT

for _ in $(seq 120); do curl -sf "$webui/api/stats" >/dev/null && break; sleep 1; done
ulimit -n 65536 2>/dev/null || true

for path in /json /api/stats; do
  echo "== $path: $connections connections for $duration"
  wrk -t2 -c"$connections" -d"$duration" --timeout 5s --latency "$webui$path" | grep -E 'Latency|50%|90%|99%|requests in|Requests/sec|Non-2xx|Socket errors'
done
