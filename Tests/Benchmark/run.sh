#!/usr/bin/env bash
# make bench / bench-check / bench-record: release binary in $1, bench.py's options after it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
exec python3 "$here/bench.py" --binary "${1:-.build/release/switchboard}" "${@:2}"
