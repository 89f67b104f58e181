#!/usr/bin/env bash
# Reproduces the workshop's numbers over the running system: starts the AppHost with a given
# shape, lets it warm up, then reads /json twice and prints the mining speed. Bounded in time;
# every server binds loopback only.
#
#   bash bench/workshop.sh                 # the classic series: 1, 2, 10 workers; 10 workers + 5 rng
#   bash bench/workshop.sh 4 1             # 4 workers, 1 rng
set -euo pipefail
cd "$(dirname "$0")/.."

warmup=${WARMUP:-25}     # seconds before the first reading (start-up and first flushes)
window=${WINDOW:-30}     # seconds between the two readings
webui=http://localhost:5100

dotnet build BrkCoin.AppHost -v q -nologo >/dev/null

measure() {
  local workers=$1 rngs=$2 data
  data=$(mktemp -d)
  dotnet run --project BrkCoin.AppHost --no-build -- \
    --Mining:Workers="$workers" --Mining:RngReplicas="$rngs" --Mining:Redis:DataPath="$data" >/dev/null 2>&1 &
  local apphost=$!
  sleep "$warmup"
  local first second
  first=$(curl -sf "$webui/json")
  sleep "$window"
  second=$(curl -sf "$webui/json")
  # TERM, not INT: a background job of a script ignores SIGINT.
  kill -TERM "$apphost"; wait "$apphost" 2>/dev/null || true
  # DCP stops the services a few seconds after the AppHost; the next shape needs the ports back.
  for _ in $(seq 30); do curl -sf "$webui/json" >/dev/null || break; sleep 1; done
  rm -rf "$data"
  python3 - "$workers" "$rngs" "$first" "$second" <<'PY'
import json, sys
workers, rngs = int(sys.argv[1]), int(sys.argv[2])
a, b = json.loads(sys.argv[3]), json.loads(sys.argv[4])
speed = (b["hashes"] - a["hashes"]) / (b["now"] - a["now"])
model = min(10 / 3 * workers, 10 * rngs)
print(f"workers={workers:<3} rng={rngs:<3} speed={speed:6.2f} hashes/s   model min(3.33×workers, 10×rng)={model:6.2f}")
PY
}

if [[ $# -eq 2 ]]; then
  measure "$1" "$2"
else
  for shape in "1 1" "2 1" "10 1" "10 5"; do
    measure $shape
  done
fi
