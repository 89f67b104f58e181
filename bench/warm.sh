#!/usr/bin/env bash
# Throughput mode once warm. For each checkout named (this one if none), in the order given: starts
# its Release AppHost in throughput mode (1 worker x 16 loops, embedded wallet), reads the wallet's
# `hashes` over 20-30 s and over 60-80 s after the launch, and the AppHost's cores over the later
# window. bench/run.sh's throughput16 measures while the services still warm up; this reads them
# once they have. For an A/B, name the checkouts base, head, head, base:
#   bash bench/warm.sh /tmp/base . . /tmp/base
set -euo pipefail
checkouts=("$@")
[ ${#checkouts[@]} -gt 0 ] || checkouts=(.)
for checkout in $(printf '%s\n' "${checkouts[@]}" | sort -u); do
  dotnet build "$checkout/BrkCoin.AppHost" -c Release -v q -nologo >/dev/null
done

for checkout in "${checkouts[@]}"; do
  data=$(mktemp -d /tmp/brkcoin-warm-XXXX)
  (cd "$checkout" && exec setsid dotnet run --project BrkCoin.AppHost -c Release --no-build -- \
    --Mining:Redis:Backend=Embedded --Mining:Redis:DataPath="$data" --Mining:Throughput=true \
    --Mining:LoopsPerWorker=16 >/dev/null 2>&1) &
  launcher=$!
  sleep 18
  # The worker's connection string names the embedded wallet's port and password.
  worker=$(pgrep -f "BrkCoin.Worker" | head -1)
  connection=$(tr '\0' '\n' < "/proc/$worker/environ" | sed -n 's/^ConnectionStrings__redis=//p')
  address=${connection%%,*}
  password=$(echo "$connection" | grep -o 'password=[^,]*' | cut -d= -f2)
  hashes() { redis-cli -h "${address%:*}" -p "${address##*:}" --no-auth-warning -a "$password" GET hashes; }
  cores() { awk '{print $14 + $15}' "/proc/$1/stat"; }
  sleep 2
  a=$(hashes); sleep 10; b=$(hashes)
  sleep 30
  apphost=$(pgrep -f "BrkCoin.AppHost/bin" | head -1)
  t0=$(cores "$apphost"); c=$(hashes); sleep 20; e=$(hashes); t1=$(cores "$apphost")
  echo "$checkout $(git -C "$checkout" rev-parse --short HEAD) $(date +%T): 20-30 s $(( (b - a) / 10 )) hashes/s;" \
    "60-80 s $(( (e - c) / 20 )) hashes/s; AppHost $(awk -v t="$((t1 - t0))" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz / 20 }') cores"
  kill -TERM -- "-$launcher" 2>/dev/null || true
  # DCP stops the services a moment after the AppHost; the next checkout needs the ports back.
  for _ in $(seq 30); do pgrep -f "BrkCoin\.(Rng|Hasher|Worker|WebUi|AppHost)" >/dev/null || break; sleep 1; done
  kill -KILL -- "-$launcher" 2>/dev/null || true
  rm -rf "$data"
done
