#!/usr/bin/env bash
# Call set-up time: how long from starting a call to the first remote picture.
#  peercall: an invited `peercall call` on loopback (test sources, 640x360@30)
#    against a waiting `peercall listen`; wall time from the caller's process
#    start to the first y4m FRAME it writes to --video-out (a pipe, read and
#    timestamped by a small reader), beside the times to its first ("calling")
#    and its "connected" line, and the "first picture N ms after the connection
#    was up" it logs itself.
#  Chromium: two RTCPeerConnections in one headless page (fake camera,
#    640x360), offer/answer in-page with no signalling delay; time from
#    createOffer to the remote video's first frame (requestVideoFrameCallback)
#    and to the first framesDecoded > 0 in getStats (polled every 10 ms).
# One warm-up run of each is not counted. As root, Chromium runs in a network
# namespace of its own (lo and a veth with 198.18.3.1) so its traffic stays there.
#
#   bench/call_setup_bench.sh [build-dir] [runs]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
runs=${2:-10}
PEERCALL=$build/peercall
work=$(mktemp -d /tmp/peercall-setup-bench.XXXXXX)
benchns=
cleanup() {
  kill $(jobs -p) 2> /dev/null || true
  [ -n "$benchns" ] && ip netns del "$benchns" 2> /dev/null
  rm -rf "$work"
}
trap cleanup EXIT
export SDL_AUDIODRIVER=dummy
CODE=setupbenchinvitation2345
MEDIA=(--video test --audio tone --size 640x360 --fps 30 --bitrate 1500 --view none --speaker none --quiet)

port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2> /dev/null && return; sleep 0.1; done
  echo "nothing listens on $1" >&2; exit 1
}

# Starts the caller itself so that its start is the clock's zero; prints one JSON line.
cat > "$work/first_frame.py" <<'PY'
import json, os, re, subprocess, sys, threading, time
cmd = sys.argv[1:]
t0 = time.monotonic()
p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
seen = {}
def read_log():
    for line in p.stderr:
        text = line.decode(errors='replace')
        if 'calling' in text and 'calling_ms' not in seen:
            seen['calling_ms'] = (time.monotonic() - t0) * 1000
        if 'connected, end-to-end' in text and 'connected_ms' not in seen:
            seen['connected_ms'] = (time.monotonic() - t0) * 1000
        m = re.search(r'first picture (\d+) ms after the connection was up', text)
        if m: seen['logged_first_picture_ms'] = int(m.group(1))
reader = threading.Thread(target=read_log); reader.start()
fd, buf, frame_ms = p.stdout.fileno(), b'', None
while True:
    chunk = os.read(fd, 1 << 16)
    if not chunk: break
    if frame_ms is None:
        buf += chunk
        nl = buf.find(b'\n')  # the stream header ends at the first newline; FRAME follows
        if nl >= 0 and buf.find(b'FRAME', nl) >= 0:
            frame_ms = (time.monotonic() - t0) * 1000
            buf = b''
rc = p.wait(); reader.join()
print(json.dumps(dict(seen, frame_ms=frame_ms, rc=rc)))
PY

peercall_run() {  # OUT: one listener, one caller; the caller's figures to OUT
  local p; p=$(port)
  XDG_CONFIG_HOME=$work/cfg-l "$PEERCALL" listen --invite "$CODE" --port "$p" --bind 127.0.0.1 "${MEDIA[@]}" \
    2> "$work/listener.err" &
  local l=$!
  wait_port "$p"
  XDG_CONFIG_HOME=$work/cfg-c /usr/bin/python3 "$work/first_frame.py" "$PEERCALL" call "127.0.0.1:$p/$CODE" \
    "${MEDIA[@]}" --duration 2 --video-out - > "$1"
  wait $l || true
}

echo "peercall: 1 + $runs calls on loopback ..." >&2
peercall_run "$work/pc_warmup.json"
for i in $(seq "$runs"); do peercall_run "$work/pc_$i.json"; done

cat > "$work/chromium_loopback.mjs" <<'JS'
// Two RTCPeerConnections in one page: offer/answer in-page, candidates handed
// over directly; per run the time from createOffer to the first remote frame.
import { createRequire } from 'node:module';
const require = createRequire(process.argv[2] + '/');
const { chromium } = require('playwright-core');
const runs = Number(process.argv[3]);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
  args: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--no-sandbox',
         '--autoplay-policy=no-user-gesture-required'],
});
try {
  const page = await (await browser.newContext()).newPage();
  // A secure context for getUserMedia, served by the test itself (no network).
  await page.route('http://localhost/bench', (r) => r.fulfill({ contentType: 'text/html', body: '<!doctype html><body></body>' }));
  await page.goto('http://localhost/bench');
  const results = await page.evaluate(async (runs) => {
    const camera = await navigator.mediaDevices.getUserMedia({ audio: false, video: { width: 640, height: 360, frameRate: 30 } });
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    const once = async () => {
      const a = new RTCPeerConnection(), b = new RTCPeerConnection();
      a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
      b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
      const video = document.createElement('video');
      video.muted = true; video.playsInline = true;
      document.body.appendChild(video);
      let connectedAt = null;
      a.onconnectionstatechange = () => { if (a.connectionState === 'connected') connectedAt = performance.now(); };
      const firstFrame = new Promise((resolve) => {
        b.ontrack = (e) => {
          video.srcObject = e.streams[0] || new MediaStream([e.track]);
          video.requestVideoFrameCallback(() => resolve(performance.now()));
          video.play().catch(() => {});
        };
      });
      a.addTrack(camera.getVideoTracks()[0], camera);
      let done = false;
      const t0 = performance.now();
      const firstDecoded = (async () => {
        while (!done) {
          let frames = 0;
          (await b.getStats()).forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') frames = s.framesDecoded || 0; });
          if (frames > 0) return performance.now();
          await sleep(10);
        }
      })();
      const offer = await a.createOffer();
      await a.setLocalDescription(offer);
      await b.setRemoteDescription(offer);
      const answer = await b.createAnswer();
      await b.setLocalDescription(answer);
      await a.setRemoteDescription(answer);
      const timeout = sleep(20000).then(() => { throw new Error('no remote frame within 20 s'); });
      try {
        const [frameAt, decodedAt] = await Promise.race([Promise.all([firstFrame, firstDecoded]), timeout]);
        return { frame_ms: frameAt - t0, decoded_ms: decodedAt - t0, connected_ms: connectedAt && connectedAt - t0 };
      } finally {
        done = true; a.close(); b.close(); video.remove();
      }
    };
    const out = [];
    for (let i = 0; i < runs; i++) out.push(await once());
    return out;
  }, runs + 1);
  console.log(JSON.stringify(results.slice(1)));  // the first one warms up
} finally {
  await browser.close();
}
JS

chromium_ok=0
if [ -x "${CHROMIUM:-/usr/bin/chromium}" ] && [ -d "$root/tests/browser/node_modules/playwright-core" ] &&
   command -v node > /dev/null; then
  echo "chromium: 1 + $runs loopback calls in one page ..." >&2
  in_ns=()
  if [ "$(id -u)" = 0 ] && ip netns add "pcsetup$$" 2> /dev/null; then
    benchns=pcsetup$$
    ip -n $benchns link set lo up
    # An address for host candidates (Chromium gathers none on lo alone): one end of a veth pair.
    ip -n $benchns link add d0 type veth peer name d1 && ip -n $benchns addr add 198.18.3.1/24 dev d0 &&
      ip -n $benchns link set d0 up && ip -n $benchns link set d1 up
    in_ns=(ip netns exec $benchns)
  fi
  "${in_ns[@]}" node "$work/chromium_loopback.mjs" "$root/tests/browser" "$runs" > "$work/chromium.json" \
    2> "$work/chromium.err" && chromium_ok=1 || echo "chromium run failed: $(tail -5 "$work/chromium.err")" >&2
else
  echo "chromium skipped: needs /usr/bin/chromium, node and tests/browser/node_modules (scripts/browser_deps.sh)" >&2
fi

/usr/bin/python3 - "$work" "$runs" "$chromium_ok" <<'PY'
import json, statistics, sys
work, runs, chromium_ok = sys.argv[1], int(sys.argv[2]), sys.argv[3] == '1'
pc = [json.load(open(f'{work}/pc_{i}.json')) for i in range(1, runs + 1)]
bad = [r for r in pc if r.get('frame_ms') is None or r['rc'] != 0]
if bad: print(f'warning: {len(bad)} peercall runs without a picture or exit 0: {bad}', file=sys.stderr)
def row(label, values):
    v = [x for x in values if x is not None]
    if not v: return f'{label:<48} {"-":>8} {"-":>8} {"-":>8}'
    return f'{label:<48} {statistics.median(v):8.0f} {min(v):8.0f} {max(v):8.0f}'
print(f'\n{"call set-up, 640x360, " + str(runs) + " runs (ms)":<48} {"median":>8} {"min":>8} {"max":>8}')
print(row('peercall: process start -> first FRAME out', [r.get('frame_ms') for r in pc]))
print(row('  process start -> "calling ..." logged', [r.get('calling_ms') for r in pc]))
print(row('  process start -> "connected" logged', [r.get('connected_ms') for r in pc]))
print(row('  connected -> first picture (its own log)', [r.get('logged_first_picture_ms') for r in pc]))
if chromium_ok:
    ch = json.load(open(f'{work}/chromium.json'))
    print(row('chromium: createOffer -> first frame (rVFC)', [r['frame_ms'] for r in ch]))
    print(row('  createOffer -> framesDecoded > 0 (getStats)', [r['decoded_ms'] for r in ch]))
    print(row('  createOffer -> connectionState connected', [r['connected_ms'] for r in ch]))
else:
    print(f'{"chromium: not run":<48}')
PY
