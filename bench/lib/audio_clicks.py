#!/usr/bin/python3
"""Live audio latency through a wav pipe, for bench/latency_bench.sh.

  audio_clicks.py write   --seconds S --plan PLAN.json [--period-ms 500] [--out FIFO] (default stdout)
  audio_clicks.py analyze --plan PLAN.json [--warmup-s 1] < received.wav

write: a 48 kHz mono s16 wav written to stdout at real time, silent except
for a 10 ms 1 kHz burst every period. Its clock: sample s "happens" at
t0 + s/48000 (CLOCK_MONOTONIC, which time.monotonic_ns() reads on Linux, the
same clock as peercall's stamps). Like a microphone, each 5 ms chunk is
written once its last sample has happened, so a burst's onset is in the pipe
0-5 ms after it happened (the chunk wait counts in the latency, as a
capture device's period would). A write that blocks delays the chunks after
it, which are then written at once: that lateness counts in the latency too.
The onsets move within the 20 ms Opus frame from burst to burst (a phase
of 0-19 ms, fixed pseudo-random), so the framing wait is averaged, not always its best or worst
case, and the irregular spacing identifies which burst is which. The plan
(t0, onset sample positions) is written to PLAN.json before the first sample.

analyze: reads the received wav from a pipe (peercall watch --audio-out -),
timing each read() as it returns; the wav has no clock of its own, so a
burst's arrival is the time the bytes holding its onset sample came out of
the pipe. peercall writes decoded audio to --audio-out as soon as it is
decoded (no playout buffer), so the figure is capture -> pipe -> encode ->
network -> decode -> pipe; a speaker would add its device buffer on top.
Bursts that arrive within the first second of the first one (a backlog the
pipe held until a viewer joined, which arrives in a rush) are counted apart.
Prints one JSON object: latency p50/p95, the latency drift between the
first and last 10 s, and the slip of received sample positions against the
sent ones (samples inserted by concealment or lost on the way).
"""
import argparse
import array
import bisect
import json
import math
import os
import random
import sys
import time

RATE = 48000
CHUNK = RATE // 200        # 5 ms
BURST = RATE // 100        # 10 ms
AMPLITUDE = 16000          # about -6 dBFS
THRESHOLD = 4000           # a quarter of the burst's peak marks the onset
LEAD_S = 0.25              # silence before the first burst


def wav_header():
    unknown = 0xFFFFFFFF  # a pipe never learns its length
    h = b"RIFF" + unknown.to_bytes(4, "little") + b"WAVE"
    h += b"fmt " + (16).to_bytes(4, "little") + (1).to_bytes(2, "little") + (1).to_bytes(2, "little")
    h += RATE.to_bytes(4, "little") + (RATE * 2).to_bytes(4, "little")
    h += (2).to_bytes(2, "little") + (16).to_bytes(2, "little")
    return h + b"data" + unknown.to_bytes(4, "little")


def onsets(seconds, period_ms):
    # Whole-millisecond phases from a fixed seed: irregular spacing, the same every run.
    rng, out, k = random.Random(11), [], 0
    while True:
        t = LEAD_S + k * period_ms / 1000.0 + rng.randrange(20) / 1000.0
        if t + 0.05 > seconds:
            return out
        out.append(int(round(t * RATE)))
        k += 1


def write(args):
    plan_onsets = onsets(args.seconds, args.period_ms)
    total = int(args.seconds * RATE) // CHUNK * CHUNK
    samples = array.array("h", bytes(2 * total))
    burst = [int(AMPLITUDE * math.sin(2 * math.pi * 1000 * i / RATE)) for i in range(BURST)]
    for s in plan_onsets:
        samples[s:s + BURST] = array.array("h", burst)
    if sys.byteorder != "little":
        samples.byteswap()
    data = samples.tobytes()
    # A FIFO opens once the reader opens it too: the clock starts after that.
    out = open(args.out, "wb") if args.out != "-" else sys.stdout.buffer
    out.write(wav_header())
    out.flush()
    t0 = time.monotonic_ns() + 20_000_000
    with open(args.plan, "w") as f:
        json.dump({"rate": RATE, "t0_ns": t0, "onsets": plan_onsets, "chunk": CHUNK}, f)
    late, worst_ms = 0, 0.0
    try:
        for i in range(total // CHUNK):
            due = t0 + (i + 1) * CHUNK * 1_000_000_000 // RATE
            wait = due - time.monotonic_ns()
            if wait > 0:
                time.sleep(wait / 1e9)
            else:
                late += wait < -2_000_000
                worst_ms = max(worst_ms, -wait / 1e6)
            out.write(data[2 * i * CHUNK:2 * (i + 1) * CHUNK])
            out.flush()
    except BrokenPipeError:
        pass
    try:
        out.close()
    except BrokenPipeError:
        pass
    print(f"audio_clicks: {late} chunks written >2 ms late, worst {worst_ms:.1f} ms", file=sys.stderr)


def read_timed(fd):
    """All of fd, and (bytes so far, CLOCK_MONOTONIC ns) after each read()."""
    chunks, marks, total = [], [], 0
    while True:
        b = os.read(fd, 65536)
        now = time.monotonic_ns()
        if not b:
            return b"".join(chunks), marks
        chunks.append(b)
        total += len(b)
        marks.append((total, now))


def data_offset(raw):
    if raw[:4] != b"RIFF" or raw[8:12] != b"WAVE":
        return None
    pos = 12
    while pos + 8 <= len(raw):
        size = int.from_bytes(raw[pos + 4:pos + 8], "little")
        if raw[pos:pos + 4] == b"data":
            return pos + 8
        pos += 8 + size + (size & 1)
    return None


def find_onsets(samples, min_gap):
    """Sample positions where |x| first reaches THRESHOLD after min_gap quiet samples."""
    found, i, n, block = [], 0, len(samples), 48
    while i < n:
        b = samples[i:i + block]
        if max(b) < THRESHOLD and -min(b) < THRESHOLD:
            i += block
            continue
        j = next(k for k, x in enumerate(b) if abs(x) >= THRESHOLD)
        found.append(i + j)
        i += j + min_gap
    return found


def percentile(v, p):
    if not v:
        return 0.0
    s = sorted(v)
    return s[min(len(s) - 1, int(p / 100.0 * len(s)))]


def median(v):
    return percentile(v, 50)


def analyze(args):
    raw, marks = read_timed(sys.stdin.fileno())
    if args.save:
        with open(args.save, "wb") as f:
            f.write(raw)
    with open(args.plan) as f:
        plan = json.load(f)
    off = data_offset(raw)
    if off is None:
        print(json.dumps({"error": "not a wav stream", "bytes": len(raw)}))
        return 1
    body = raw[off:off + (len(raw) - off) // 2 * 2]
    samples = array.array("h", body)
    if sys.byteorder != "little":
        samples.byteswap()
    sent = plan["onsets"]
    t0 = plan["t0_ns"]
    ref = [t0 + s * 1_000_000_000 // RATE for s in sent]
    spacing = min(b - a for a, b in zip(sent, sent[1:])) if len(sent) > 1 else RATE
    got = find_onsets(samples, spacing // 2)
    ends = [m[0] for m in marks]

    def arrival(r):  # when the bytes holding sample r came out of the pipe
        k = bisect.bisect_left(ends, off + 2 * r + 2)
        return marks[min(k, len(marks) - 1)][1]

    result = {"seconds": len(samples) / RATE, "bursts_sent": len(sent), "bursts_found": len(got)}
    if not got or not sent:
        result["error"] = "no bursts received"
        print(json.dumps(result))
        return 1
    # Which sent burst is which received one: the offset between received and
    # sent sample positions that lines up the most bursts (their spacing is
    # irregular), among the bursts already sent when one arrived, at most 5 s
    # before. Tried from several received bursts, so that a slip at the start
    # (the warm-up) cannot hide the offset the rest of the stream keeps.
    tolerance = RATE // 500  # 2 ms

    def near(x):
        k = bisect.bisect_left(sent, x)
        return min((abs(sent[i] - x) for i in (k - 1, k) if 0 <= i < len(sent)), default=RATE)

    def score(d):
        return sum(1 for r in got[:40] if near(r - d) <= tolerance)

    candidates = []
    for r in got[:12]:
        a = arrival(r)
        candidates += [r - s for s, t in zip(sent, ref) if t <= a and a - t < 5e9]
    if not candidates:
        candidates = [got[0] - sent[0]]
    d = max(sorted(set(candidates)), key=score)  # ties: the latest burst, the smallest latency
    first_d = d
    pairs = []  # (sent index, arrival ns, received position)
    for r in got:
        k = bisect.bisect_left(sent, r - d)
        best = min((x for x in (k - 1, k) if 0 <= x < len(sent)), key=lambda x: abs(sent[x] - (r - d)))
        # Concealment inserts whole 20 ms frames; anything farther is not a burst of ours.
        if abs(sent[best] - (r - d)) > RATE * 30 // 1000:
            continue
        if pairs and best <= pairs[-1][0]:
            continue
        d = r - sent[best]
        pairs.append((best, arrival(r), r))
    lat = [(a - ref[k]) / 1e6 for k, a, _ in pairs]
    # Warm-up: audio written before the viewer joined waits in the pipe and
    # arrives in one rush when it does; those bursts are counted apart.
    warm = [i for i, (_, a, _) in enumerate(pairs) if a - pairs[0][1] < args.warmup_s * 1e9]
    warm_lat = [lat[i] for i in warm]
    keep = [i for i in range(len(pairs)) if i not in warm]
    lat = [lat[i] for i in keep]
    when = [(ref[pairs[i][0]] - ref[pairs[keep[0]][0]]) / 1e9 for i in keep] if keep else []
    span = when[-1] if when else 0
    window = min(10.0, span / 2) if span else 0
    first = [x for x, w in zip(lat, when) if w <= when[0] + window] if when else []
    last = [x for x, w in zip(lat, when) if w >= span - window] if when else []
    expected = pairs[-1][0] - pairs[0][0] + 1
    result.update({
        "bursts_matched": len(pairs),
        "bursts_missing": expected - len(pairs),
        "warmup_bursts": len(warm),
        "warmup_latency_ms_max": round(max(warm_lat), 1) if warm_lat else 0,
        "latency_ms_p50": round(percentile(lat, 50), 2),
        "latency_ms_p95": round(percentile(lat, 95), 2),
        "latency_ms_min": round(min(lat), 2) if lat else 0,
        "latency_ms_max": round(max(lat), 2) if lat else 0,
        "window_s": round(window, 1),
        "first_window_p50": round(median(first), 2),
        "last_window_p50": round(median(last), 2),
        # A drift: the latency of the last window's bursts minus the first's.
        "drift_ms": round(median(last) - median(first), 2),
        # Received minus sent sample positions, last burst minus first:
        # samples the receive path added (+) or lost (-) in between.
        "sample_slip_ms": round((d - first_d) * 1000 / RATE, 2),
        "latency_ms_series": [round(x, 1) for x in lat],
    })
    print(json.dumps(result))
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("write")
    w.add_argument("--seconds", type=float, required=True)
    w.add_argument("--plan", required=True)
    w.add_argument("--period-ms", type=int, default=500)
    w.add_argument("--out", default="-", help="FILE or FIFO to write to (- = stdout)")
    a = sub.add_parser("analyze")
    a.add_argument("--plan", required=True)
    a.add_argument("--save", help="also write the received wav to this file")
    a.add_argument("--warmup-s", type=float, default=1.0,
                   help="bursts arriving within S seconds of the first one are the warm-up, counted apart")
    args = p.parse_args()
    return write(args) if args.cmd == "write" else analyze(args)


if __name__ == "__main__":
    sys.exit(main() or 0)
