#!/usr/bin/env python3
"""Signals and measures for the echo test (plain Python: no numpy on the test machines).

  echo_measure.py speech OUT.wav SECONDS   near-end "speech": 400 Hz + 1300 Hz in syllables
  echo_measure.py measure IN.wav FROM TO   JSON levels over [FROM, TO) seconds:
      rms_dbfs     everything (with the near end silent: the echo and whatever noise)
      tone_dbfs    the 880 Hz test tone's component (the far end's echo)
      speech_dbfs  the near end's two speech frequencies, power-summed
  Levels are relative to a full-scale sine (0 dBFS), floored at -100.
"""
import json
import math
import struct
import sys
import wave

RATE = 48000
TONE_HZ = 880.0
SPEECH_HZ = (400.0, 1300.0)
BLOCK = 960  # 20 ms: 50 Hz wide bins keep 880 Hz and the speech tones apart
FLOOR = -100.0


def write_speech(path, seconds):
    n = int(seconds * RATE)
    amp = 32767 * 10 ** (-18 / 20)  # each component -18 dBFS, about -15 dBFS together
    syllable, pause = int(0.25 * RATE), int(0.1 * RATE)
    out = bytearray()
    for i in range(n):
        pos = i % (syllable + pause)
        env = math.sin(math.pi * pos / syllable) if pos < syllable else 0.0
        t = i / RATE
        v = amp * env * (math.sin(2 * math.pi * SPEECH_HZ[0] * t) + math.sin(2 * math.pi * SPEECH_HZ[1] * t))
        out += struct.pack('<h', max(-32768, min(32767, int(round(v)))))
    with wave.open(path, 'wb') as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(bytes(out))


def read(path):
    with wave.open(path, 'rb') as w:
        if w.getsampwidth() != 2 or w.getnchannels() != 1:
            raise SystemExit(f'{path}: want 16-bit mono')
        rate = w.getframerate()
        data = w.readframes(w.getnframes())
    return rate, struct.unpack(f'<{len(data) // 2}h', data)


def goertzel_power(x, freq, rate):
    """Mean-square of the `freq` component of x (a sine of amplitude A gives A^2/2)."""
    w = 2 * math.pi * freq / rate
    c = 2 * math.cos(w)
    s1 = s2 = 0.0
    for v in x:
        s1, s2 = v + c * s1 - s2, s1
    re, im = s1 - s2 * math.cos(w), s2 * math.sin(w)
    amp = 2 * math.sqrt(re * re + im * im) / len(x)
    return amp * amp / 2


def dbfs(mean_square):
    full = 32768.0 ** 2 / 2  # a full-scale sine
    return FLOOR if mean_square <= 0 else max(FLOOR, 10 * math.log10(mean_square / full))


def measure(path, start, end):
    rate, x = read(path)
    a, b = int(start * rate), min(len(x), int(end * rate))
    if b - a < BLOCK:
        raise SystemExit(f'{path}: only {len(x) / rate:.2f} s, wanted {start}-{end} s')
    blocks = range(a, b - BLOCK + 1, BLOCK)
    total = sum(v * v for v in x[a:b]) / (b - a)
    tone = sum(goertzel_power(x[i:i + BLOCK], TONE_HZ, rate) for i in blocks) / len(blocks)
    speech = sum(goertzel_power(x[i:i + BLOCK], f, rate) for f in SPEECH_HZ for i in blocks) / len(blocks)
    return {'seconds': round((b - a) / rate, 2), 'rms_dbfs': round(dbfs(total), 1),
            'tone_dbfs': round(dbfs(tone), 1), 'speech_dbfs': round(dbfs(speech), 1),
            'length_s': round(len(x) / rate, 2)}


if __name__ == '__main__':
    if len(sys.argv) == 4 and sys.argv[1] == 'speech':
        write_speech(sys.argv[2], float(sys.argv[3]))
    elif len(sys.argv) == 5 and sys.argv[1] == 'measure':
        print(json.dumps(measure(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]))))
    else:
        raise SystemExit(__doc__)
