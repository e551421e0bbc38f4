// Drives Debian's Chromium (headless, fake camera and microphone) against a
// running peercall listener or streamer, as a browser guest would.
//
// Usage: node guest_test.mjs SCENARIO URL [options]
//   SCENARIO  page     the served page: Join, media flows both ways, check number shown, Hang up
//             whip     a bare RTCPeerConnection (no page UI) doing WHIP/WHEP by hand, then DELETE
//             refused  the page with a wrong code: shows the refusal, never connects
//             ended    the page joins, then peercall hangs up (--duration): the page says the call ended
//             chat     the page joins; over the data channel, in this order (each step waits for the
//                      one before it, so the shell driving peercall can follow the listener's log):
//                      says "hello from the browser"; waits for "hello from lena" from peercall;
//                      clicks Mute; waits for peercall's mute (remoteState.audio_muted); sends a flood
//                      of lines at once; waits for "flood counted" from peercall; hangs up
//   URL       https://127.0.0.1:PORT/call#CODE
//   --expect-refusal TEXT   (refused) the status must contain TEXT
//   --expect-sas "ddd ddd"  (page) the check number must be this one
//   --frames N              video frames to decode (default 30)
//   --expect-fec            (page) FEC packets must arrive with the video (the receiver's histograms)
//   --end-within SECONDS    (ended) how long after connecting the page must notice (default 20)
//   --expect-chat-from NAME (chat) the name peercall's lines must carry (default: any but 'you')
//   --flood N               (chat) lines sent at once (default 50)
//   --step-within SECONDS   (chat) how long each step may wait for peercall (default 20)
//   --timeout SECONDS       bound for the whole run (default 60)
// Environment: CHROMIUM (default /usr/bin/chromium);
//   GUEST_HTML=src/app/web/guest.html  serve this page instead of the built-in one (same headers),
//   to try page edits without rebuilding peercall.
// Prints one JSON summary line on stdout; exits 0 on success, 1 on failure.
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';

const [scenario, url, ...rest] = process.argv.slice(2);
const opt = { frames: 30, timeout: 60, expectRefusal: null, expectSas: null, endWithin: 20,
              expectChatFrom: null, flood: 50, stepWithin: 20, expectFec: false };
for (let i = 0; i < rest.length; i += 2) {
  const [key, value] = [rest[i], rest[i + 1]];
  if (key === '--expect-fec') { opt.expectFec = true; --i; continue; }
  if (key === '--frames') opt.frames = Number(value);
  else if (key === '--timeout') opt.timeout = Number(value);
  else if (key === '--expect-refusal') opt.expectRefusal = value;
  else if (key === '--expect-sas') opt.expectSas = value;
  else if (key === '--end-within') opt.endWithin = Number(value);
  else if (key === '--expect-chat-from') opt.expectChatFrom = value;
  else if (key === '--flood') opt.flood = Number(value);
  else if (key === '--step-within') opt.stepWithin = Number(value);
  else usage(`unknown option ${key}`);
}
if (!['page', 'whip', 'refused', 'ended', 'chat'].includes(scenario) || !url) usage('need SCENARIO and URL');

function usage(why) {
  console.error(`guest_test: ${why}\nusage: node guest_test.mjs page|whip|refused|ended|chat https://HOST:PORT/call#CODE [options]`);
  process.exit(2);
}

const summary = { scenario, url, ok: false, checks: {}, console: [] };
const target = new URL(url);
const code = decodeURIComponent(target.hash.replace(/^#/, ''));
let browser = null;

function report(ok, failure) {
  summary.ok = ok;
  if (failure) summary.failure = failure;
  console.log(JSON.stringify(summary));
}

class TestFailure extends Error {}
function expect(name, value, good) {
  summary.checks[name] = value;
  if (!good) throw new TestFailure(`${name}: ${JSON.stringify(value)}`);
}

// The whole run is bounded: a hang is a failure with what was seen so far.
const watchdog = setTimeout(() => {
  report(false, `timed out after ${opt.timeout} s`);
  if (browser) browser.close().catch(() => {});
  process.exit(1);
}, opt.timeout * 1000);

// Reads the numbers the checks need out of pc.getStats(), in the page.
async function mediaStats(page, which) {
  return page.evaluate(async (which) => {
    const pc = which === 'bare' ? window.barePc : window.peercall?.pc;  // no eval: the page's CSP forbids it
    if (!pc) return null;
    const out = { videoIn: 0, audioEnergyIn: 0, audioSamplesIn: 0, videoOut: 0, videoWidthIn: 0, codecs: [],
                  packetsLostIn: 0, nacksSent: 0, freezes: 0, freezeSeconds: 0, plisSent: 0 };
    const stats = await pc.getStats();
    stats.forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') {
        out.videoIn = Math.max(out.videoIn, s.framesDecoded || 0);
        out.videoWidthIn = Math.max(out.videoWidthIn, s.frameWidth || 0);
        out.packetsLostIn += s.packetsLost || 0;
        out.nacksSent += s.nackCount || 0;
        out.freezes += s.freezeCount || 0;
        out.freezeSeconds += s.totalFreezesDuration || 0;
        out.plisSent += s.pliCount || 0;
      }
      if (s.type === 'inbound-rtp' && s.kind === 'audio') {
        out.audioEnergyIn = Math.max(out.audioEnergyIn, s.totalAudioEnergy || 0);
        out.audioSamplesIn = Math.max(out.audioSamplesIn, s.totalSamplesReceived || 0);
      }
      if (s.type === 'outbound-rtp' && s.kind === 'video') out.videoOut = Math.max(out.videoOut, s.framesSent || 0);
      if (s.type === 'codec') out.codecs.push(s.mimeType);
    });
    out.codecs = [...new Set(out.codecs)].sort();
    return out;
  }, which);
}

// Polls the stats until `done(stats)` or the deadline; returns the last sample.
async function waitForMedia(page, which, done, seconds) {
  const deadline = Date.now() + seconds * 1000;
  let last = null;
  while (Date.now() < deadline) {
    last = await mediaStats(page, which);
    if (last && done(last)) return last;
    await page.waitForTimeout(250);
  }
  return last;
}

async function openBrowser() {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    // The bare client has no click to allow playing sound (a sink is needed to decode audio);
    // the page must do with the Join click, as it will in a user's browser.
    args: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--no-sandbox',
           ...(scenario === 'whip' ? ['--autoplay-policy=no-user-gesture-required'] : [])],
  });
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  if (process.env.GUEST_HTML) await servePageFromFile(page, process.env.GUEST_HTML);
  page.on('console', (m) => summary.console.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => summary.console.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => summary.console.push(`requestfailed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`));
  return page;
}

// The page as guest_page.cpp builds it, from the file and the header it takes the check number's JS from.
async function servePageFromFile(page, file) {
  const html = readFileSync(file, 'utf8');
  const header = readFileSync(new URL('../../src/identity/short_auth_string.hpp', import.meta.url), 'utf8');
  const sasJs = header.split('R"js(')[1].split(')js"')[0];
  await page.route((u) => u.pathname === '/' || u.pathname === '/call', async (route) => {
    const original = await route.fetch();
    const mode = /<body[^>]*data-mode="watch"/.test(await original.text()) ? 'watch' : 'call';
    const body = html.replaceAll('/*PEERCALL_SAS_JS*/', sasJs).replaceAll('%PEERCALL_MODE%', mode);
    await route.fulfill({ response: original, body });
  });
}

const pageState = (page) => page.evaluate(() => ({
  state: window.peercall?.state, error: window.peercall?.error, sas: window.peercall?.sas,
  mode: window.peercall?.mode, status: document.getElementById('status')?.textContent,
}));

async function waitForState(page, states, seconds) {
  try {
    await page.waitForFunction((s) => s.includes(window.peercall?.state), states, { timeout: seconds * 1000, polling: 100 });
  } catch { /* the caller checks the state it got */ }
  return pageState(page);
}

async function scenarioPage(page) {
  await page.goto(url, { timeout: 10000 });
  const first = await pageState(page);
  expect('page_loaded', first.state, first.state === 'idle');
  const watching = first.mode === 'watch';
  summary.checks.mode = first.mode;
  await page.click('#join', { timeout: 5000 });
  const joined = await waitForState(page, ['connected', 'refused', 'failed', 'ended'], 20);
  expect('connected', joined, joined.state === 'connected' && joined.status === 'connected, encrypted');

  // 30 frames a second, and as long again for a slow start.
  const stats = await waitForMedia(page, 'page',
    (s) => s.videoIn > opt.frames && s.audioEnergyIn > 0 && (watching || s.videoOut > opt.frames),
    Math.max(20, (opt.frames / 30) * 2));
  summary.checks.stats = stats;
  expect('video_frames_decoded', stats?.videoIn, stats && stats.videoIn > opt.frames);
  expect('audio_energy_received', stats?.audioEnergyIn, stats && stats.audioEnergyIn > 0);
  if (!watching) expect('video_frames_sent', stats?.videoOut, stats && stats.videoOut > opt.frames);
  const shown = await page.evaluate(() => document.getElementById('remote').videoWidth);
  expect('remote_video_width', shown, shown > 0);

  const sasText = (await page.textContent('#sas', { timeout: 2000 }))?.replace(/\s+/g, ' ').trim();
  const sas = (await pageState(page)).sas;
  summary.checks.sas_text = sasText;
  expect('sas', sas, /^\d{3} \d{3}$/.test(sas || '') && sasText === `check aloud: ${sas}`);
  if (opt.expectSas) expect('sas_matches_peercall', { page: sas, peercall: opt.expectSas }, sas === opt.expectSas);

  const deleted = page.waitForResponse((r) => r.request().method() === 'DELETE', { timeout: 5000 }).catch(() => null);
  await page.click('#hangup', { timeout: 5000 });
  const after = await pageState(page);
  expect('hung_up', after, after.state === 'ended' && after.status === 'the call ended');
  const response = await deleted;
  expect('delete_status', response?.status() ?? null, response && response.status() >= 200 && response.status() < 300);
  if (opt.expectFec) {
    // inbound-rtp has no FEC counts for ULPFEC; the receiver records them in
    // histograms when its stream ends (after 10 s or more of it).
    const fec = await fecHistograms(page);
    summary.checks.fec_histograms = fec;
    expect('fec_packets_received', fec, fec && fec.receivedPercent > 0);
  }
}

// WebRTC.Video.ReceivedFecPacketsInPercent and RecoveredMediaPacketsInPercentOfFec,
// as chrome://histograms shows them (their mean), or null.
async function fecHistograms(page) {
  const view = await page.context().newPage();
  const mean = (text, name) => {
    const at = text.indexOf(`Histogram: ${name} `);
    if (at < 0) return null;
    const m = /mean = ([0-9.]+)/.exec(text.slice(at, at + 300));
    return m ? Number(m[1]) : null;
  };
  let text = '';
  for (let i = 0; i < 20; ++i) {
    await view.goto('chrome://histograms/#WebRTC.Video', { timeout: 5000 }).catch((e) => { summary.console.push(`histograms: ${e.message}`); });
    // The renderer's (WebRTC's) histograms are only listed with the subprocesses'.
    await view.evaluate(() => {
      const box = [...document.querySelectorAll('input[type=checkbox]')][0];
      if (box && !box.checked) box.click();
      const refresh = [...document.querySelectorAll('button')].find((b) => /refresh/i.test(b.textContent));
      refresh?.click();
    }).catch(() => {});
    await view.waitForTimeout(1000);
    text = await view.evaluate(() => document.body.innerText).catch(() => '');
    const received = mean(text, 'WebRTC.Video.ReceivedFecPacketsInPercent');
    if (received !== null)
      return { receivedPercent: received, recoveredPercentOfFec: mean(text, 'WebRTC.Video.RecoveredMediaPacketsInPercentOfFec') };
  }
  summary.checks.histograms_seen = text.slice(0, 1000);
  return null;
}

async function scenarioWhip(page) {
  await page.goto(target.origin + '/', { timeout: 10000 });  // a secure origin; the page's UI is not used
  const mode = await page.evaluate(() => window.peercall?.mode || 'call');
  summary.checks.mode = mode;
  const endpoint = mode === 'watch' ? '/whep' : '/whip';
  const offered = await page.evaluate(async ({ code, endpoint, mode }) => {
    const pc = new RTCPeerConnection();
    window.barePc = pc;
    if (mode === 'watch') {
      pc.addTransceiver('audio', { direction: 'recvonly' });
      pc.addTransceiver('video', { direction: 'recvonly' });
    } else {
      const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
      for (const track of media.getTracks()) pc.addTrack(track, media);
    }
    // Chromium decodes remote audio only for a sink: play everything in a (hidden) element.
    const sink = document.createElement('video');
    sink.srcObject = new MediaStream();
    pc.ontrack = (e) => {
      (window.bareTracks ||= []).push(e.track.kind + (e.streams.length ? '' : ' (no stream)'));
      sink.srcObject.addTrack(e.track);
      sink.play().catch(() => {});
    };
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise((resolve) => {
      if (pc.iceGatheringState === 'complete') return resolve();
      const timer = setTimeout(resolve, 3000);
      pc.onicegatheringstatechange = () => { if (pc.iceGatheringState === 'complete') { clearTimeout(timer); resolve(); } };
    });
    const r = await fetch(endpoint, {
      method: 'POST', body: pc.localDescription.sdp,
      headers: { 'Content-Type': 'application/sdp', 'Authorization': 'Bearer ' + code },
    });
    const body = await r.text();
    const out = { status: r.status, type: r.headers.get('Content-Type'), location: r.headers.get('Location') };
    if (r.status !== 201) return { ...out, body };
    await pc.setRemoteDescription({ type: 'answer', sdp: body });
    window.bareLocation = new URL(out.location, location.href).href;
    return out;
  }, { code, endpoint, mode });
  summary.checks.offer = offered;
  expect('offer_status', offered.status, offered.status === 201);
  expect('answer_content_type', offered.type, /^application\/sdp/.test(offered.type || ''));
  expect('location', offered.location, /^\/session\/[^/]+$/.test(offered.location || ''));

  try {
    await page.waitForFunction(() => window.barePc.connectionState === 'connected', null, { timeout: 15000, polling: 100 });
  } catch { /* checked next */ }
  const connection = await page.evaluate(() => window.barePc.connectionState);
  expect('connection_state', connection, connection === 'connected');
  const stats = await waitForMedia(page, 'bare',
    (s) => s.videoIn > opt.frames && s.audioEnergyIn > 0 && (mode === 'watch' || s.videoOut > opt.frames), 20);
  summary.checks.stats = stats;
  summary.checks.tracks = await page.evaluate(() => window.bareTracks || []);
  expect('video_frames_decoded', stats?.videoIn, stats && stats.videoIn > opt.frames);
  expect('audio_energy_received', stats?.audioEnergyIn, stats && stats.audioEnergyIn > 0);
  if (mode !== 'watch') expect('video_frames_sent', stats?.videoOut, stats && stats.videoOut > opt.frames);

  const deleted = await page.evaluate(async () => {
    const r = await fetch(window.bareLocation, { method: 'DELETE' });
    window.barePc.close();
    return r.status;
  });
  expect('delete_status', deleted, deleted >= 200 && deleted < 300);
}

async function scenarioRefused(page) {
  await page.goto(url, { timeout: 10000 });
  // Every state the status line shows, to prove it never said connected.
  await page.evaluate(() => {
    const line = document.getElementById('status');
    window.seenStates = [line.dataset.state];
    new MutationObserver(() => window.seenStates.push(line.dataset.state))
      .observe(line, { attributes: true, attributeFilter: ['data-state'] });
  });
  await page.click('#join', { timeout: 5000 });
  const ended = await waitForState(page, ['connected', 'refused', 'failed', 'ended'], 15);
  summary.checks.seen_states = await page.evaluate(() => window.seenStates);
  expect('refused', ended, ended.state === 'refused' && /^refused: ./.test(ended.status || '') &&
    ended.status === `refused: ${ended.error}`);
  if (opt.expectRefusal) expect('refusal_text', ended.status, ended.status.includes(opt.expectRefusal));
  // Give a wrongly admitted connection the time to come up, then look again.
  await page.waitForTimeout(1500);
  const later = await pageState(page);
  const seen = await page.evaluate(() => window.seenStates);
  expect('never_connected', seen, !seen.includes('connected') && later.state === 'refused');
  const enabled = await page.isEnabled('#join');
  expect('join_enabled_again', enabled, enabled);
}

async function scenarioEnded(page) {
  await page.goto(url, { timeout: 10000 });
  await page.click('#join', { timeout: 5000 });
  const joined = await waitForState(page, ['connected', 'refused', 'failed', 'ended'], 20);
  expect('connected', joined, joined.state === 'connected');
  const since = Date.now();
  const ended = await waitForState(page, ['refused', 'failed', 'ended'], opt.endWithin);
  summary.checks.noticed_after_ms = Date.now() - since;
  expect('ended', ended, ended.state === 'ended' && ended.status === 'the call ended');
  const enabled = await page.isEnabled('#join');
  expect('join_enabled_again', enabled, enabled);
}

// Waits (bounded) until fn(arg) is true in the page; whether it became true.
async function waitInPage(page, fn, arg, seconds) {
  try {
    await page.waitForFunction(fn, arg, { timeout: seconds * 1000, polling: 100 });
    return true;
  } catch { return false; }
}

// The chat entries peercall sent (not our own), as {from, text}.
const chatFromPeer = (page) => page.evaluate(() => (window.peercall?.chat || []).filter((m) => m.from !== 'you'));

async function scenarioChat(page) {
  await page.goto(url, { timeout: 10000 });
  await page.click('#join', { timeout: 5000 });
  const joined = await waitForState(page, ['connected', 'refused', 'failed', 'ended'], 20);
  expect('connected', joined, joined.state === 'connected');
  const open = await waitInPage(page, () => window.peercall?.dc?.readyState === 'open', null, 10);
  expect('channel_open', await page.evaluate(() => window.peercall?.dc?.readyState ?? null), open);
  const input = await page.isVisible('#say');
  expect('say_input_shown', input, input);

  // 1. Our line; the shell sees it in peercall's log and answers.
  const said = await page.evaluate(() => window.peercall.say('hello from the browser'));
  expect('said', said, said === true);
  const wanted = { from: opt.expectChatFrom, text: 'hello from lena' };
  const answered = await waitInPage(page, (w) => window.peercall.chat.some((m) =>
    m.from !== 'you' && (w.from === null || m.from === w.from) && m.text === w.text), wanted, opt.stepWithin);
  expect('chat_from_peercall', await chatFromPeer(page), answered);
  const shown = await page.textContent('#chat');
  expect('chat_shown', shown, shown.includes('hello from lena') && shown.includes('hello from the browser'));

  // 2. Mute here: the track goes silent and peercall is told (the shell checks its log and stats).
  await page.click('#mute', { timeout: 5000 });
  const local = await page.evaluate(() => ({
    audio_muted: window.peercall.local.audio_muted,
    track_enabled: window.peercall.pc.getSenders().filter((s) => s.track?.kind === 'audio').map((s) => s.track.enabled),
    button: document.getElementById('mute').textContent,
  }));
  expect('muted_here', local, local.audio_muted === true && local.track_enabled.length > 0 &&
    local.track_enabled.every((e) => e === false) && local.button === 'Unmute');

  // 3. peercall mutes (the shell presses m when its log shows our mute).
  const remoteMuted = await waitInPage(page, () => window.peercall.remoteState.audio_muted === true, null, opt.stepWithin);
  const badge = await page.evaluate(() => {
    const b = document.getElementById('remote-state');
    return { text: b.textContent, hidden: b.hidden };
  });
  expect('remote_muted', await page.evaluate(() => window.peercall.remoteState), remoteMuted);
  expect('remote_muted_badge', badge, !badge.hidden && badge.text.includes('muted'));

  // 4. A flood: every line leaves the page at once; peercall must drop most and stay up.
  const sent = await page.evaluate((n) => {
    let ok = 0;
    for (let i = 1; i <= n; i++) if (window.peercall.say(`flood line ${i}`)) ok++;
    return ok;
  }, opt.flood);
  expect('flood_sent', sent, sent === opt.flood);
  const counted = await waitInPage(page, (w) => window.peercall.chat.some((m) =>
    m.from !== 'you' && (w.from === null || m.from === w.from) && m.text === 'flood counted'),
    { from: opt.expectChatFrom }, opt.stepWithin);
  expect('flood_counted_by_peercall', await chatFromPeer(page), counted);
  const after = await pageState(page);
  expect('connected_after_flood', after.state, after.state === 'connected');

  // 5. Hang up: peercall is told and exits.
  const deleted = page.waitForResponse((r) => r.request().method() === 'DELETE', { timeout: 5000 }).catch(() => null);
  await page.click('#hangup', { timeout: 5000 });
  const ended = await pageState(page);
  expect('hung_up', ended, ended.state === 'ended');
  const response = await deleted;
  expect('delete_status', response?.status() ?? null, response && response.status() >= 200 && response.status() < 300);
}

try {
  const page = await openBrowser();
  if (scenario === 'page') await scenarioPage(page);
  else if (scenario === 'whip') await scenarioWhip(page);
  else if (scenario === 'refused') await scenarioRefused(page);
  else if (scenario === 'chat') await scenarioChat(page);
  else await scenarioEnded(page);
  report(true);
} catch (e) {
  report(false, e instanceof TestFailure ? e.message : String(e && e.stack || e));
  process.exitCode = 1;
} finally {
  clearTimeout(watchdog);
  if (browser) await browser.close().catch(() => {});
}
