#!/usr/bin/env bash
# Sizes: a source keeps its size and aspect (640x480, portrait 360x640, odd
# 641x481), --size fits with black borders, sizes the encoder cannot take are
# refused before anything starts, a size change mid-stream still decodes,
# and the y4m written carries the rate that was received (25 fps, not 30).
source "$(dirname "$0")/lib.sh"
TESTSRC="$(dirname "$PEERCALL")/peercall-testsrc"

note "--size the encoder cannot take: one line with the range, exit 2, no banner"
for bad in 0x0 8x8 5000x720 1280x3000; do
  timeout 10 "$PEERCALL" stream --invite "$INVITE" --port "$(free_port)" --video test --size "$bad" \
    --view none --quiet > /dev/null 2> "$WORK/err"; rc=$?
  [ $rc = 2 ] || fail "--size $bad exited $rc: $(cat "$WORK/err")"
  grep -q -- "$bad: width and height must be 16-4096 x 16-2304" "$WORK/err" || fail "--size $bad said: $(cat "$WORK/err")"
  grep -q "streaming on port" "$WORK/err" && fail "--size $bad printed the banner first"
  [ "$(grep -c . "$WORK/err")" -le 2 ] || fail "--size $bad printed more than a line or two: $(cat "$WORK/err")"
done

# stream_and_watch NAME STREAM_ARGS...: streams, watches 3 s into $WORK/NAME.y4m.
stream_and_watch() {
  local name=$1; shift
  local port; port=$(free_port)
  "$PEERCALL" stream --invite "$INVITE" --port "$port" --bind 127.0.0.1 --audio none --view none --quiet "$@" \
    2> "$WORK/$name.stream.err" & local s=$!; PIDS+=($s)
  wait_for_port "$port"
  timeout 20 "$PEERCALL" watch "127.0.0.1:$port/$INVITE" --view none --speaker none --quiet --duration 3 \
    --video-out "$WORK/$name.y4m" || fail "$name: watching failed: $(cat "$WORK/$name.stream.err")"
  kill -INT $s 2>/dev/null; wait $s
  "$ANALYZE" video "$WORK/$name.y4m" > "$WORK/$name.json"
  note "$name: $(cat "$WORK/$name.json")"
}

# Columns [0, n) and [W-n, W) of the first frame's luma are black (pillars),
# the centre column is not.
pillars() {  # FILE N
  /usr/bin/python3 - "$1" "$2" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
header, rest = data.split(b"\n", 1)
w = int([t[1:] for t in header.split() if t.startswith(b"W")][0])
h = int([t[1:] for t in header.split() if t.startswith(b"H")][0])
n = int(sys.argv[2])
y = rest[len(b"FRAME\n"):len(b"FRAME\n") + w * h]
def col_mean(x): return sum(y[r * w + x] for r in range(h)) / h
edge = max(col_mean(x) for x in list(range(0, n - 4)) + list(range(w - n + 4, w)))
sys.exit(0 if edge < 24 and col_mean(w // 2) > 40 else 1)
PY
}

for size in 640x480 360x640; do
  note "a $size y4m file keeps its size (no --size)"
  "$TESTSRC" --size "$size" --fps 30 --duration 2 > "$WORK/src_$size.y4m"
  stream_and_watch "own_$size" --video "$WORK/src_$size.y4m" --loop
  w=${size%x*}; h=${size#*x}
  check "$WORK/own_$size.json" "j['width'] == $w and j['height'] == $h and j['unique'] >= 50 and j['psnr_y_mean'] >= 30" \
    "$size did not arrive at its own size"
done

note "--size 1280x720 with a 4:3 source: fitted, black pillars, not stretched"
stream_and_watch fitted --video "$WORK/src_640x480.y4m" --loop --size 1280x720
check "$WORK/fitted.json" "j['width'] == 1280 and j['height'] == 720 and j['frames'] >= 50" "the fitted picture is not 1280x720"
pillars "$WORK/fitted.y4m" 160 || fail "a 4:3 picture in 1280x720 has no black pillars of 160 columns"

note "an odd-sized source (641x481) arrives as 640x480"
ffmpeg -v error -f lavfi -i testsrc2=size=641x481:rate=25 -t 2 -c:v ffv1 -pix_fmt yuv444p "$WORK/odd.mkv" && [ -s "$WORK/odd.mkv" ] || fail "no odd clip"
stream_and_watch odd --video "$WORK/odd.mkv" --loop
check "$WORK/odd.json" "j['width'] == 640 and j['height'] == 480 and j['frames'] >= 50" "the odd source did not arrive"
note "the y4m written carries the 25 fps received, not 30"
check "$WORK/odd.json" "abs(j['frame_rate'] - 25) < 0.01" "the y4m is not labelled 25 fps"

note "--size 641x481 is rounded to 640x480 with a notice"
stream_and_watch odd_size --video test --size 641x481
grep -q "encoding 640x480" "$WORK/odd_size.stream.err" || fail "no notice: $(cat "$WORK/odd_size.stream.err")"
check "$WORK/odd_size.json" "j['width'] == 640 and j['height'] == 480 and j['unique'] >= 60 and j['psnr_y_mean'] >= 35" \
  "--size 641x481 did not arrive as 640x480"
check "$WORK/odd_size.json" "abs(j['frame_rate'] - 30) < 0.01" "the y4m of a 30 fps stream is not labelled 30"

note "a file whose size changes midway (concatenated clips) keeps decoding"
ffmpeg -v error -f lavfi -i testsrc2=size=640x360:rate=30 -t 1 -c:v libx264 -preset ultrafast -pix_fmt yuv420p "$WORK/a.ts"
ffmpeg -v error -f lavfi -i testsrc2=size=320x240:rate=30 -t 1 -c:v libx264 -preset ultrafast -pix_fmt yuv420p "$WORK/b.ts"
cat "$WORK/a.ts" "$WORK/b.ts" > "$WORK/ab.ts"
stream_and_watch changing --video "$WORK/ab.ts" --loop
grep -q "changed size" "$WORK/changing.stream.err" || fail "the sender did not follow the size change: $(cat "$WORK/changing.stream.err")"
# 3 s at 30 fps, written at the first size; a broken picture after the
# change would show as missing frames (the decoder errors until a keyframe).
check "$WORK/changing.json" "(j['width'], j['height']) in ((640, 360), (320, 240)) and j['frames'] >= 75" \
  "frames were lost around the size change"
echo "sizes test passed"
