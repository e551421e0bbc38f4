#!/usr/bin/python3
"""Per-frame timelines of a received call, for bench/bad_network_bench.sh and
tests/e2e/bad_network_test.sh (Python standard library only).

  frame_timeline.py record OUT < video.y4m
      Reads y4m from a pipe (peercall ... --video-out -) and writes one line per
      frame: "arrival_us frame_number capture_us" (-1 -1 for a frame without a
      readable stamp). arrival_us is CLOCK_MONOTONIC when the frame came out of
      the pipe; capture_us is the stamp peercall's test source wrote into the
      picture (src/media/synthetic/frame_stamp.*, the same clock on one machine).
  frame_timeline.py stamp < stats.jsonl > out.jsonl
      Adds "mono_s" (CLOCK_MONOTONIC when the line arrived) to each JSON line of
      a --stats pipe, so stats can be lined up with the frames and the link's events.
  frame_timeline.py now
      Prints CLOCK_MONOTONIC in seconds (when the bench starts a link event).
  frame_timeline.py summary FRAMES [--stats S.jsonl] [--sender-stats S.jsonl]
                    [--drop T --restore T] [--down T --up T] [--fps N]
      One JSON object: frames delivered, freezes, latency, and the figures of the
      rate-drop (--drop/--restore) or outage (--down/--up) scenario; T in
      monotonic seconds.
"""
import json
import sys
import time

# The stamp: 3 rows of 32 blocks across the top; block height H/18. Bits: 16
# sync, 24 frame number, 40 capture time (us mod 2^40), 16 CRC-16/CCITT.
COLUMNS, ROWS, ROWS_PER_HEIGHT = 32, 3, 18
SYNC = 0xB38C
MIN_CONTRAST = 64
TIME_MASK = (1 << 40) - 1


def crc16_ccitt(data):
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def inner(index, size, parts):
    """The inner half [1/4, 3/4) of a block, as frame_stamp.cpp rounds it."""
    denom = parts * 4
    lo = ((4 * index + 1) * size + denom - 1) // denom
    hi = (4 * index + 3) * size // denom
    return lo, hi if hi > lo else lo + 1


class StampReader:
    def __init__(self, width, height):
        self.width = width
        self.spans_x = [inner(i, width, COLUMNS) for i in range(COLUMNS)]
        self.spans_y = [inner(r, height, ROWS_PER_HEIGHT) for r in range(ROWS)]

    def read(self, luma):
        """(frame_number, capture_us mod 2^40) or None."""
        levels = []
        w = self.width
        for ylo, yhi in self.spans_y:
            rows = [luma[y * w:(y + 1) * w] for y in range(ylo, yhi)]
            for xlo, xhi in self.spans_x:
                total = sum(sum(row[xlo:xhi]) for row in rows)
                levels.append(total // ((yhi - ylo) * (xhi - xlo)))
        ones = sum(levels[i] for i in range(16) if (SYNC >> (15 - i)) & 1)
        zeros = sum(levels[i] for i in range(16) if not (SYNC >> (15 - i)) & 1)
        white, black = ones // 8, zeros // 8
        if white - black < MIN_CONTRAST:
            return None
        threshold = (white + black) // 2
        value = 0
        for level in levels:
            value = value << 1 | (1 if level > threshold else 0)
        if value >> 80 != SYNC:
            return None
        payload = (value >> 16) & ((1 << 64) - 1)
        if crc16_ccitt(payload.to_bytes(8, "big")) != value & 0xFFFF:
            return None
        return payload >> 40, payload & TIME_MASK


def unwrap(low40, now_us):
    span = 1 << 40
    t = (now_us // span) * span + low40
    if t - now_us > span // 2:
        t -= span
    elif now_us - t > span // 2:
        t += span
    return t


def record(out_path):
    src = sys.stdin.buffer
    header = src.readline().split()
    if not header or header[0] != b"YUV4MPEG2":
        sys.exit("frame_timeline: the input is not y4m")
    width = int(next(t[1:] for t in header if t.startswith(b"W")))
    height = int(next(t[1:] for t in header if t.startswith(b"H")))
    chroma = next((t[1:] for t in header if t.startswith(b"C")), b"420")
    if not chroma.startswith(b"420"):
        sys.exit("frame_timeline: only 4:2:0 y4m is read")
    luma_size = width * height
    frame_size = luma_size + 2 * ((width + 1) // 2) * ((height + 1) // 2)
    reader = StampReader(width, height)
    band = (ROWS * height // ROWS_PER_HEIGHT + 1) * width
    with open(out_path, "w", buffering=1) as out:
        while True:
            line = src.readline()
            if not line.startswith(b"FRAME"):
                break
            data = src.read(frame_size)
            arrival_us = time.monotonic_ns() // 1000
            if len(data) < frame_size:
                break
            stamp = reader.read(data[:band])
            if stamp:
                out.write("%d %d %d\n" % (arrival_us, stamp[0], unwrap(stamp[1], arrival_us)))
            else:
                out.write("%d -1 -1\n" % arrival_us)


def stamp_lines():
    for line in sys.stdin:
        try:
            j = json.loads(line)
        except ValueError:
            continue
        j["mono_s"] = time.monotonic()
        sys.stdout.write(json.dumps(j) + "\n")
        sys.stdout.flush()


def percentile(values, p):
    if not values:
        return None
    v = sorted(values)
    return v[min(len(v) - 1, int(p / 100.0 * len(v)))]


def load_frames(path):
    """The whole frames shown, in arrival order: (arrival_s, number, latency_ms),
    repeats dropped; and the arrival times of frames without a readable stamp
    (broken pictures: the stamp band is the first thing a missing slice hides)."""
    frames, unstamped, last = [], [], None
    for line in open(path):
        parts = line.split()
        if len(parts) != 3:
            continue
        arrival, number, capture = int(parts[0]), int(parts[1]), int(parts[2])
        if number < 0:
            unstamped.append(arrival / 1e6)
            continue
        if last is not None and number <= last:
            continue  # a repeat (or an old frame out of order): nothing new on screen
        last = number
        frames.append((arrival / 1e6, number, (arrival - capture) / 1000.0))
    return frames, unstamped


def load_stats(path):
    if not path:
        return []
    out = []
    for line in open(path):
        try:
            out.append(json.loads(line))
        except ValueError:
            pass
    return out


def stat_at(stats, t, key):
    """The value of key in the first stats line written at or after t."""
    for s in stats:
        if s.get("mono_s", 0) >= t and key in s:
            return s[key]
    return None


def summarize(args):
    frames, unstamped_times = load_frames(args["frames"])
    unstamped = len(unstamped_times)
    stats = load_stats(args.get("stats"))
    sender = load_stats(args.get("sender-stats"))
    r = {"frames_shown": len(frames), "unstamped": unstamped}
    if not frames:
        print(json.dumps(r))
        return
    first, last = frames[0][1], frames[-1][1]
    end = max([frames[-1][0]] + unstamped_times)
    # Captured from the first whole frame until the video ended: by the stamps,
    # or at the source's rate if the whole frames stopped before the end.
    fps = float(args.get("fps", 30))
    r["video_s"] = end - frames[0][0]
    r["frames_captured"] = max(last - first + 1, int(round((end - frames[0][0]) * fps)) + 1)
    r["delivered_pct"] = 100.0 * len(frames) / r["frames_captured"]
    # Gaps between whole frames, and the last one's to the end of the video (a
    # picture broken until hang-up is a freeze of the last whole one).
    gaps = [(b[0] - a[0]) * 1000 for a, b in zip(frames, frames[1:])] + [(end - frames[-1][0]) * 1000]
    freezes = [g for g in gaps if g > 200]
    r["freezes_200ms"] = len(freezes)
    r["longest_freeze_ms"] = max(gaps, default=0)
    lat = [f[2] for f in frames]
    r["latency_ms_p50"] = percentile(lat, 50)
    r["latency_ms_p95"] = percentile(lat, 95)
    r["latency_ms_max"] = max(lat)
    if stats:
        r["audio_concealed_pct"] = stats[-1].get("audio_concealed_pct")
        r["packets_lost_in"] = stats[-1].get("packets_lost_in")
        r["packets_recovered"] = stats[-1].get("packets_recovered")
        r["fec_packets_recovered"] = stats[-1].get("fec_packets_recovered")
    if "drop" in args:
        drop, restore = float(args["drop"]), float(args["restore"])
        in_cap = [f for f in frames if drop <= f[0] < restore]
        r["cap_latency_ms_max"] = max((f[2] for f in in_cap), default=None)
        # Back under X: the first whole frame after the drop from which the
        # picture on screen stays younger than X for the next 5 s (or until
        # the restore). The age counts from the capture of the newest whole
        # frame shown, so a freeze or broken pictures age it too.
        def age_max(start, end):
            shown = [f for f in frames if f[0] <= end]
            worst, prev = 0.0, None
            for f in shown:
                if prev is not None and f[0] > start:
                    worst = max(worst, (f[0] - prev) * 1000)
                if f[0] >= start:
                    worst = max(worst, f[2])
                prev = f[0] - f[2] / 1000.0  # its capture time
            return max(worst, (end - prev) * 1000) if prev is not None else float("inf")

        def back_under(limit_ms):
            for f in in_cap:
                if age_max(f[0], min(f[0] + 5, restore)) < limit_ms:
                    return f[0] - drop
            return None
        # The cap's steady state (from 2 s after the drop): what a viewer on
        # that link sees, and what the others keep (bench/viewers_bench.sh).
        steady = [f for f in in_cap if f[0] >= drop + 2]
        r["cap_fps"] = len(steady) / max(0.001, restore - drop - 2)
        r["cap_latency_ms_p50"] = percentile([f[2] for f in steady], 50) if steady else None
        r["cap_latency_ms_p95"] = percentile([f[2] for f in steady], 95) if steady else None
        r["cap_longest_freeze_ms"] = max(((b[0] - a[0]) * 1000 for a, b in zip(in_cap, in_cap[1:])), default=None)
        kbps = sorted(x["kbps_in"] for x in stats if drop + 2 <= x.get("mono_s", 0) < restore and "kbps_in" in x)
        r["cap_kbps_in_median"] = kbps[len(kbps) // 2] if kbps else None
        r["back_under_300ms_s"] = back_under(300)
        r["back_under_1s_s"] = back_under(1000)
        r["broken_frames_in_cap"] = sum(1 for t in unstamped_times if drop <= t < restore)
        r["broken_frames_after_restore"] = sum(1 for t in unstamped_times if t >= restore)
        r["frames_after_restore"] = sum(1 for f in frames if f[0] >= restore)
        after = [f for f in frames if restore + 2 <= f[0] < restore + 5]
        r["fps_2_5s_after_restore"] = len(after) / 3.0
        r["kbps_in_5s_after_restore"] = stat_at(stats, restore + 5, "kbps_in")
        r["kbps_in_before_drop"] = stat_at(stats, drop - 1.5, "kbps_in")
        bwe = [s["bwe_kbps"] for s in sender if drop <= s.get("mono_s", 0) < restore + 1 and "bwe_kbps" in s]
        r["sender_bwe_kbps_min_in_cap"] = min(bwe, default=None)
        r["sender_bwe_kbps_5s_after_restore"] = stat_at(sender, restore + 5, "bwe_kbps")
    if "down" in args:
        down, up = float(args["down"]), float(args["up"])
        after = [f for f in frames if f[0] >= up]
        r["first_picture_after_up_ms"] = (after[0][0] - up) * 1000 if after else None
        stale = [f for f in after if f[2] > 300]
        r["stale_frames"] = len(stale)
        r["stale_latency_ms_max"] = max((f[2] for f in stale), default=0)
        r["outage_freeze_ms"] = max(((b[0] - a[0]) * 1000 for a, b in zip(frames, frames[1:])
                                     if a[0] <= up and b[0] >= down), default=None)
    print(json.dumps(r))


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "record":
        record(sys.argv[2])
    elif len(sys.argv) == 2 and sys.argv[1] == "stamp":
        stamp_lines()
    elif len(sys.argv) == 2 and sys.argv[1] == "now":
        print("%.6f" % time.monotonic())
    elif len(sys.argv) >= 3 and sys.argv[1] == "summary":
        args = {"frames": sys.argv[2]}
        rest = sys.argv[3:]
        for key, value in zip(rest[::2], rest[1::2]):
            args[key.lstrip("-")] = value
        summarize(args)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
