# Helpers for the end-to-end tests: real processes on loopback.
# Usage: source lib.sh; then $PEERCALL and $ANALYZE are set from $1 and $2.
set -u
PEERCALL=$1
ANALYZE=$2
WORK=$(mktemp -d /tmp/peercall-e2e.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
export SDL_AUDIODRIVER=dummy
# Each test has its own identity and known_peers, never the user's.
export XDG_CONFIG_HOME=$WORK/config
# The invitation code every listener and streamer of a test is started with.
INVITE=e2einvitationcode2345

fail() { echo "FAIL: $*" >&2; exit 1; }
note() { echo "--- $*" >&2; }

# A port free for both TCP and UDP right now.
free_port() {
  /usr/bin/python3 - <<'PY'
import socket
for _ in range(50):
    t = socket.socket(); t.bind(("127.0.0.1", 0)); port = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", port)); print(port); break
    except OSError: pass
    finally: t.close(); u.close()
PY
}

# Waits (bounded) until something accepts TCP connections on the port.
wait_for_port() {
  local port=$1 i
  for i in $(seq 1 100); do
    (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && return 0
    sleep 0.1
  done
  fail "nothing listens on port $port after 10 s"
}

# json FILE EXPR: evaluates a Python expression over the JSON object `j` in FILE.
# wait_for_text FILE TEXT SECONDS: bounded wait until FILE contains TEXT (polled: a log has no event to wait on).
wait_for_text() {
  local i
  for i in $(seq $(($3 * 20))); do grep -q -- "$2" "$1" 2> /dev/null && return 0; sleep 0.05; done
  return 1
}
json() { /usr/bin/python3 -c "import json,sys; j=json.load(open('$1')); print($2)"; }
# check FILE EXPR MESSAGE: fails unless the Python expression over `j` is true.
check() {
  /usr/bin/python3 -c "import json,sys; j=json.load(open('$1')); sys.exit(0 if ($2) else 1)" ||
    fail "$3: $(cat "$1")"
}

# needs_netsim [NETSIM]: skips the test (77) without root, ip, /dev/net/tun or
# network namespaces, fails it without peercall-netsim; sets NETSIM (by
# default peercall-netsim next to $PEERCALL).
needs_netsim() {
  NETSIM=${1:-${NETSIM:-$(dirname "$PEERCALL")/peercall-netsim}}
  [ "$(id -u)" = 0 ] || { echo "skipped: needs root"; exit 77; }
  command -v ip > /dev/null || { echo "skipped: ip is missing"; exit 77; }
  [ -c /dev/net/tun ] || { echo "skipped: no /dev/net/tun"; exit 77; }
  [ -x "$NETSIM" ] || fail "no peercall-netsim at $NETSIM"
  ip netns add pcprobe$$ 2> /dev/null || { echo "skipped: cannot create network namespaces"; exit 77; }
  ip netns del pcprobe$$
}

# The media options every test peer uses: test sources, no devices, quiet.
SENDER=(--video test --audio tone --size 640x360 --fps 30 --bitrate 1500 --view none --quiet)
MEDIA=("${SENDER[@]}" --speaker none)
