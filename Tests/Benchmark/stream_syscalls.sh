#!/usr/bin/env bash
# System calls per relayed stream chunk, through each door and through nginx in front of the same
# emulator, counted by strace (issue 13: a count, repeatable on a busy machine, unlike timings).
# usage: Tests/Benchmark/stream_syscalls.sh [binary] [streams]
# Each door is measured twice with `streams` concurrent streams: of 50 chunks 10 ms apart (chunks
# arrive one at a time, as at 256 streams) and of 1 chunk. "per chunk" is the marginal count,
# (S(50) - S(1)) / (49 * streams), so it excludes a stream's set-up; the table breaks it down by call.
set -u
here=$(cd "$(dirname "$0")" && pwd)
n=${2:-16}
chunks=50
. "$here/stack.sh"
stack_start "${1:-.build/release/switchboard}"
stack_serve </dev/null
# nginx: one worker, so one strace sees every call (the configuration `make bench` uses otherwise).
ngport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p $dir/ng
sed -e 's/^worker_processes 2;/worker_processes 1;/' >$dir/ng/nginx.conf < <(python3 - "$here" "$dir/ng" "$mport" \
  "$ngport" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import nginx
print(nginx.CONFIG.format(user="", prefix=sys.argv[2], open_files=4096, worker_connections=1024,
                          upstream_port=sys.argv[3], port=sys.argv[4], keepalive_requests=nginx.KEEPALIVE_REQUESTS))
PY
)
nginx -p $dir/ng -c $dir/ng/nginx.conf -e $dir/ng/error.log 2>/dev/null &
ngmaster=$!
while ! curl -s -o /dev/null "http://127.0.0.1:$ngport/"; do sleep 0.1; done
ngworker=$(pgrep -P $ngmaster | head -1)

# name pid port path body marker
targets=(
  "switchboard $sbpid $port /v1/chat/completions openai/MODEL openai data: [DONE]"
  "switchboard $sbpid $port /v1/messages anthropic/MODEL anthropic event: message_stop"
  "switchboard $sbpid $port /v1/chat gemini/MODEL gemini event: done"
  "nginx $ngworker $ngport /v1/chat/completions MODEL openai data: [DONE]"
  "nginx $ngworker $ngport /v1/messages MODEL anthropic event: message_stop"
)
body() {  # model, provider
  local extra=""; [ "$2" = anthropic ] && extra=',"max_tokens":256'
  echo '{"model":"'$1'","messages":[{"role":"user","content":"hello"}],"stream":true'$extra'}'
}
streams() {  # port path body marker count: run `count` streams at once, each must end with the marker
  local pids=() i headers=()
  # The provider's own headers, for nginx (Switchboard's doors need none without keys).
  [ "$1" = "$ngport" ] && headers=(-H 'Authorization: Bearer test-key' -H 'x-api-key: test-key'
    -H 'anthropic-version: 2023-06-01')
  for i in $(seq "$5"); do
    (curl -s -N -H 'Content-Type: application/json' "${headers[@]}" -d "$3" "http://127.0.0.1:$1$2" |
      grep -F "$4" >/dev/null ||
      echo "stream through $2 did not end with '$4'" >&2) &
    pids+=($!)
  done
  wait "${pids[@]}"
}
count() {  # pid port path body marker streams out: strace -c summary of the streams into `out`
  strace -f -c -o "$7" -p "$1" 2>$7.err &
  local st=$!
  while ! grep -q attached $7.err 2>/dev/null; do sleep 0.05; done
  streams "$2" "$3" "$4" "$5" "$6"
  kill -INT $st; wait $st 2>/dev/null
  awk '$NF == "total" { print $4 }' "$7"
}
calls() {  # strace -c file: "name count" lines
  awk 'NF >= 5 && $1 ~ /^[0-9.]+$/ { print $NF, $4 }' "$1"
}
echo "system calls per relayed chunk, $n concurrent streams of $chunks chunks 10 ms apart (strace; files in $dir)"
for t in "${targets[@]}"; do
  read -r name pid tport path model provider marker <<<"$t"
  long=$(body "${model/MODEL/text+chunks=$chunks+interval_ms=10}" "$provider")
  short=$(body "${model/MODEL/text+chunks=1}" "$provider")
  streams "$tport" "$path" "$short" "$marker" "$n"  # warm-up: as many pooled upstream connections as streams
  key=$name-$provider
  lt=$(count "$pid" "$tport" "$path" "$long" "$marker" "$n" $dir/$key.long)
  st=$(count "$pid" "$tport" "$path" "$short" "$marker" "$n" $dir/$key.short)
  per=$(awk -v l="$lt" -v s="$st" -v n="$n" -v c="$chunks" 'BEGIN { printf "%.2f", (l - s) / (n * (c - 1)) }')
  printf '  %-12s %-22s %-10s %6s per chunk:' "$name" "$path" "$provider" "$per"
  join -a1 -e0 -o 0,1.2,2.2 <(calls $dir/$key.long | sort) <(calls $dir/$key.short | sort) |
    awk -v n="$n" -v c="$chunks" '{ v = ($2 - $3) / (n * (c - 1)); if (v >= 0.05) printf " %s %.2f", $1, v }'
  echo
done
kill $sbpid $mockpid $ngmaster
wait $sbpid $mockpid $ngmaster 2>/dev/null
