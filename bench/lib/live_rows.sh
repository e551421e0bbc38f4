# Rows of bench/latency_bench.sh fed by live pipes (sourced by it; uses its
# $work, $secs, $PEERCALL, $ANALYZE, $TESTSRC, $CODE, $KBPS, TIME, port,
# wait_port). Every row leaves NAME.json (the analyzer's), NAME_*.time
# (/usr/bin/time) and NAME.kbps in $work.
#
# The clock: peercall-testsrc stamps each picture with CLOCK_MONOTONIC when it
# renders it (before writing it into the pipe), and peercall-analyze takes
# CLOCK_MONOTONIC as each decoded picture comes out of its input pipe; both
# run on this machine, so latency = arrival - stamp needs no clock sync. The
# same source and analyzer serve every video row. For audio, see
# bench/lib/audio_clicks.py (the same clock, read by Python).
lib=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# kbps_in averaged over a peercall --stats file, the first 2 s left out (start-up).
stats_kbps() {
  /usr/bin/python3 -c "
import json; v=[json.loads(l)['kbps_in'] for l in open('$1')][2:]; print(round(sum(v)/max(1,len(v))))"
}

# pc_live_pipe NAME SIZE: peercall-testsrc (y4m at real time) | peercall
# stream --video - (no --size: the stream keeps the source's own size), and
# peercall watch --video-out - | peercall-analyze.
pc_live_pipe() {
  local name=$1 size=$2 p
  echo "peercall stream --video - (live y4m pipe), $size@30, $KBPS kbit/s, ${secs}s ..." >&2
  p=$(port)
  # The source outlives the viewer; it blocks on the pipe until the stream
  # reads it (a stream reads its source only while someone watches).
  "${TIME[@]}" "$work/${name}_src.time" "$TESTSRC" --size "$size" --fps 30 --duration $((secs + 8)) |
    XDG_CONFIG_HOME=$work/cfg-send "${TIME[@]}" "$work/${name}_send.time" "$PEERCALL" stream \
      --invite "$CODE" --port "$p" --bind 127.0.0.1 --video - --audio none --fps 30 --bitrate $KBPS \
      --view none --quiet --duration $((secs + 3)) 2> "$work/${name}_send.err" &
  local sender=$!
  wait_port "$p"
  XDG_CONFIG_HOME=$work/cfg-recv "${TIME[@]}" "$work/${name}_recv.time" "$PEERCALL" watch \
    "127.0.0.1:$p/$CODE" --view none --speaker none --quiet --duration "$secs" --video-out - \
    --stats "$work/${name}_recv.jsonl" 2> "$work/${name}_recv.err" |
    "$ANALYZE" video - --live > "$work/$name.json"
  wait $sender || true
  stats_kbps "$work/${name}_recv.jsonl" > "$work/$name.kbps"
}

# gst_pipeline NAME PRESET [PROFILE]: the same paced, stamped y4m through GStreamer:
# y4mdec ! x264enc (zerolatency) ! rtph264pay ! udpsink -> udpsrc !
# rtpjitterbuffer latency=0 ! rtph264depay ! avdec_h264 ! y4menc ! fdsink.
# Every element is set for the least delay: no sink syncs to the clock, no
# lookahead, slice threads on both ends. Bitrate: the encoder's H.264 output
# (tee'd to a file), without the RTP/UDP headers.
gst_pipeline() {
  local name=$1 preset=$2 profile=${3:-} p
  echo "GStreamer pipeline ($name: x264enc $preset ${profile:-(its default profile)}), $KBPS kbit/s ..." >&2
  p=$(port)
  local caps="application/x-rtp,media=video,clock-rate=90000,encoding-name=H264,payload=96"
  # gst-launch prints progress on stdout: the pictures go out on fd 3.
  # direct-rendering=false: y4menc (1.22) writes the decoder's buffers as they
  # are, and avdec_h264's own are padded (1280x720 comes out 1420800 bytes).
  # -e: SIGINT from timeout ends the pipeline with an EOS, the last picture flushed.
  "${TIME[@]}" "$work/${name}_recv.time" timeout -s INT $((secs + 4)) gst-launch-1.0 -q -e \
    udpsrc address=127.0.0.1 port="$p" caps="$caps" buffer-size=4194304 \
    ! rtpjitterbuffer latency=0 ! rtph264depay ! avdec_h264 thread-type=slice direct-rendering=false \
    ! y4menc ! fdsink fd=3 sync=false 3>&1 1> /dev/null 2> "$work/${name}_recv.err" |
    "$ANALYZE" video - --live > "$work/$name.json" &
  local receiver=$!
  sleep 1
  "${TIME[@]}" "$work/${name}_src.time" "$TESTSRC" --size $SIZE --fps 30 --duration "$secs" |
    "${TIME[@]}" "$work/${name}_send.time" gst-launch-1.0 -q \
      fdsrc fd=0 blocksize=65536 ! y4mdec \
      ! x264enc tune=zerolatency speed-preset="$preset" bitrate=$KBPS key-int-max=150 \
        sliced-threads=true rc-lookahead=0 sync-lookahead=0 \
      ! "video/x-h264${profile:+,profile=$profile}" ! tee name=t ! queue ! filesink location="$work/$name.h264" \
      t. ! rtph264pay pt=96 config-interval=-1 aggregate-mode=zero-latency \
      ! udpsink host=127.0.0.1 port="$p" sync=false async=false > "$work/${name}_send.err" 2>&1
  wait $receiver || true
  /usr/bin/python3 -c "import os; print(round(os.path.getsize('$work/$name.h264') * 8 / $secs / 1000))" \
    > "$work/$name.kbps" 2> /dev/null || echo 0 > "$work/$name.kbps"
}

# pc_audio_pipe NAME: a paced wav of 10 ms bursts written into a FIFO ->
# peercall stream --audio FIFO --video none -> peercall watch --audio-out - ->
# audio_clicks.py analyze. (A FIFO, not --audio -: stream reads its keys from
# stdin unless --video is -, so it would eat part of a wav on stdin.)
pc_audio_pipe() {
  local name=$1 p
  echo "peercall stream --audio FIFO (live wav, a burst every 500 ms), ${secs}s ..." >&2
  p=$(port)
  mkfifo "$work/$name.fifo"
  # The writer's clock starts when the stream opens the FIFO.
  /usr/bin/python3 "$lib/audio_clicks.py" write --seconds $((secs + 8)) --plan "$work/$name.plan.json" \
    --out "$work/$name.fifo" 2> "$work/${name}_writer.err" &
  local writer=$!
  XDG_CONFIG_HOME=$work/cfg-send "${TIME[@]}" "$work/${name}_send.time" "$PEERCALL" stream \
    --invite "$CODE" --port "$p" --bind 127.0.0.1 --video none --audio "$work/$name.fifo" \
    --view none --quiet --duration $((secs + 3)) 2> "$work/${name}_send.err" &
  local sender=$!
  wait_port "$p"
  XDG_CONFIG_HOME=$work/cfg-recv "${TIME[@]}" "$work/${name}_recv.time" "$PEERCALL" watch \
    "127.0.0.1:$p/$CODE" --view none --speaker none --quiet --duration "$secs" --audio-out - \
    --stats "$work/${name}_recv.jsonl" 2> "$work/${name}_recv.err" |
    /usr/bin/python3 "$lib/audio_clicks.py" analyze --plan "$work/$name.plan.json" > "$work/$name.json" || true
  wait $sender || true
  kill $writer 2> /dev/null || true
  wait $writer 2> /dev/null || true
  stats_kbps "$work/${name}_recv.jsonl" > "$work/$name.kbps"
}
