#!/usr/bin/env bash
# Glass-to-glass latency, bitrate, quality, CPU and memory of a 1280x720@30
# stream over loopback, for peercall and for an ffmpeg pipeline (libx264
# zerolatency -> RTP -> ffmpeg receiver with low-delay flags), in one run.
# Latency: the stamp written into each picture at capture, read when the
# decoded frame reaches the analyzer through a pipe (the same for both).
# peercall runs invited, on its encrypted path (ICE, DTLS-SRTP), each side
# with an identity of its own in the work directory.
#
#   bench/latency_bench.sh [build-dir] [seconds]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
secs=${2:-20}
PEERCALL=$build/peercall
ANALYZE=$build/peercall-analyze
TESTSRC=$build/peercall-testsrc
work=$(mktemp -d /tmp/peercall-bench.XXXXXX)
# (kill without pids fails, and set -e would end the trap before the rm)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
export SDL_AUDIODRIVER=dummy
TIME=(/usr/bin/time -f "%U %S %M" -o)
CODE=latencybenchinvitation234
KBPS=1500
SIZE=1280x720

port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return; sleep 0.1; done; }
cpu() { tail -n1 "$1" | awk '{printf "%.1f", $1 + $2}'; }
mem() { tail -n1 "$1" | awk '{printf "%.0f", $3 / 1024}'; }
field() { /usr/bin/python3 -c "import json; print(round(json.load(open('$1'))['$2'], 1))"; }

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
pc_kbps=$(/usr/bin/python3 -c "
import json; v=[json.loads(l)['kbps_in'] for l in open('$work/pc_recv.jsonl')][2:]; print(round(sum(v)/max(1,len(v))))")

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
# As ffmpeg runs it by default: its libx264 wrapper then uses frame threads
# (tune zerolatency's sliced threads are overridden), which costs latency.
ffmpeg_pipeline ff
# As tune zerolatency intends it: slice threads, like peercall.
ffmpeg_pipeline ffslice -thread_type slice

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

printf '\n%-34s %10s %10s %9s %9s %10s %10s %9s %9s\n' pipeline "lat p50" "lat p95" kbit/s "PSNR-Y" "frames" "CPU send" "CPU recv" "RSS MB"
printf '%-34s %8s ms %7s ms %9s %6s dB %10s %9s s %8s s %4s/%-4s\n' \
  "peercall stream -> watch" "$(field "$work/pc.json" latency_ms_p50)" "$(field "$work/pc.json" latency_ms_p95)" \
  "$pc_kbps" "$(field "$work/pc.json" psnr_y_mean)" "$(field "$work/pc.json" unique)" \
  "$(cpu "$work/pc_send.time")" "$(cpu "$work/pc_recv.time")" "$(mem "$work/pc_send.time")" "$(mem "$work/pc_recv.time")"
ffmpeg_row() {  # LABEL NAME
  printf '%-34s %8s ms %7s ms %9s %6s dB %10s %13s s %8s s %4s/%-4s\n' \
    "$1" "$(field "$work/$2.json" latency_ms_p50)" "$(field "$work/$2.json" latency_ms_p95)" \
    "$(cut -d. -f1 < "$work/$2.kbps")" "$(field "$work/$2.json" psnr_y_mean)" "$(field "$work/$2.json" unique)" \
    "$(cpu "$work/$2_send.time") + $(cpu "$work/$2_src.time")" "$(cpu "$work/$2_recv.time")" \
    "$(mem "$work/$2_send.time")" "$(mem "$work/$2_recv.time")"
}
ffmpeg_row "ffmpeg x264 -> RTP -> ffmpeg" ff
ffmpeg_row "  same, x264 slice threads" ffslice
printf '%-34s %8s ms %7s ms %9s %6s dB %10s %9s s %8s s %4s/%-4s\n' \
  "peercall call (caller receives)" "$(field "$work/call_c.json" latency_ms_p50)" "$(field "$work/call_c.json" latency_ms_p95)" \
  "-" "$(field "$work/call_c.json" psnr_y_mean)" "$(field "$work/call_c.json" unique)" \
  "$(cpu "$work/call_l.time")" "$(cpu "$work/call_c.time")" "$(mem "$work/call_l.time")" "$(mem "$work/call_c.time")"
echo "(call row: CPU and RSS are the listener's and the caller's; each sends and receives)"
echo "(ffmpeg's sender CPU: the encoder + the test pattern source, a separate process; peercall renders it in-process)"
