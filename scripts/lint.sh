#!/usr/bin/env bash
# The lint step of `make test` (`make lint`): swift-format in strict mode with the top-level
# .swift-format, then a plain check that no line is longer than 120 columns. The second check is
# needed because swift-format neither splits a long string literal nor reports one.
# Checks the Swift files under the paths given (default: Package.swift, Sources, Tests and
# Fuzzing); exits 1 on any finding.
set -uo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
MAX_COLUMNS=120

# By default the same files scripts/format-all.sh formats.
[ $# -gt 0 ] || set -- Package.swift Sources Tests Fuzzing
mapfile -t files < <(find "$@" -name '*.swift' -not -path '*/.build*' | sort)
if [ ${#files[@]} -eq 0 ]; then echo "$(basename "$0"): no Swift files under $*" >&2; exit 2; fi
status=0

findings=$("$SWIFT" format lint --strict --parallel --configuration .swift-format "${files[@]}" 2>&1)
if [ $? -ne 0 ] || [ -n "$findings" ]; then
    echo "$findings"
    echo "lint: swift format: $(grep -c ': \(error\|warning\):' <<<"$findings") findings (scripts/format-all.sh fixes most)"
    status=1
fi

# Columns are characters (a UTF-8 locale), so a line of non-ASCII text is not counted in bytes.
long=$(LC_ALL=C.UTF-8 grep -nHE "^.{$((MAX_COLUMNS + 1)),}" "${files[@]}" | cut -d: -f1,2)
if [ -n "$long" ]; then
    sed "s/\$/: line longer than $MAX_COLUMNS columns/" <<<"$long"
    echo "lint: $(wc -l <<<"$long") lines longer than $MAX_COLUMNS columns (split them by hand: see above)"
    status=1
fi

if [ $status -eq 0 ]; then echo "lint: ${#files[@]} Swift files clean"; fi
exit $status
