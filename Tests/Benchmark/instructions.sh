#!/usr/bin/env bash
# CPU instructions per small non-stream request through a front door (BENCH_DOOR, below; OpenAI's
# by default), counted by callgrind:
# repeatable on a busy machine, unlike timings (issue 13: profile first).
# usage: Tests/Benchmark/instructions.sh [binary] [requests]  (make bench-instructions)
# BENCH_MODEL picks what the requests name (default openai/gpt-4o-mini, no alias): `spread` is an
# alias over two deployments (weighted), `single` an alias of one, so the cost of choosing a
# deployment is the difference (issue 14). Anthropic behind it, as `make bench` sends /v1/messages:
# BENCH_MODEL=anthropic/claude-3-5-haiku-latest BENCH_DOOR=anthropic (the emulator answers any model name).
set -u
. "$(dirname "$0")/stack.sh"
stack_start "${1:-.build/release/switchboard}" strip
n=${2:-60}; label=$(basename "${1:-.build/release/switchboard}")
stack_serve valgrind --tool=callgrind --callgrind-out-file=$dir/cg.out <<YAML
models:
  single: {provider: openai, model: gpt-4o-mini}
  spread:
    strategy: weighted
    deployments:
      - {provider: openai, model: gpt-4o-mini, weight: 70}
      - {provider: openai, model: gpt-4o-mini, weight: 30}
YAML
model=${BENCH_MODEL:-openai/gpt-4o-mini}
# BENCH_DOOR picks the front door (the same small request in its shape): openai (default),
# anthropic (/v1/messages) or unified (/v1/chat).
body='{"model":"'$model'","messages":[{"role":"user","content":"hello"}],"max_tokens":16}'
case ${BENCH_DOOR:-openai} in
  anthropic) path=/v1/messages ;;
  unified) path=/v1/chat; body=${body%\}},\"stream\":false} ;;  # streams unless told
  *) path=/v1/chat/completions ;;
esac
req() {
  for i in $(seq $1); do
    curl -s -o /dev/null -H 'Content-Type: application/json' -d "$body" http://127.0.0.1:$port$path
  done
}
req 20
callgrind_control -z $sbpid >/dev/null
req $n
callgrind_control -d $sbpid >/dev/null
while [ ! -s $dir/cg.out.1 ]; do sleep 0.1; done
stack_stop
last=$dir/cg.out.1
total=$(grep -E '^(summary|totals):' $last | head -1 | awk '{print $2}')
echo "$label ($model, $path): $total instructions for $n requests = $((total / n)) per request ($last)"
# The usage writer's share depends on load, not on the code: it commits a batch per 100 ms, and
# the slower the machine runs valgrind, the fewer rows each batch gets. Compare the loop's share.
inclusive() {
  callgrind_annotate --inclusive=yes "$last" 2>/dev/null |
    awk -v f="$1" 'index($0, f) { gsub(",", "", $1); print $1; exit }'
}
loop=$(inclusive '$s7Reactor9EventLoopC3runyyF'); writer=$(inclusive '$s5Store11UsageWriterC3run')
# A batch is one transaction: BEGIN and COMMIT, two `execute` calls (the write itself is inlined).
batches=$(callgrind_annotate --inclusive=yes --tree=calling "$last" 2>/dev/null | grep -m1 '>.*SQLiteConnectionC7execute' |
  grep -o '([0-9]*x)' | tr -dc '0-9')
[ -n "$batches" ] && batches=$((batches / 2))
echo "  event loop $((${loop:-0} / n)) per request;" \
  "usage writer $((${writer:-0} / n)) per request (${batches:-?} batches)"
