#!/usr/bin/env bash
# redis-server's CPU instructions per keyed request (a key with rpm and tpm) behind a one-loop
# daemon with `limits: {backend: redis}`, counted by callgrind on redis-server: repeatable on a
# busy machine, unlike timings (issue 16). The window is warmed first (WARM requests, default
# 3,000), so its hash is a real hash table as under load, not a small listpack.
# usage: Tests/Benchmark/redis_instructions.sh [binary] [requests]  (make bench-redis-instructions)
set -u
. "$(dirname "$0")/stack.sh"
stack_start "${1:-.build/release/switchboard}"
n=${2:-500}; warm=${WARM:-3000}; label=$(basename "${1:-.build/release/switchboard}")
rport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
valgrind --tool=callgrind --callgrind-out-file=$dir/redis.cg \
  redis-server --port $rport --bind 127.0.0.1 --save "" --appendonly no --dir $dir >/dev/null 2>&1 &
redispid=$!
until redis-cli -p $rport ping >/dev/null 2>&1; do sleep 0.2; done
export SWITCHBOARD_ADMIN_KEY=bench-admin
stack_serve <<YAML
limits: {backend: redis, url: "redis://127.0.0.1:$rport/0"}
YAML
key=$(curl -s -H "Authorization: Bearer $SWITCHBOARD_ADMIN_KEY" -d '{"name":"k","rpm":10000000,"tpm":1000000000000}' \
  http://127.0.0.1:$port/admin/keys | python3 -c 'import json, sys; print(json.load(sys.stdin)["key"])')
req() {
  python3 - "$1" "$port" "$key" <<'PY'
import http.client, sys
n, port, key = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
body = '{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hello"}],"max_tokens":16}'
c = http.client.HTTPConnection("127.0.0.1", port)
for _ in range(n):
    c.request("POST", "/v1/chat/completions", body, {"Authorization": "Bearer " + key})
    r = c.getresponse(); r.read()
    assert r.status == 200, r.status
PY
}
req $warm
callgrind_control -z $redispid >/dev/null
req $n
callgrind_control -d $redispid >/dev/null
while [ ! -s $dir/redis.cg.1 ]; do sleep 0.1; done
stack_stop
redis-cli -p $rport shutdown nosave >/dev/null 2>&1
wait $redispid 2>/dev/null
total=$(grep -E '^(summary|totals):' $dir/redis.cg.1 | head -1 | awk '{print $2}')
echo "$label: redis-server $((total / n)) instructions per keyed request ($dir/redis.cg.1)"
