#!/usr/bin/env bash
# A browser guest (Debian's Chromium, headless, fake camera and microphone,
# driven by tests/browser/guest_test.mjs) calls peercall over HTTPS:
#  1. the served page: Join, both ways of media flow (peercall decodes the
#     browser's camera into a y4m file), the same check number on both sides,
#     Hang up ends the call and peercall exits 0;
#  2. a bare RTCPeerConnection doing WHIP by hand (no page UI), then DELETE;
#  3. the page with a wrong code is refused (403) and never connects;
#  4. the page in watch mode against `peercall stream` (WHEP, receive only);
#  5. peercall hangs up (--duration): the page notices and says the call ended;
#  6. chat and mute over the data channel, both ways: a line from the page shows
#     in peercall's log and one typed into peercall shows in the page, the page's
#     Mute shows in peercall's log and stats and peercall's m in the page; a flood
#     of lines from the page is dropped and counted, and peercall stays up.
# Skips (77) without Chromium or playwright-core (scripts/browser_deps.sh).
source "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
guest="$root/tests/browser/guest_test.mjs"
[ -x /usr/bin/chromium ] || { echo "skipped: /usr/bin/chromium is missing"; exit 77; }
[ -d "$root/tests/browser/node_modules/playwright-core" ] ||
  { echo "skipped: run scripts/browser_deps.sh (playwright-core is missing)"; exit 77; }
command -v node >/dev/null || { echo "skipped: node is missing"; exit 77; }

code=browsertestinvitation234   # 24 characters, like a generated code
export XDG_CONFIG_HOME="$WORK/cfg"  # the listener's own identity, not the user's

# Frames in a y4m file, by its structure (each FRAME header, then one picture).
y4m_frames() {
  /usr/bin/python3 - "$1" <<'PY'
import sys
data = open(sys.argv[1], 'rb').read()
end = data.find(b'\n')
if not data.startswith(b'YUV4MPEG2 ') or end < 0: print(0); sys.exit()
w = h = 0; chroma = '420'
for tok in data[:end].split()[1:]:
    t = tok.decode(errors='replace')
    if t[0] == 'W': w = int(t[1:])
    elif t[0] == 'H': h = int(t[1:])
    elif t[0] == 'C': chroma = t[1:]
size = w * h + 2 * ({'444': w * h, '422': (w // 2) * h}.get(chroma[:3], ((w + 1) // 2) * ((h + 1) // 2)))
at, n = end + 1, 0
while data.startswith(b'FRAME', at):
    nl = data.find(b'\n', at)
    if nl < 0 or nl + 1 + size > len(data): break
    at, n = nl + 1 + size, n + 1
print(n)
PY
}

# run_guest NAME SCENARIO URL [options]: the browser test, its summary kept in $WORK/NAME.json.
run_guest() {
  local name=$1; shift
  timeout 90 node "$guest" "$@" --timeout 75 > "$WORK/$name.json" 2> "$WORK/$name.stderr"
  local rc=$?
  note "$name: $(cat "$WORK/$name.json") $(tail -c 2000 "$WORK/$name.stderr")"
  return $rc
}

# start_peer NAME listen|stream ARGS...: a peercall in the background, stderr in $WORK/NAME.log.
start_peer() {
  local name=$1 command=$2; shift 2
  port=$(free_port)
  "$PEERCALL" "$command" --port "$port" --bind 127.0.0.1 --invite "$code" "$@" 2> "$WORK/$name.log" &
  PEER=$!; PIDS+=($PEER)
  wait_for_port "$port"
}

# stop_peer: waits (bounded) for it to exit; sets peer_rc (124: still running, then killed).
stop_peer() {
  if timeout 10 tail --pid=$PEER -f /dev/null; then wait $PEER; peer_rc=$?
  else kill -9 $PEER 2>/dev/null; wait $PEER 2>/dev/null; peer_rc=124; fi
}

# 1. The page, a two-way call.
start_peer page listen "${MEDIA[@]}" --video-out "$WORK/fromBrowser.y4m"
run_guest page page "https://127.0.0.1:$port/call#$code" ||
  fail "page: $(tail -n 20 "$WORK/page.log")"
stop_peer
[ $peer_rc = 0 ] || fail "peercall exited $peer_rc after the browser hung up: $(tail -n 20 "$WORK/page.log")"
frames=$(y4m_frames "$WORK/fromBrowser.y4m")
note "peercall decoded $frames frames of the browser's camera"
[ "${frames:-0}" -gt 30 ] || fail "peercall decoded only ${frames:-0} frames of the browser's video"
sas_page=$(json "$WORK/page.json" "j['checks']['sas']")
sas_peercall=$(grep -o 'both sides show [0-9]\{3\} [0-9]\{3\}' "$WORK/page.log" | tail -n1 | grep -o '[0-9]\{3\} [0-9]\{3\}')
if [ -n "$sas_peercall" ]; then
  [ "$sas_page" = "$sas_peercall" ] || fail "check numbers differ: page $sas_page, peercall $sas_peercall"
else
  note "peercall printed no check number (quiet?); the page showed $sas_page"
fi

# 2. A bare WHIP client.
start_peer whip listen "${MEDIA[@]}" --video-out "$WORK/fromWhip.y4m"
run_guest whip whip "https://127.0.0.1:$port/call#$code" ||
  fail "whip: $(tail -n 20 "$WORK/whip.log")"
stop_peer
[ $peer_rc = 0 ] || fail "peercall exited $peer_rc after the WHIP session was deleted: $(tail -n 20 "$WORK/whip.log")"
frames=$(y4m_frames "$WORK/fromWhip.y4m")
[ "${frames:-0}" -gt 30 ] || fail "peercall decoded only ${frames:-0} frames from the WHIP client"

# 3. A wrong code: refused, and the listener goes on waiting for the right guest.
start_peer refused listen "${MEDIA[@]}"
run_guest refused refused "https://127.0.0.1:$port/call#wrongwrongwrongwrong" --expect-refusal "wrong" ||
  fail "refused: $(tail -n 20 "$WORK/refused.log")"
kill -0 $PEER 2>/dev/null || fail "peercall stopped after refusing a wrong code: $(tail -n 20 "$WORK/refused.log")"
kill -INT $PEER; stop_peer

# 4. Watching a stream from the page (WHEP, nothing sent).
start_peer watch stream "${SENDER[@]}"
run_guest watch page "https://127.0.0.1:$port/call#$code" ||
  fail "watch: $(tail -n 20 "$WORK/watch.log")"
check "$WORK/watch.json" "j['checks']['mode'] == 'watch'" "the stream's page is not in watch mode"
kill -0 $PEER 2>/dev/null || fail "the streamer stopped when the browser viewer left: $(tail -n 20 "$WORK/watch.log")"
kill -INT $PEER; stop_peer
[ $peer_rc = 0 ] || fail "streamer exited $peer_rc on Ctrl-C: $(tail -n 20 "$WORK/watch.log")"
# 5. peercall hangs up first.
start_peer ended listen "${MEDIA[@]}" --duration 6
run_guest ended ended "https://127.0.0.1:$port/call#$code" --end-within 20 ||
  fail "ended: $(tail -n 20 "$WORK/ended.log")"
stop_peer
[ $peer_rc = 0 ] || fail "peercall exited $peer_rc after hanging up on the browser: $(tail -n 20 "$WORK/ended.log")"

# 6. Chat and mute both ways; the page's scenario waits for each of our steps, we follow its steps in the log.
mkfifo "$WORK/chat.keys"
exec 7<>"$WORK/chat.keys"   # held open: the keys come later
# Not start_peer: a command put in the background takes its keys only from a redirection of its own.
port=$(free_port)
USER=lena "$PEERCALL" listen --port "$port" --bind 127.0.0.1 --invite "$code" "${MEDIA[@]}" \
  --stats "$WORK/chat.jsonl" --duration 60 < "$WORK/chat.keys" 2> "$WORK/chat.log" &
PEER=$!; PIDS+=($PEER)
wait_for_port "$port"
run_guest chat chat "https://127.0.0.1:$port/call#$code" --expect-chat-from lena --flood 50 &
G=$!; PIDS+=($G)
# wait_for_line TEXT: until TEXT shows in the listener's log (bounded; both sides must still run).
wait_for_line() {
  for _ in $(seq 300); do
    grep -qF -- "$1" "$WORK/chat.log" && return 0
    kill -0 $PEER 2>/dev/null && kill -0 $G 2>/dev/null || break
    sleep 0.1
  done
  fail "no '$1' in peercall's log: $(tail -n 20 "$WORK/chat.log") $(cat "$WORK/chat.json" 2>/dev/null)"
}
# wait_for_stats EXPR WHY: until the listener's last stats line satisfies EXPR (bounded).
wait_for_stats() {
  for _ in $(seq 100); do
    tail -n1 "$WORK/chat.jsonl" > "$WORK/chat.last.json"
    json "$WORK/chat.last.json" "$1" 2>/dev/null | grep -q True && return 0
    sleep 0.1
  done
  fail "$2: $(cat "$WORK/chat.last.json")"
}
wait_for_line "end-to-end encrypted"
wait_for_line "browser: hello from the browser"
printf 'c hello from lena\n' >&7
wait_for_line "muted their microphone"
wait_for_stats "j['remote_audio_muted'] and not j['remote_video_off']" "peercall's stats do not show the page's mute"
printf 'm' >&7
wait_for_line "flood line 1"
# Every line of the flood reaches peercall: shown (at most the burst) or dropped, each counted.
wait_for_stats "j['chat_received'] + j['chat_dropped_in'] == 51" "the flood was not all counted"
check "$WORK/chat.last.json" "j['chat_dropped_in'] > 0 and j['chat_received'] <= 20" "the flood was not dropped"
flood_shown=$(grep -c 'browser: flood line' "$WORK/chat.log")
[ "$flood_shown" = "$(( $(json "$WORK/chat.last.json" "j['chat_received']") - 1 ))" ] ||
  fail "peercall showed $flood_shown flood lines but counted otherwise: $(cat "$WORK/chat.last.json")"
kill -0 $PEER 2>/dev/null || fail "peercall stopped after the flood: $(tail -n 20 "$WORK/chat.log")"
printf 'c flood counted\n' >&7
wait $G || fail "chat: $(tail -n 20 "$WORK/chat.log")"
stop_peer
[ $peer_rc = 0 ] || fail "peercall exited $peer_rc after the browser hung up: $(tail -n 20 "$WORK/chat.log")"
check "$WORK/chat.json" "j['checks']['remote_muted']['audio_muted'] and j['checks']['flood_sent'] == 50" \
  "the page's summary lacks its chat checks"
exec 7>&-
echo "browser test passed"
