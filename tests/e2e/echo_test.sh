#!/usr/bin/env bash
# Echo on a real audio path. A private PulseAudio server with, per side, a
# speaker (null sink) and a microphone (a null sink's monitor, remapped into
# a real source, as SDL lists no monitors); a loopback module plays each
# side's speaker into its microphone 60 ms later at -6 dB, as a laptop would.
# A sends the test tone; B talks back through its microphone (--audio mic,
# --speaker default). What A receives from B (--audio-out) is the echo of A's
# own tone, measured three times: B with no processing at all, with --no-aec
# (noise suppression and gain control only) and with everything on (default).
#   ERLE = the echo's level without the canceller minus with it, over 2.5-5.5 s
#          of the call (B's near end silent): >= 20 dB.
#   Double talk: from 6 s B's near end "speaks" (400 + 1300 Hz syllables, into
#          its microphone) while the echo goes on; its level at A over 8-11.5 s
#          may drop by < 10 dB against B with no processing.
source "$(dirname "$0")/lib.sh"
MEASURE=(/usr/bin/python3 "$(dirname "$0")/echo_measure.py")
for tool in pulseaudio pactl paplay; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed (pulseaudio, pulseaudio-utils)"; exit 77; }
done

# The server: private runtime dir and home, its own socket, no auth, no autospawn.
export HOME=$WORK/home PULSE_RUNTIME_PATH=$WORK/pulse
export PULSE_SERVER=unix:$WORK/pulse/native
mkdir -p "$HOME" "$PULSE_RUNTIME_PATH"
echo "autospawn = no" > "$WORK/client.conf"
export PULSE_CLIENTCONFIG=$WORK/client.conf
{
  echo "load-module module-native-protocol-unix auth-anonymous=1 socket=$WORK/pulse/native"
  for side in a b; do
    echo "load-module module-null-sink sink_name=${side}_spk rate=48000 channels=1"
    echo "load-module module-null-sink sink_name=${side}_mic rate=48000 channels=1"
    echo "load-module module-remap-source source_name=${side}_src master=${side}_mic.monitor"
  done
} > "$WORK/pa.conf"
pulseaudio -n -F "$WORK/pa.conf" --daemonize=no --disallow-exit --exit-idle-time=-1 \
  --use-pid-file=no --log-target=file:"$WORK/pulse.log" &
PIDS+=($!)
for i in $(seq 1 100); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
pactl info >/dev/null 2>&1 || { cat "$WORK/pulse.log" >&2; fail "pulseaudio did not start"; }

# Each side's speaker back into its microphone: 60 ms, -6 dB.
for side in a b; do
  module=$(pactl load-module module-loopback source=${side}_spk.monitor sink=${side}_mic \
    latency_msec=60 source_dont_move=true sink_dont_move=true) || fail "no loopback module"
  input=$(pactl list sink-inputs | awk -v m="$module" '/^Sink Input #/ {i = substr($3, 2)} /Owner Module:/ && $3 == m {print i}')
  [ -n "$input" ] || fail "the loopback's sink input is missing"
  pactl set-sink-input-volume "$input" -6dB || fail "cannot attenuate the loopback"
done
export SDL_AUDIODRIVER=pulseaudio
"${MEASURE[@]}" speech "$WORK/speech.wav" 10

wav_seconds() { echo $(( ($(stat -c %s "$1" 2>/dev/null || echo 44) - 44) / 96000 )); }

# One call; $1 names it, the rest are B's extra options. Leaves $WORK/$1.wav.
call() {
  local name=$1; shift
  local port; port=$(free_port)
  PULSE_SINK=a_spk PULSE_SOURCE=a_src "$PEERCALL" listen --invite "$INVITE" --port "$port" --bind 127.0.0.1 \
    --video none --audio tone --speaker default --view none --quiet --audio-out "$WORK/$name.wav" \
    2> "$WORK/$name.a.log" &
  local a=$!; PIDS+=($a)
  wait_for_port "$port"
  PULSE_SINK=b_spk PULSE_SOURCE=b_src timeout 40 "$PEERCALL" -v call "127.0.0.1:$port/$INVITE" \
    --video none --audio mic --speaker default --view none --quiet --duration 12 "$@" \
    2> "$WORK/$name.b.log" &
  local b=$!; PIDS+=($b)
  # B's near end starts talking once A has heard 6 s of B (bounded wait).
  local i
  for i in $(seq 1 200); do [ "$(wav_seconds "$WORK/$name.wav")" -ge 6 ] && break; sleep 0.1; done
  [ "$(wav_seconds "$WORK/$name.wav")" -ge 6 ] || { cat "$WORK/$name.b.log" >&2; fail "$name: A received no audio from B"; }
  paplay --device=b_mic "$WORK/speech.wav" &
  local talk=$!; PIDS+=($talk)
  wait $b; local rc_b=$?
  timeout 10 tail --pid=$a -f /dev/null; wait $a; local rc_a=$?
  kill "$talk" 2>/dev/null; wait "$talk" 2>/dev/null
  [ $rc_b = 0 ] || { cat "$WORK/$name.b.log" >&2; fail "$name: B exited $rc_b"; }
  [ $rc_a = 0 ] || { cat "$WORK/$name.a.log" >&2; fail "$name: A exited $rc_a"; }
  "${MEASURE[@]}" measure "$WORK/$name.wav" 2.5 5.5 > "$WORK/$name.echo.json" || fail "$name: measure"
  "${MEASURE[@]}" measure "$WORK/$name.wav" 8 11.5 > "$WORK/$name.talk.json" || fail "$name: measure"
  note "$name: near end silent $(cat "$WORK/$name.echo.json")"
  note "$name: double talk      $(cat "$WORK/$name.talk.json")"
  grep -h "audio processing\|audio:" "$WORK/$name.b.log" | sed "s/^/    B: /" >&2 || true
}

call raw --no-aec --no-ns --no-agc
call noaec --no-aec
call aec

/usr/bin/python3 - "$WORK" <<'PY' || fail "echo figures out of bounds (see above)"
import json, sys
w = sys.argv[1]
m = {f'{n}.{k}': json.load(open(f'{w}/{n}.{k}.json')) for n in ('raw', 'noaec', 'aec') for k in ('echo', 'talk')}
echo = lambda n: m[f'{n}.echo']['rms_dbfs']
talk = lambda n: m[f'{n}.talk']['speech_dbfs']
erle_vs_noaec = echo('noaec') - echo('aec')
erle_vs_raw = echo('raw') - echo('aec')
tone_erle = m['noaec.echo']['tone_dbfs'] - m['aec.echo']['tone_dbfs']
loss_vs_raw = talk('raw') - talk('aec')
loss_vs_noaec = talk('noaec') - talk('aec')
print(f'ERLE {erle_vs_noaec:.1f} dB against --no-aec ({erle_vs_raw:.1f} dB against no processing; '
      f'{tone_erle:.1f} dB on the 880 Hz tone alone)')
print(f'double talk: the near end arrives {loss_vs_raw:.1f} dB below no processing, '
      f'{loss_vs_noaec:.1f} dB below --no-aec')
ok = True
if echo('raw') < -45:
    print('FAIL: no echo to cancel: the loopback does not reach B\'s microphone'); ok = False
if erle_vs_noaec < 20:
    print('FAIL: ERLE < 20 dB'); ok = False
if talk('raw') < -40:
    print('FAIL: the near end\'s speech never reached A'); ok = False
if loss_vs_raw >= 10 or loss_vs_noaec >= 10:
    print('FAIL: the near end loses >= 10 dB in double talk'); ok = False
sys.exit(0 if ok else 1)
PY
echo "echo test passed"
