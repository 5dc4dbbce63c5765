#!/usr/bin/env bash
# Runs each fuzz target for FUZZ_SECONDS (default 60) from its corpus: the seeds made from
# Tests/Fixtures (seed-corpus.py) plus what earlier runs found, kept in .build-fuzz/corpus.
# Prints each target's executions; a crash, leak or hang is saved under
# .build-fuzz/crashes/<target>/ and makes the run fail. Targets may be named as arguments.
# Build first: `make fuzz-build` (or `make fuzz`, which does both).
set -uo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}
bin=${FUZZ_BIN:-.build-fuzz/release}
scratch=.build-fuzz
if [ $# -gt 0 ]; then targets=("$@"); else mapfile -t targets < <(ls Fuzzing/Targets); fi

python3 Fuzzing/seed-corpus.py "$scratch/seeds" || exit 1
mkdir -p "$scratch/logs"

# No Swift backtracer: libFuzzer and AddressSanitizer report the crash (and the backtracer
# can hold a crashed process for a long time). Leaks are findings, but for the one
# suppressed in lsan.supp (Foundation's, not ours).
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/Fuzzing/lsan.supp:print_suppressions=0}

dictionary() {
    case "$1" in
        http-request) echo Fuzzing/Dictionaries/http.dict ;;
        sse|*-stream) echo Fuzzing/Dictionaries/sse.dict ;;
        configuration) echo Fuzzing/Dictionaries/yaml.dict ;;
        *) echo Fuzzing/Dictionaries/json.dict ;;
    esac
}

failed=0
printf '%-22s %12s  %s\n' target executions result
for target in "${targets[@]}"; do
    exe="$bin/$target"
    if [ ! -x "$exe" ]; then echo "fuzz: $exe is not built (make fuzz-build)"; failed=1; continue; fi
    corpus="$scratch/corpus/$target"
    crashes="$scratch/crashes/$target"
    log="$scratch/logs/$target.log"
    mkdir -p "$corpus" "$crashes" "$scratch/seeds/$target"
    "$exe" "$corpus" "$scratch/seeds/$target" -max_total_time="$seconds" -print_final_stats=1 \
        -timeout=10 -rss_limit_mb=4096 -dict="$(dictionary "$target")" -artifact_prefix="$crashes/" \
        >"$log" 2>&1
    status=$?
    executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    [ -n "$executions" ] || executions=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')
    if [ $status -eq 0 ]; then
        printf '%-22s %12s  ok\n' "$target" "${executions:-?}"
    else
        failed=1
        artifact=$(sed -n "s/.*Test unit written to //p" "$log" | tail -1)
        printf '%-22s %12s  FAILED (exit %d): %s\n' "$target" "${executions:-?}" "$status" "${artifact:-see $log}"
        grep -E 'fuzz property violated|Fatal error|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|SUMMARY' "$log" \
            | head -5 | sed 's/^/    /'
    fi
done
exit $failed
