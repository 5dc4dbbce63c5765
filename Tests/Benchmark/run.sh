#!/usr/bin/env bash
# make bench: release binary in $1; prints ratio tables against the direct-to-emulator baseline.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
exec python3 "$here/bench.py" --binary "${1:-.build/release/switchboard}" "${@:2}"
