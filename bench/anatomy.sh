#!/usr/bin/env bash
# Where each kind of BrkCoin service spends its memory and what it does every second (see bench/anatomy.py).
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 bench/anatomy.py "$@"
