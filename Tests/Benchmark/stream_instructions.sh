#!/usr/bin/env bash
# CPU instructions per relayed stream chunk and per stream set-up, through each door, counted by
# callgrind (issue 13: repeatable on a busy machine, unlike timings).
# usage: Tests/Benchmark/stream_instructions.sh [binary] [streams]  (make bench-instructions)
# Each door is measured twice with `streams` streams: of 200 text chunks and of 1 text chunk, both
# after warm-up. "per chunk" is the marginal cost, (I(200) - I(1)) / 199 per stream, so it excludes
# the stream's set-up; "per stream" is I(1) per stream (set-up, one chunk, usage row, end).
# Doors: /v1/chat/completions with OpenAI behind, /v1/messages with Anthropic behind, /v1/chat with
# Gemini behind (the emulator streams each provider's own format).
# CHUNK_INTERVAL_MS=N spaces the long streams' chunks N ms apart (CHUNKS, default 200, per stream):
# each chunk then arrives on its own wake-up, as in the 256-stream scenario, and "per chunk" includes
# what one trip round the event loop costs (epoll, curl's socket action and timers).
set -u
. "$(dirname "$0")/stack.sh"
stack_start "${1:-.build/release/switchboard}" strip
n=${2:-10}; label=$(basename "$(dirname "${1:-.build/release/switchboard}")")
chunks=${CHUNKS:-200}
interval=${CHUNK_INTERVAL_MS:-0}
stack_serve valgrind --tool=callgrind --callgrind-out-file=$dir/cg.out </dev/null

# door: path provider end-of-stream marker
doors=("/v1/chat/completions openai data: [DONE]" "/v1/messages anthropic event: message_stop"
  "/v1/chat gemini event: done")
body() {  # provider, chunk count
  local extra=""; [ "$1" = anthropic ] && extra=',"max_tokens":256'
  local spacing=""; [ "$interval" != 0 ] && [ "$2" != 1 ] && spacing="+interval_ms=$interval"
  echo '{"model":"'$1'/text+chunks='$2$spacing'","messages":[{"role":"user","content":"hello"}],"stream":true'$extra'}'
}
streams() {  # path, provider, marker, chunk count, streams: each must end with the door's marker
  local b; b=$(body "$2" "$4")
  for _ in $(seq "$5"); do
    curl -s -N -H 'Content-Type: application/json' -d "$b" "http://127.0.0.1:$port$1" | grep -F "$3" >/dev/null ||
      { echo "stream through $1 did not end with '$3'" >&2; exit 1; }
  done
}
measure() {  # zero, run the streams, dump: prints "total loop" for the dump (runs in a subshell)
  callgrind_control -z $sbpid >/dev/null 2>&1
  streams "$@"
  local dumps; dumps=$(find $dir -name 'cg.out.*' | wc -l)
  callgrind_control -d $sbpid >/dev/null 2>&1
  local file=$dir/cg.out.$((dumps + 1))
  while [ ! -s "$file" ]; do sleep 0.1; done
  local total loop
  total=$(grep -E '^(summary|totals):' "$file" | head -1 | awk '{print $2}')
  loop=$(callgrind_annotate --inclusive=yes "$file" 2>/dev/null |
    awk 'index($0, "$s7Reactor9EventLoopC3runyyF") { gsub(",", "", $1); print $1; exit }')
  echo "$total ${loop:-0}"
}
spaced=""; [ "$interval" != 0 ] && spaced=", chunks $interval ms apart"
echo "$label: instructions through each door, $n streams each$spaced (callgrind, one loop; files in $dir)"
printf '  %-22s %-10s %14s %14s %16s %16s\n' door provider "per chunk" "(event loop)" "per stream" "(event loop)"
for door in "${doors[@]}"; do
  read -r path provider marker <<<"$door"
  streams "$path" "$provider" "$marker" $chunks 3  # warm-up: pools, caches, first-use paths
  read -r long_total long_loop < <(measure "$path" "$provider" "$marker" $chunks "$n")
  read -r short_total short_loop < <(measure "$path" "$provider" "$marker" 1 "$n")
  printf '  %-22s %-10s %14s %14s %16s %16s\n' "$path" "$provider" \
    $(((long_total - short_total) / (n * (chunks - 1)))) $(((long_loop - short_loop) / (n * (chunks - 1)))) \
    $((short_total / n)) $((short_loop / n))
done
stack_stop
