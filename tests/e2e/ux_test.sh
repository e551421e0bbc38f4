#!/usr/bin/env bash
# What a new user runs into: errors that say what is wrong and what is
# allowed, outputs that fail loudly, one output per stdout, the settings file.
source "$(dirname "$0")/lib.sh"

# expect_usage CODE TEXT ARGS...: exits CODE, and stderr has TEXT.
expect() {
  local code=$1 text=$2; shift 2
  timeout 20 "$PEERCALL" "$@" > "$WORK/out.txt" 2> "$WORK/err.txt"
  local rc=$?
  [ $rc = "$code" ] || fail "peercall $* exited $rc, not $code: $(cat "$WORK/err.txt")"
  grep -qF -- "$text" "$WORK/err.txt" || fail "peercall $*: no '$text' in: $(cat "$WORK/err.txt")"
}

note "errors name what is wrong and what is allowed"
expect 2 "--port 70000: must be 1-65535" listen --port 70000
expect 2 "--duration 0: must be a number of seconds above 0" listen --duration 0
grep -qE '[0-9]{20}' "$WORK/err.txt" && fail "--duration 0 quotes a huge number: $(cat "$WORK/err.txt")"
expect 2 "--fps 500: must be 1-60" call 127.0.0.1/abc --fps 500
expect 2 "must be invited, ask or any" listen --accept everyone
closed=$(free_port)
expect 3 "peercall stream" watch "127.0.0.1:$closed" --view none --speaker none
expect 3 "peercall listen" call "127.0.0.1:$closed" "${MEDIA[@]}"

note "one output per stdout"
expect 2 "--video-out - and --stats -: only one output can go to stdout" watch 127.0.0.1/x --video-out - --stats -
expect 2 "only one output can go to stdout" call 127.0.0.1/x --video-out - --audio-out - --stats -

note "the settings file and flags"
mkdir -p "$XDG_CONFIG_HOME/peercall"
printf '[listen]\nport = 6123\naccept = "ask"\n' > "$XDG_CONFIG_HOME/peercall/peercall.conf"
"$PEERCALL" config listen --accept any > "$WORK/config.txt" || fail "peercall config failed"
grep -E '^  port = 6123 +# file$' "$WORK/config.txt" >/dev/null || fail "the file does not set the port: $(cat "$WORK/config.txt")"
grep -E '^  accept = "any" +# flag$' "$WORK/config.txt" >/dev/null || fail "the flag does not override the file: $(cat "$WORK/config.txt")"
grep -E '^  bitrate = 1500 +# default$' "$WORK/config.txt" >/dev/null || fail "defaults are not shown: $(cat "$WORK/config.txt")"
printf '[listen]\nprot = 6123\n' > "$XDG_CONFIG_HOME/peercall/peercall.conf"
expect 2 "prot" listen
rm "$XDG_CONFIG_HOME/peercall/peercall.conf"

# A listener streaming the test pattern to the callers below, one at a time.
call_with() {  # call_with EXPECTED_EXIT ARGS... (stderr in $WORK/c.log)
  local expected=$1; shift
  local port; port=$(free_port)
  "$PEERCALL" listen --invite "$INVITE" --port "$port" --bind 127.0.0.1 "${MEDIA[@]}" --duration 20 \
    2> "$WORK/l.log" &
  local L=$!; PIDS+=($L)
  wait_for_port "$port"
  timeout 30 "$PEERCALL" call "127.0.0.1:$port/$INVITE" "${MEDIA[@]}" --duration 4 "$@" 2> "$WORK/c.log"
  local rc=$?
  kill $L 2>/dev/null; wait $L 2>/dev/null
  [ $rc = "$expected" ] || fail "call $* exited $rc, not $expected: $(cat "$WORK/c.log")"
}

note "outputs that fail say so"
call_with 1 --record /dev/full
grep -qF "/dev/full" "$WORK/c.log" || fail "--record /dev/full: no message: $(cat "$WORK/c.log")"
call_with 1 --video-out /dev/full
tail -n1 "$WORK/c.log" | grep -qF "y4m output '/dev/full'" || fail "--video-out /dev/full: $(cat "$WORK/c.log")"

note "a closed reader of --video-out - ends that output; the call goes on"
port=$(free_port)
"$PEERCALL" listen --invite "$INVITE" --port "$port" --bind 127.0.0.1 "${MEDIA[@]}" --duration 20 2> "$WORK/l.log" &
L=$!; PIDS+=($L)
wait_for_port "$port"
timeout 30 "$PEERCALL" call "127.0.0.1:$port/$INVITE" "${MEDIA[@]}" --duration 4 --video-out - \
  --stats "$WORK/c.jsonl" 2> "$WORK/c.log" | head -c 1000000 > /dev/null
rc=${PIPESTATUS[0]}
[ $rc = 0 ] || fail "the call ended with $rc when the reader went away: $(cat "$WORK/c.log")"
grep -qF "the reader" "$WORK/c.log" || fail "no line about the reader going away: $(cat "$WORK/c.log")"
tail -n1 "$WORK/c.jsonl" > "$WORK/last.json"
check "$WORK/last.json" "j['fps_in'] > 10" "the call did not go on after the reader left"
note "an idle listener captures and encodes nothing until a call is connected"
port=$(free_port)
"$PEERCALL" listen --invite "$INVITE" --port "$port" --bind 127.0.0.1 "${MEDIA[@]}" --duration 2.5 \
  --stats "$WORK/idle.jsonl" 2> "$WORK/idle.log" || fail "the idle listener failed: $(cat "$WORK/idle.log")"
[ "$(wc -l < "$WORK/idle.jsonl")" -ge 2 ] || fail "no stats from the idle listener: $(cat "$WORK/idle.log")"
tail -n1 "$WORK/idle.jsonl" > "$WORK/idle.json"
check "$WORK/idle.json" "j['frames_out'] == 0" "an idle listener encoded frames"
echo "ux test passed"
