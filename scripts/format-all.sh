#!/usr/bin/env bash
# Formats every Swift file that `make lint` checks with the top-level .swift-format, in place,
# then runs the lint and so lists what is left to do by hand: lines that stay longer than 120
# columns (long string literals, which swift-format does not split) and lint-only findings.
set -uo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}

# By default the same files scripts/lint.sh checks.
[ $# -gt 0 ] || set -- Package.swift Sources Tests Fuzzing
mapfile -t files < <(find "$@" -name '*.swift' -not -path '*/.build*' | sort)
if [ ${#files[@]} -eq 0 ]; then echo "$(basename "$0"): no Swift files under $*" >&2; exit 2; fi
"$SWIFT" format format --in-place --parallel --configuration .swift-format "${files[@]}" || exit 1
echo "format-all: formatted ${#files[@]} Swift files; what the lint still reports:"
exec scripts/lint.sh "$@"
