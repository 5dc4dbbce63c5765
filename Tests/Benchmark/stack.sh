# Sourced by the counting scripts (instructions.sh, stream_instructions.sh, stream_syscalls.sh):
# the emulator and a one-loop daemon behind it, all three providers pointing at the emulator, each
# waited for through its ready file. Counts do not depend on load, so nothing here is timed.
#   stack_start BINARY [strip]  sets dir, bin (a debug-stripped copy with `strip`: valgrind cannot
#                               read the release binary's compressed debuginfo), mockpid, mport
#   stack_serve [TOOL ARGS…] <<YAML   extra configuration on stdin; runs the daemon under TOOL
#                               (valgrind …); sets sbpid, port
#   stack_stop                  stops both

stack_start() {
  dir=$(mktemp -d)
  bin=$1
  if [ "${2:-}" = strip ]; then bin=$dir/switchboard; strip --strip-debug -o "$bin" "$1"; fi
  $bin mock --listen 127.0.0.1:0 --ready-file $dir/mock.ready >/dev/null 2>&1 &
  mockpid=$!
  while [ ! -s $dir/mock.ready ]; do sleep 0.1; done
  mport=$(cat $dir/mock.ready)
}

stack_serve() {
  {
    cat <<YAML
listen: 127.0.0.1:0
database: $dir/sb.db
log_level: warning
server: {loops: 1}
providers:
  openai: {base_url: "http://127.0.0.1:$mport", api_key_env: OPENAI_API_KEY}
  anthropic: {base_url: "http://127.0.0.1:$mport", api_key_env: ANTHROPIC_API_KEY}
  gemini: {base_url: "http://127.0.0.1:$mport", api_key_env: GEMINI_API_KEY}
YAML
    cat
  } >$dir/config.yaml
  OPENAI_API_KEY=test-key ANTHROPIC_API_KEY=test-key GEMINI_API_KEY=test-key \
    "$@" $bin serve --config $dir/config.yaml --ready-file $dir/sb.ready >$dir/sb.log 2>&1 &
  sbpid=$!
  while [ ! -s $dir/sb.ready ]; do sleep 0.1; done
  port=$(cat $dir/sb.ready)
}

stack_stop() {
  kill $sbpid $mockpid
  wait $sbpid 2>/dev/null
}
