#!/usr/bin/env bash
# BrkCoin on the workshop's three-node cluster: speed per shape, memory and CPU per container kind (see bench/cluster.py).
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 bench/cluster.py "$@"
