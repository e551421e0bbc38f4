#!/usr/bin/env bash
# The window under Xvfb: a viewer opens it and shows the remote picture. The
# X server's own screenshot is read back and must carry the sender's frame
# stamp, which only the remote picture has.
source "$(dirname "$0")/lib.sh"
command -v xvfb-run > /dev/null || fail "xvfb-run is missing"
port=$(free_port)
"$PEERCALL" stream --invite "$INVITE" --port "$port" --bind 127.0.0.1 "${SENDER[@]}" --audio none & S=$!; PIDS+=($S)
wait_for_port "$port"
cat > "$WORK/inside.sh" <<INNER
"$PEERCALL" watch 127.0.0.1:$port/$INVITE --view window --speaker none --quiet --duration 6 &
viewer=\$!
sleep 3.5
ffmpeg -v error -f x11grab -video_size 1280x800 -i "\$DISPLAY" -frames:v 1 -f yuv4mpegpipe -pix_fmt yuv420p -y "$WORK/shot.y4m"
ffmpeg -v error -f x11grab -video_size 1280x800 -i "\$DISPLAY" -frames:v 1 -y "$WORK/shot.png"
wait \$viewer
INNER
timeout 60 xvfb-run -a -s "-screen 0 1280x800x24" bash "$WORK/inside.sh"; rc=$?
[ $rc = 0 ] || fail "the viewer with a window exited $rc"
kill -INT $S; wait $S
[ -s "$WORK/shot.y4m" ] || fail "no screenshot"
"$ANALYZE" find 640x360 "$WORK/shot.y4m" > "$WORK/shot.json"
note "screenshot: $(cat "$WORK/shot.json")"
[ -n "${SHOT_COPY:-}" ] && cp "$WORK/shot.png" "$SHOT_COPY"
check "$WORK/shot.json" "j['found'] and j['psnr_y'] >= 25" "the window does not show the remote picture"
echo "window test passed"
