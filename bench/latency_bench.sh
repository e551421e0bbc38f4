#!/usr/bin/env bash
# Glass-to-glass latency, bitrate, quality, CPU and memory of a 1280x720@30
# stream over loopback, in one run, side by side:
#   peercall stream -> watch, on its test source and on a live y4m pipe
#     (peercall-testsrc | peercall stream --video -);
#   an ffmpeg pipeline (libx264 zerolatency -> RTP -> ffmpeg receiver with
#     low-delay flags), as ffmpeg threads it and with slice threads;
#   GStreamer (x264enc zerolatency -> rtph264pay -> udpsink -> udpsrc ->
#     rtpjitterbuffer latency=0 -> avdec_h264 -> y4menc), ultrafast, and
#     veryfast constrained baseline (peercall's preset and profile);
#   a peercall call (both ways);
#   live audio: a paced wav of bursts into a FIFO -> peercall stream --audio
#     FIFO -> watch --audio-out - (bench/lib/audio_clicks.py).
# Video latency: the stamp written into each picture at capture, read when the
# decoded frame reaches the analyzer through a pipe (the same source and the
# same analyzer for every row; CLOCK_MONOTONIC on both ends). Audio latency:
# the time a burst's first sample was due at the writer to the time it came out
# of the receiver's wav pipe (see audio_clicks.py for what that includes).
# peercall runs invited, on its encrypted path (ICE, DTLS-SRTP), each side
# with an identity of its own in the work directory.
#
#   bench/latency_bench.sh [build-dir] [seconds per row, default 20]
#   ROWS="pc live ff ffslice gst gstvf call audio" (default: all) picks rows.
# The default run takes about 4 minutes; give 60 or more seconds per row for
# steadier percentiles and a drift over a longer call (the drift compares the
# first and last 10 s). KEEP=1 keeps the work directory.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
secs=${2:-20}
PEERCALL=$build/peercall
ANALYZE=$build/peercall-analyze
TESTSRC=$build/peercall-testsrc
work=$(mktemp -d /tmp/peercall-bench.XXXXXX)
# (kill without pids fails, and set -e would end the trap before the rm)
trap 'kill $(jobs -p) 2>/dev/null || true; if [ "${KEEP:-0}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi' EXIT
export SDL_AUDIODRIVER=dummy
TIME=(/usr/bin/time -f "%U %S %M" -o)
CODE=latencybenchinvitation234
KBPS=1500
SIZE=1280x720

port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return; sleep 0.1; done; }
cpu() {  # TIME-FILE...: user + system seconds, summed over the files
  cat "$@" 2> /dev/null | awk 'NF == 3 && $1 ~ /^[0-9.]+$/ {t += $1 + $2; n++} END {if (n) printf "%.1f", t; else printf "-"}'
}
mem() { tail -n1 "$1" 2> /dev/null | awk 'NF == 3 {printf "%.0f", $3 / 1024; ok = 1} END {if (!ok) printf "-"}'; }
field() {  # FILE KEY: the analyzer's figure, rounded; - if the row failed
  /usr/bin/python3 -c "
import json
try: print(round(json.load(open('$1'))['$2'], 1))
except Exception: print('-')"
}
ROWS=${ROWS:-pc live ff ffslice gst gstvf call audio}
want() { [[ " $ROWS " == *" $1 "* ]]; }
source "$root/bench/lib/live_rows.sh"

# pc_test_source: peercall stream --video test -> watch --video-out - | analyzer.
pc_test_source() {
  local p sender listener
  echo "peercall one-way stream, $SIZE@30, $KBPS kbit/s, ${secs}s ..." >&2
  p=$(port)
  XDG_CONFIG_HOME=$work/cfg-send "${TIME[@]}" "$work/pc_send.time" "$PEERCALL" stream --invite "$CODE" \
    --port "$p" --bind 127.0.0.1 --video test --audio none --size $SIZE --fps 30 --bitrate $KBPS --view none \
    --quiet --stats "$work/pc_send.jsonl" --duration $((secs + 3)) &
  sender=$!
  wait_port "$p"
  XDG_CONFIG_HOME=$work/cfg-recv "${TIME[@]}" "$work/pc_recv.time" "$PEERCALL" watch "127.0.0.1:$p/$CODE" \
    --view none --speaker none --quiet --duration "$secs" --video-out - --stats "$work/pc_recv.jsonl" |
    "$ANALYZE" video - --live > "$work/pc.json"
  wait $sender || true
  stats_kbps "$work/pc_recv.jsonl" > "$work/pc.kbps"
}

# ffmpeg_pipeline NAME [extra encoder options]: one run of the baseline.
ffmpeg_pipeline() {
  local name=$1; shift
  echo "ffmpeg pipeline ($name), same source and encoder settings ..." >&2
  local p; p=$(port)
  cat > "$work/$name.sdp" <<SDP
v=0
o=- 0 0 IN IP4 127.0.0.1
s=bench
c=IN IP4 127.0.0.1
t=0 0
m=video $p RTP/AVP 96
a=rtpmap:96 H264/90000
a=fmtp:96 packetization-mode=1
SDP
  # The receiver first, with every low-delay flag; then the sender.
  "${TIME[@]}" "$work/${name}_recv.time" timeout $((secs + 4)) ffmpeg -hide_banner -loglevel error \
    -protocol_whitelist file,udp,rtp -fflags nobuffer -flags low_delay -probesize 32 -analyzeduration 0 \
    -reorder_queue_size 0 -max_delay 0 -i "$work/$name.sdp" -f yuv4mpegpipe - |
    "$ANALYZE" video - --live > "$work/$name.json" &
  local receiver=$!
  sleep 1
  "${TIME[@]}" "$work/${name}_src.time" "$TESTSRC" --size $SIZE --fps 30 --duration "$secs" |
    "${TIME[@]}" "$work/${name}_send.time" ffmpeg -hide_banner -loglevel error -stats -f yuv4mpegpipe -i - \
      -c:v libx264 -preset veryfast -tune zerolatency -profile:v baseline -crf 20 -maxrate ${KBPS}k \
      -bufsize $((KBPS / 20))k -g 150 -x264-params repeat-headers=1 "$@" -f rtp "rtp://127.0.0.1:$p" \
      2> "$work/${name}_send.log" > /dev/null
  wait $receiver || true
  tr '\r' '\n' < "$work/${name}_send.log" | grep -o 'bitrate= *[0-9.]*' | tail -1 | grep -o '[0-9.]*$' \
    > "$work/${name}.kbps" || echo 0 > "$work/${name}.kbps"
}

# pc_call: peercall listen <-> call, both on the test pattern and tone.
pc_call() {
  local p sender listener
  echo "peercall two-way call, $SIZE@30, ${secs}s ..." >&2
  p=$(port)
  XDG_CONFIG_HOME=$work/cfg-send "${TIME[@]}" "$work/call_l.time" "$PEERCALL" listen --invite "$CODE" \
    --port "$p" --bind 127.0.0.1 --video test --audio tone --size $SIZE --fps 30 --bitrate $KBPS --view none \
    --speaker none --quiet --video-out - |
    "$ANALYZE" video - --live > "$work/call_l.json" &
  listener=$!
  wait_port "$p"
  XDG_CONFIG_HOME=$work/cfg-recv "${TIME[@]}" "$work/call_c.time" "$PEERCALL" call "127.0.0.1:$p/$CODE" \
    --video test --audio tone --size $SIZE --fps 30 --bitrate $KBPS --view none --speaker none --quiet \
    --duration "$secs" --video-out - --stats "$work/call_c.jsonl" | "$ANALYZE" video - --live > "$work/call_c.json"
  wait $listener || true
}

want pc && pc_test_source
want live && pc_live_pipe live $SIZE
# As ffmpeg runs it by default: its libx264 wrapper then uses frame threads
# (tune zerolatency's sliced threads are overridden), which costs latency.
want ff && ffmpeg_pipeline ff
# As tune zerolatency intends it: slice threads, like peercall.
want ffslice && ffmpeg_pipeline ffslice -thread_type slice
# The least delay x264enc offers (ultrafast, its default profile), and
# peercall's own preset and profile (veryfast, constrained baseline) for a
# like-for-like PSNR.
want gst && gst_pipeline gst ultrafast
want gstvf && gst_pipeline gstvf veryfast constrained-baseline
want call && pc_call
want audio && pc_audio_pipe audio

# video_row LABEL NAME SEND-TIMES RECV-TIME: one line of the video table.
video_row() {
  local label=$1 n=$2 send=$3 recv=$4 j="$work/$2.json" files=()
  [ -e "$j" ] || return 0
  for f in $send; do files+=("$work/$f.time"); done
  printf '%-36s %6s %6s ms %7s %6s %5s dB %6s %8s %6s s %5s/%-5s\n' "$label" \
    "$(field "$j" latency_ms_p50)" "$(field "$j" latency_ms_p95)" "$(cut -d. -f1 < "$work/$n.kbps" 2> /dev/null || echo -)" \
    "$(field "$j" psnr_y_mean)" "$(field "$j" psnr_y_p5)" "$(field "$j" unique)" \
    "$(cpu "${files[@]}")" "$(cpu "$work/$recv.time")" "$(mem "${files[0]}")" "$(mem "$work/$recv.time")"
}
echo
uptime | sed 's/^ */(machine load: /; s/$/)/'
printf '%-36s %16s %7s %15s %6s %8s %6s s %11s\n' "video $SIZE@30, ${KBPS} kbit/s cap" "latency p50/p95" kbit/s "PSNR-Y mean/p5" frames "CPU send" recv "RSS MB s/r"
video_row "peercall stream -> watch (test src)" pc pc_send pc_recv
video_row "peercall stream --video - (y4m pipe)" live "live_send live_src" live_recv
video_row "ffmpeg x264 -> RTP -> ffmpeg" ff "ff_send ff_src" ff_recv
video_row "  same, x264 slice threads" ffslice "ffslice_send ffslice_src" ffslice_recv
video_row "GStreamer x264enc ultrafast -> RTP" gst "gst_send gst_src" gst_recv
video_row "  x264enc veryfast, c. baseline" gstvf "gstvf_send gstvf_src" gstvf_recv
[ -e "$work/call_c.json" ] && echo - > "$work/call_c.kbps"
video_row "peercall call (caller receives)" call_c call_l call_c
echo "(CPU: user+system seconds of the whole row; a pipeline's sender includes peercall-testsrc, a separate"
echo " process, while peercall renders its test source in-process; the call row's are the listener's and the"
echo " caller's, each sending and receiving. kbit/s: peercall's received kbps_in, ffmpeg's muxer figure,"
echo " GStreamer's H.264 output without RTP headers.)"

if [ -e "$work/audio.json" ]; then
  a="$work/audio.json"
  printf '\n%-36s %15s %8s %9s %10s %9s %7s %9s\n' "audio 48 kHz mono, Opus" "latency p50/p95" "max" "drift" "slip" "bursts" "kbit/s" "warm-up"
  printf '%-36s %6s %6s ms %5s ms %6s ms %7s ms %4s/%-4s %7s %4s/%sms\n' "peercall stream --audio FIFO (wav)" \
    "$(field "$a" latency_ms_p50)" "$(field "$a" latency_ms_p95)" "$(field "$a" latency_ms_max)" \
    "$(field "$a" drift_ms)" "$(field "$a" sample_slip_ms)" "$(field "$a" bursts_matched)" "$(field "$a" bursts_missing)" \
    "$(cut -d. -f1 < "$work/audio.kbps" 2> /dev/null || echo -)" "$(field "$a" warmup_bursts)" "$(field "$a" warmup_latency_ms_max)"
  echo "(latency: from the moment a burst's first sample was due at the writer (each 5 ms chunk is written when"
  echo " its last sample is due, like a capture device) to when the bytes holding it came out of watch's wav pipe;"
  echo " peercall writes audio there as decoded, without a playout buffer, so a speaker's device buffer is not in it."
  echo " drift: the median latency of the last $(field "$a" window_s) s minus the first's; slip: received minus sent"
  echo " sample positions, last burst minus first (+ = inserted by concealment, - = lost). bursts: matched/missing."
  echo " warm-up: bursts arriving within 1 s of the first (the pipe's backlog from before the viewer joined, sent in"
  echo " a rush), left out of the figures, and the worst of their latencies.)"
fi
