#!/usr/bin/env bash
# Audio devices that come and go, on a private PulseAudio server. A talks
# through its microphone (a remapped null sink's monitor, fed a 440 Hz tone);
# B (sending the test tone) plays what it receives on its speaker (another
# null sink) and records it (--audio-out). Mid-call the microphone's source and B's speaker are removed
# (pactl unload-module), then loaded again under the same names:
#   - each side says its device is gone, and the call goes on: B keeps
#     receiving audio (silence from A) and neither process exits;
#   - each side says its device is back, the tone is heard again in B's
#     recording and played on B's speaker again;
#   - both exit 0 when the call ends.
source "$(dirname "$0")/lib.sh"
for tool in pulseaudio pactl pacat parec; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed (pulseaudio, pulseaudio-utils)"; exit 77; }
done

# The server: private runtime dir and home, its own socket, no auth, no autospawn.
export HOME=$WORK/home PULSE_RUNTIME_PATH=$WORK/pulse
export PULSE_SERVER=unix:$WORK/pulse/native
mkdir -p "$HOME" "$PULSE_RUNTIME_PATH"
echo "autospawn = no" > "$WORK/client.conf"
export PULSE_CLIENTCONFIG=$WORK/client.conf
# SDL lists devices by description: give each its own.
MIC_ARGS="source_name=test_mic master=mic_in.monitor source_properties=device.description=TestMic"
SPK_ARGS="sink_name=test_spk rate=48000 channels=1 sink_properties=device.description=TestSpeaker"
{
  echo "load-module module-native-protocol-unix auth-anonymous=1 socket=$WORK/pulse/native"
  echo "load-module module-null-sink sink_name=mic_in rate=48000 channels=1 sink_properties=device.description=MicInput"
  echo "load-module module-null-sink $SPK_ARGS"
  echo "load-module module-remap-source $MIC_ARGS"
} > "$WORK/pa.conf"
pulseaudio -n -F "$WORK/pa.conf" --daemonize=no --disallow-exit --exit-idle-time=-1 \
  --use-pid-file=no --log-target=file:"$WORK/pulse.log" &
PIDS+=($!)
for i in $(seq 1 100); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
pactl info >/dev/null 2>&1 || { cat "$WORK/pulse.log" >&2; fail "pulseaudio did not start"; }
export SDL_AUDIODRIVER=pulseaudio

module_of() { pactl list short modules | awk -v want="$1" 'index($0, want) {print $1; exit}'; }

# The microphone hears a steady 440 Hz tone (-12 dBFS) for the whole test.
/usr/bin/python3 - "$WORK/tone.raw" <<'PY'
import math, struct, sys
rate, seconds = 48000, 90
one = b''.join(struct.pack('<h', int(8000 * math.sin(2 * math.pi * 440 * i / rate))) for i in range(rate // 10))
open(sys.argv[1], 'wb').write(one * (seconds * 10))
PY
pacat --playback --device=mic_in --rate=48000 --channels=1 --format=s16le "$WORK/tone.raw" &
PIDS+=($!)

# `peercall devices` sees the server's devices and marks its defaults.
"$PEERCALL" devices > "$WORK/devices.txt" 2>&1 || fail "peercall devices failed: $(cat "$WORK/devices.txt")"
note "devices: $(tr '\n' '|' < "$WORK/devices.txt")"
grep -q "TestMic" "$WORK/devices.txt" || fail "devices does not list the microphone"
grep -q "TestSpeaker" "$WORK/devices.txt" || fail "devices does not list the speaker"
grep -q "(default)" "$WORK/devices.txt" || fail "devices marks no default"

wav_bytes() { echo $(( $(stat -c %s "$1" 2>/dev/null || echo 44) - 44 )); }
# wait_for SECONDS COMMAND...: polls (every 0.1 s) until the command succeeds.
wait_for() {
  local limit=$1 i; shift
  for i in $(seq 1 $((limit * 10))); do "$@" && return 0; sleep 0.1; done
  return 1
}
in_log() { grep -q "$2" "$1"; }
wav_beyond() { [ "$(wav_bytes "$WORK/b.wav")" -ge "$1" ]; }

port=$(free_port)
"$PEERCALL" listen --invite "$INVITE" --port "$port" --bind 127.0.0.1 \
  --video none --audio mic:TestMic --speaker none --view none --quiet 2> "$WORK/a.log" &
A=$!; PIDS+=($A)
wait_for_port "$port"
timeout 60 "$PEERCALL" call "127.0.0.1:$port/$INVITE" --video none --audio tone --speaker TestSpeaker \
  --view none --quiet --duration 24 --audio-out "$WORK/b.wav" 2> "$WORK/b.log" &
B=$!; PIDS+=($B)
show_logs() { sed 's/^/    A: /' "$WORK/a.log" >&2; sed 's/^/    B: /' "$WORK/b.log" >&2; }

# 3 s of the call with both devices there.
wait_for 15 wav_beyond $((3 * 96000)) || { show_logs; fail "B received no audio from A"; }

pactl unload-module "$(module_of module-remap-source)" || fail "cannot remove the microphone"
pactl unload-module "$(module_of sink_name=test_spk)" || fail "cannot remove the speaker"
wait_for 5 in_log "$WORK/a.log" "microphone 'TestMic' is gone" || { show_logs; fail "A did not notice its microphone go"; }
gone_at=$(wav_bytes "$WORK/b.wav")
wait_for 5 in_log "$WORK/b.log" "speaker 'TestSpeaker' is gone" || { show_logs; fail "B did not notice its speaker go"; }
note "gone: $(grep -h "is gone" "$WORK/a.log" "$WORK/b.log" | tr '\n' '|')"

# The call goes on without them: 3 more seconds of (silent) audio arrive.
wait_for 10 wav_beyond $((gone_at + 3 * 96000)) || { show_logs; fail "the call stopped while the microphone was gone"; }
kill -0 $A 2>/dev/null || { show_logs; fail "A exited when its microphone went"; }
kill -0 $B 2>/dev/null || { show_logs; fail "B exited when its speaker went"; }

pactl load-module module-remap-source $MIC_ARGS >/dev/null || fail "cannot bring the microphone back"
pactl load-module module-null-sink $SPK_ARGS >/dev/null || fail "cannot bring the speaker back"
wait_for 5 in_log "$WORK/a.log" "microphone 'TestMic' is back after" || { show_logs; fail "A did not take its microphone back"; }
back_at=$(wav_bytes "$WORK/b.wav")
wait_for 5 in_log "$WORK/b.log" "speaker 'TestSpeaker' is back after" || { show_logs; fail "B did not take its speaker back"; }
note "back: $(grep -h "is back after" "$WORK/a.log" "$WORK/b.log" | tr '\n' '|')"

# B's speaker plays the tone again: record its monitor for a second.
wait_for 10 wav_beyond $((back_at + 3 * 96000)) || { show_logs; fail "no audio after the devices came back"; }
timeout 1.5 parec --device=test_spk.monitor --rate=48000 --channels=1 --format=s16le --raw > "$WORK/spk.raw" 2>/dev/null
wait $B; rc_b=$?
timeout 10 tail --pid=$A -f /dev/null; wait $A; rc_a=$?
[ $rc_b = 0 ] || { show_logs; fail "B exited $rc_b"; }
[ $rc_a = 0 ] || { show_logs; fail "A exited $rc_a"; }

# The recording: the tone before, silence while the microphone was gone, the
# tone after (A's noise suppression and gain control make it about -30 dBFS;
# digital silence comes out near -110 dBFS).
/usr/bin/python3 - "$WORK/b.wav" "$gone_at" "$back_at" "$WORK/spk.raw" <<'PY' || { show_logs; fail "audio levels out of bounds (see above)"; }
import math, struct, sys
wav = open(sys.argv[1], 'rb').read()[44:]
gone, back = int(sys.argv[2]) // 2, int(sys.argv[3]) // 2
pcm = struct.unpack(f'<{len(wav) // 2}h', wav[:len(wav) // 2 * 2])
def dbfs(x):
    if not x: return -120.0
    return 10 * math.log10(max(sum(v * v for v in x) / len(x), 1e-3) / 32768 ** 2)
rate = 48000
before = dbfs(pcm[gone - 2 * rate:gone - rate // 2])
during = dbfs(pcm[gone + rate:back - rate // 2])
after = dbfs(pcm[back + rate:back + 3 * rate])
raw = open(sys.argv[4], 'rb').read()
spk = struct.unpack(f'<{len(raw) // 2}h', raw[:len(raw) // 2 * 2])
played = dbfs(spk[len(spk) // 4:])
print(f'B received: {before:.1f} dBFS before, {during:.1f} dBFS while the microphone was gone, '
      f'{after:.1f} dBFS after it came back; B\'s speaker played {played:.1f} dBFS '
      f'({len(spk) / rate:.1f} s recorded)', file=sys.stderr)
ok = True
for name, level, want in (('before', before, 'tone'), ('while gone', during, 'silence'),
                          ('after', after, 'tone'), ('on the speaker', played, 'tone')):
    if want == 'tone' and level < -45:
        print(f'FAIL: no tone {name} ({level:.1f} dBFS)', file=sys.stderr); ok = False
    if want == 'silence' and level > -70:
        print(f'FAIL: not silent {name} ({level:.1f} dBFS)', file=sys.stderr); ok = False
sys.exit(0 if ok else 1)
PY
echo "audio hotplug test passed"
