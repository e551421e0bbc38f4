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
//   node chromium_peer.mjs whep https://HOST:PORT/whep#CODE SECONDS FRAMES-OUT STATS-OUT
// whep: a viewer of a `peercall stream` (bench/browser_viewer_bench.sh):
// WHEP with the code as bearer token, receiving only, frames timed from
// peercall's own stamp (src/media/synthetic/frame_stamp.hpp: its capture time
// is CLOCK_MONOTONIC already), DELETE after SECONDS.
import { existsSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const [role, dir, seconds, framesOut, statsOut] = process.argv.slice(2);
if (!['listen', 'call', 'watch', 'whep'].includes(role) || !statsOut) {
  console.error('usage: node chromium_peer.mjs listen|call|watch DIR|whep URL SECONDS FRAMES-OUT STATS-OUT');
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
  const page = await (await browser.newContext({ ignoreHTTPSErrors: true })).newPage();
  page.on('pageerror', (e) => console.error(`pageerror: ${e.message}`));
  page.on('console', (m) => console.error(`console: ${m.text()}`));
  writeFileSync(framesOut, '');
  writeFileSync(statsOut, '');
  await page.exposeFunction('reportFrame', (arrivalMs, frame, captureMs) =>
    appendFileSync(framesOut, `${wallToMonoUs(arrivalMs)} ${frame} ${wallToMonoUs(captureMs)}\n`));
  // peercall's stamp: the capture time's low 40 bits of CLOCK_MONOTONIC us, taken nearest to now.
  await page.exposeFunction('reportMonoFrame', (arrivalMs, frame, low40) => {
    const span = 2 ** 40, now = monoUs();
    let capture = now - ((((now - low40) % span) + span) % span);
    if (now - capture > span / 2) capture += span;
    appendFileSync(framesOut, frame < 0 ? `${wallToMonoUs(arrivalMs)} -1 -1\n`
                                        : `${wallToMonoUs(arrivalMs)} ${frame} ${capture}\n`);
  });
  const calls = role !== 'listen';
  let whepSession = null;
  if (role === 'whep') {
    whepSession = await connectWhep(page);
  } else {
    // Served by the route, never fetched: http://localhost is a secure context (getUserMedia).
    await page.route('http://localhost/peer', (route) => route.fulfill({ contentType: 'text/html',
      body: '<canvas id=c width=640 height=480></canvas><video id=v muted playsinline></video><audio id=a></audio>' }));
    await page.goto('http://localhost/peer');
    await page.evaluate(async () => {
      const s = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
      s.getTracks().forEach((t) => t.stop());
    });
    await page.evaluate(setUpPage, { receiveOnly: role === 'watch', peercallStamp: false });
    if (calls) {
      writeFileSync(join(dir, 'offer.sdp.tmp'), await page.evaluate(() => window.makeOffer()));
      writeFileSync(join(dir, 'offer.sdp'), readFileSync(join(dir, 'offer.sdp.tmp')));
      await page.evaluate((sdp) => window.takeAnswer(sdp), await waitFile(join(dir, 'answer.sdp'), 30000));
    } else {
      const answer = await page.evaluate((sdp) => window.takeOffer(sdp), await waitFile(join(dir, 'offer.sdp'), 60000));
      writeFileSync(join(dir, 'answer.sdp.tmp'), answer);
      writeFileSync(join(dir, 'answer.sdp'), answer);
    }
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
  if (whepSession) {
    await page.evaluate((at) => at && fetch(at, { method: 'DELETE' }).catch(() => {}), whepSession);
  } else if (calls) {
    writeFileSync(join(dir, 'bye'), '');
  }
  ok = true;
} catch (e) {
  console.error(`chromium_peer ${role}: ${e.message}`);
} finally {
  await browser.close();
}
finish(ok ? 0 : 1);

// WHEP against a peercall streamer: `dir` is https://HOST:PORT/whep#CODE. The
// page is the streamer's own origin (a secure context for the fetch); the
// session's URL is returned, for the DELETE.
async function connectWhep(page) {
  const target = new URL(dir);
  const code = decodeURIComponent(target.hash.replace(/^#/, ''));
  await page.goto(target.origin + '/', { timeout: 15000 });
  await page.evaluate(() => {
    document.body.innerHTML = '<canvas id=c width=640 height=480></canvas><video id=v muted playsinline></video><audio id=a></audio>';
  });
  await page.evaluate(setUpPage, { receiveOnly: true, peercallStamp: true });
  const offer = await page.evaluate(() => window.makeOffer());
  const answer = await page.evaluate(async ({ url, code, offer }) => {
    const r = await fetch(url, { method: 'POST', body: offer,
                                 headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${code}` } });
    if (r.status !== 201) throw new Error(`WHEP POST: ${r.status} ${await r.text()}`);
    return { sdp: await r.text(), location: r.headers.get('Location') };
  }, { url: target.origin + target.pathname, code, offer });
  await page.evaluate((sdp) => window.takeAnswer(sdp), answer.sdp);
  return answer.location ? new URL(answer.location, target.origin).href : null;
}

// In the page: the stamped canvas, the tone, the peer connection, the reader.
function setUpPage({ receiveOnly, peercallStamp }) {
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
      if (peercallStamp) {
        readPeercallStamp(arrival);
        video.requestVideoFrameCallback(onFrame);
        return;
      }
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

  // peercall's stamp (src/media/synthetic/frame_stamp.hpp): 3 rows of 32
  // blocks, each H/18 high, across the top; 16-bit sync 0xB38C, 24-bit frame
  // number, 40-bit capture time (CLOCK_MONOTONIC us), CRC-16/CCITT of those
  // 8 bytes. Each block's inner half is averaged.
  const band = document.createElement('canvas');
  const bctx = band.getContext('2d', { willReadFrequently: true });
  function readPeercallStamp(arrival) {
    const vw = video.videoWidth, vh = video.videoHeight, bh = Math.ceil(3 * vh / 18);
    if (!vw || !vh) return;
    if (band.width !== vw || band.height !== bh) { band.width = vw; band.height = bh; }
    bctx.drawImage(video, 0, 0, vw, bh, 0, 0, vw, bh);
    const px = bctx.getImageData(0, 0, vw, bh).data;
    const bits = [];
    const inner = (i, size, parts) => {
      const lo = Math.ceil((4 * i + 1) * size / (4 * parts)), hi = Math.floor((4 * i + 3) * size / (4 * parts));
      return [lo, Math.max(hi, lo + 1)];
    };
    for (let r = 0; r < 3; r++) {
      const [y0, y1] = inner(r, vh, 18);
      for (let i = 0; i < 32; i++) {
        const [x0, x1] = inner(i, vw, 32);
        let sum = 0, count = 0;
        for (let y = y0; y < Math.min(y1, bh); y++)
          for (let x = x0; x < x1; x++) { sum += px[(y * vw + x) * 4]; count++; }
        bits.push(count && sum / count > 128 ? 1 : 0);
      }
    }
    let at = 0;
    const take = (n) => { let v = 0; for (let k = 0; k < n; k++) v = v * 2 + bits[at++]; return v; };
    const sync = take(16), frame = take(24), time40 = take(40), crc = take(16);
    const bytes = [frame >>> 16 & 255, frame >>> 8 & 255, frame & 255];
    for (let k = 4; k >= 0; k--) bytes.push(Math.floor(time40 / 2 ** (8 * k)) % 256);
    let c = 0xffff;
    for (const b of bytes) {
      c ^= b << 8;
      for (let k = 0; k < 8; k++) c = (c & 0x8000 ? (c << 1) ^ 0x1021 : c << 1) & 0xffff;
    }
    window.reportMonoFrame(arrival, sync === 0xb38c && c === crc ? frame : -1, time40);
  }

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
