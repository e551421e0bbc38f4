// One side of a Chromium-to-Chromium call, the baseline rows of
// bench/bad_network_bench.sh (run in a network namespace by bench/lib/netsim_call.sh).
// Headless Chromium, no devices: the picture is a 640x480 canvas at 30 fps
// with a stamp band on top (frame number and capture time, wall-clock ms),
// the sound a WebAudio tone. Signalling is by files in a shared directory
// (offer.sdp, answer.sdp, bye), complete SDP without trickle ICE.
//
//   node chromium_peer.mjs listen|call|watch DIR SECONDS FRAMES-OUT STATS-OUT
// call: writes the offer, waits for the answer, hangs up after SECONDS
// (writes DIR/bye); watch: the same, receiving only (a viewer of a stream,
// bench/viewers_bench.sh: the listener then only sends); listen: answers,
// runs until DIR/bye. Both write STATS-OUT
// (a JSON line a second: kbps_in, fps_in, frames_in, bwe_kbps, target_kbps,
// audio_concealed_pct, freezes, mono_s); the caller also writes FRAMES-OUT
// ("arrival_us frame capture_us" per frame shown, CLOCK_MONOTONIC, as
// frame_timeline.py record does). Exit 0 on a finished call, 1 otherwise.
import { existsSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const [role, dir, seconds, framesOut, statsOut] = process.argv.slice(2);
if (!['listen', 'call', 'watch'].includes(role) || !statsOut) {
  console.error('usage: node chromium_peer.mjs listen|call|watch DIR SECONDS FRAMES-OUT STATS-OUT');
  process.exit(2);
}
const here = dirname(new URL(import.meta.url).pathname);
const { chromium } = await import(pathToFileURL(join(here, '../../tests/browser/node_modules/playwright-core/index.mjs')));
// Wall-clock ms (the pages' clock) to CLOCK_MONOTONIC us (the bench's).
const monoUs = () => Number(process.hrtime.bigint() / 1000n);
const wallToMonoUs = (ms) => Math.round(ms * 1000 + (monoUs() - Date.now() * 1000));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// A bound on the whole run, whatever hangs (the bench kills this process by its pid only).
setTimeout(() => { console.error(`chromium_peer ${role}: still running after ${Number(seconds) + 90} s`); finish(1); },
           (Number(seconds) + 90) * 1000).unref();
function finish(code) {
  if (process.env.NC_RC) writeFileSync(process.env.NC_RC, `${code}\n`);
  process.exit(code);
}
async function waitFile(path, limitMs) {
  for (let t = 0; t < limitMs; t += 50) {
    if (existsSync(path)) return readFileSync(path, 'utf8');
    await sleep(50);
  }
  throw new Error(`no ${path} within ${limitMs} ms`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  // Raw host candidates (no mDNS names: nothing resolves them between the namespaces).
  // A granted (fake) camera makes Chromium gather on every interface: the
  // namespaces have no default route, the only one it uses otherwise.
  args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required', '--use-fake-ui-for-media-stream',
         '--use-fake-device-for-media-stream', '--disable-features=WebRtcHideLocalIpsWithMdns'],
});
let ok = false;
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error(`pageerror: ${e.message}`));
  page.on('console', (m) => console.error(`console: ${m.text()}`));
  writeFileSync(framesOut, '');
  writeFileSync(statsOut, '');
  await page.exposeFunction('reportFrame', (arrivalMs, frame, captureMs) =>
    appendFileSync(framesOut, `${wallToMonoUs(arrivalMs)} ${frame} ${wallToMonoUs(captureMs)}\n`));
  // Served by the route, never fetched: http://localhost is a secure context (getUserMedia).
  await page.route('http://localhost/peer', (route) => route.fulfill({ contentType: 'text/html',
    body: '<canvas id=c width=640 height=480></canvas><video id=v muted playsinline></video><audio id=a></audio>' }));
  await page.goto('http://localhost/peer');
  await page.evaluate(async () => {
    const s = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
    s.getTracks().forEach((t) => t.stop());
  });
  const calls = role !== 'listen';
  await page.evaluate(setUpPage, role === 'watch');
  if (calls) {
    writeFileSync(join(dir, 'offer.sdp.tmp'), await page.evaluate(() => window.makeOffer()));
    writeFileSync(join(dir, 'offer.sdp'), readFileSync(join(dir, 'offer.sdp.tmp')));
    await page.evaluate((sdp) => window.takeAnswer(sdp), await waitFile(join(dir, 'answer.sdp'), 30000));
  } else {
    const answer = await page.evaluate((sdp) => window.takeOffer(sdp), await waitFile(join(dir, 'offer.sdp'), 60000));
    writeFileSync(join(dir, 'answer.sdp.tmp'), answer);
    writeFileSync(join(dir, 'answer.sdp'), answer);
  }
  await page.evaluate(() => Promise.race([window.connected, new Promise((_, no) =>
    setTimeout(() => no(new Error('not connected within 30 s')), 30000))]));
  const end = calls ? Date.now() + Number(seconds) * 1000 : Infinity;
  let last = null;
  while (Date.now() < end && !(role === 'listen' && existsSync(join(dir, 'bye')))) {
    await sleep(1000);
    const s = await page.evaluate(() => window.totals());
    if (last) {
      const dt = (s.at - last.at) / 1000;
      appendFileSync(statsOut, JSON.stringify({
        mono_s: monoUs() / 1e6,
        kbps_in: (s.bytesIn - last.bytesIn) * 8 / dt / 1000,
        fps_in: (s.framesIn - last.framesIn) / dt,
        frames_in: s.framesIn, freezes: s.freezes, bwe_kbps: s.bwe ? s.bwe / 1000 : undefined, video_target_kbps: s.target / 1000,
        audio_concealed_pct: s.samples ? 100 * s.concealed / s.samples : 0, audio_samples_in: s.samples,
        packets_lost_in: s.lost, frame_width_in: s.width, nacks_sent: s.nacks,
      }) + '\n');
    }
    last = s;
  }
  if (calls) writeFileSync(join(dir, 'bye'), '');
  ok = true;
} catch (e) {
  console.error(`chromium_peer ${role}: ${e.message}`);
} finally {
  await browser.close();
}
finish(ok ? 0 : 1);

// In the page: the stamped canvas, the tone, the peer connection, the reader.
function setUpPage(receiveOnly) {
  const W = 640, H = 480, COLS = 32, ROWS = 3, BW = W / COLS, BH = 26;
  const canvas = document.getElementById('c');
  const ctx = canvas.getContext('2d');
  let n = 0;
  const now = () => performance.timeOrigin + performance.now();
  function bits(rowValues) {  // 3 rows of 32 bits, MSB first; white = 1
    rowValues.forEach((v, r) => {
      for (let i = 0; i < COLS; i++) {
        ctx.fillStyle = (v >>> (31 - i)) & 1 ? '#ebebeb' : '#101010';
        ctx.fillRect(i * BW, r * BH, BW, BH);
      }
    });
  }
  setInterval(() => {
    // Moving colour bars and a moving box under the band: something to encode.
    for (let i = 0; i < 8; i++) {
      ctx.fillStyle = `hsl(${(i * 45 + n * 3) % 360},70%,50%)`;
      ctx.fillRect(i * 80, ROWS * BH, 80, H - ROWS * BH);
    }
    ctx.fillStyle = '#fff';
    ctx.fillRect((n * 7) % (W - 60), 120 + (n * 3) % 280, 60, 60);
    ctx.font = '48px sans-serif';
    ctx.fillText(String(n), 20, H - 20);
    const t = Math.floor(now());
    const low = t % 4294967296;
    bits([n >>> 0, low >>> 0, (n ^ low ^ 0xA5A5A5A5) >>> 0]);
    n++;
  }, 1000 / 30);
  const stream = canvas.captureStream(30);
  const audio = new AudioContext();
  const osc = audio.createOscillator();
  const dest = audio.createMediaStreamDestination();
  osc.frequency.value = 440;
  osc.connect(dest);
  osc.start();
  stream.addTrack(dest.stream.getAudioTracks()[0]);

  const pc = new RTCPeerConnection({ iceServers: [] });
  if (receiveOnly) {
    pc.addTransceiver('video', { direction: 'recvonly' });
    pc.addTransceiver('audio', { direction: 'recvonly' });
  } else {
    stream.getTracks().forEach((t) => pc.addTrack(t, stream));
  }
  let resolveConnected;
  window.connected = new Promise((r) => (resolveConnected = r));
  pc.onconnectionstatechange = () => {
    console.log(`connection ${pc.connectionState}`);
    if (pc.connectionState === 'connected') resolveConnected();
  };
  const gathered = () => new Promise((r) => {
    if (pc.iceGatheringState === 'complete') return r();
    pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && r();
  });
  window.makeOffer = async () => {
    await pc.setLocalDescription(await pc.createOffer());
    await gathered();
    return pc.localDescription.sdp;
  };
  window.takeAnswer = (sdp) => pc.setRemoteDescription({ type: 'answer', sdp });
  window.takeOffer = async (sdp) => {
    await pc.setRemoteDescription({ type: 'offer', sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    await gathered();
    return pc.localDescription.sdp;
  };

  const video = document.getElementById('v');
  const reader = document.createElement('canvas');
  reader.width = W; reader.height = ROWS * BH;
  const rctx = reader.getContext('2d', { willReadFrequently: true });
  pc.ontrack = (e) => {
    if (e.track.kind === 'audio') {
      const a = document.getElementById('a');
      a.srcObject = new MediaStream([e.track]);
      a.play().catch(() => {});
      return;
    }
    video.srcObject = new MediaStream([e.track]);
    video.play().catch(() => {});
    const onFrame = () => {
      const arrival = now();
      // Scaled to 640 wide whatever the size sent, the band keeps its place.
      rctx.drawImage(video, 0, 0, video.videoWidth, video.videoHeight * ROWS * BH / H, 0, 0, W, ROWS * BH);
      const px = rctx.getImageData(0, 0, W, ROWS * BH).data;
      const rows = [];
      for (let r = 0; r < ROWS; r++) {
        let v = 0;
        for (let i = 0; i < COLS; i++) {
          let sum = 0, count = 0;
          for (let y = r * BH + 8; y < r * BH + BH - 8; y += 2)
            for (let x = i * BW + 6; x < i * BW + BW - 6; x += 2) { sum += px[(y * W + x) * 4]; count++; }
          v = (v << 1) | (sum / count > 128 ? 1 : 0);
        }
        rows.push(v >>> 0);
      }
      if (((rows[0] ^ rows[1] ^ 0xA5A5A5A5) >>> 0) === rows[2]) {
        const back = ((Math.floor(arrival) % 4294967296) - rows[1] + 4294967296) % 4294967296;
        window.reportFrame(arrival, rows[0], Math.floor(arrival) - back);
      } else {
        window.reportFrame(arrival, -1, -1);
      }
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  };

  window.totals = async () => {
    const t = { at: Date.now(), bytesIn: 0, framesIn: 0, freezes: 0, bwe: 0, target: 0, concealed: 0, samples: 0,
                lost: 0, width: 0, nacks: 0 };
    (await pc.getStats()).forEach((s) => {
      if (s.type === 'inbound-rtp') {
        t.bytesIn += s.bytesReceived || 0;
        t.lost += s.packetsLost || 0;
        if (s.kind === 'video') {
          t.framesIn = s.framesDecoded || 0; t.freezes = s.freezeCount || 0;
          t.width = s.frameWidth || 0; t.nacks = s.nackCount || 0;
        }
        if (s.kind === 'audio') { t.concealed = s.concealedSamples || 0; t.samples = s.totalSamplesReceived || 0; }
      }
      if (s.type === 'outbound-rtp' && s.kind === 'video') t.target = s.targetBitrate || 0;
      if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded')
        t.bwe = s.availableOutgoingBitrate || t.bwe;
    });
    return t;
  };
}
