"""Writes the two cue sounds with Python's wave module: synthesized tones, no samples used.

python assets/sounds/make_sounds.py  (rewrites warning.wav and zero.wav beside this file)
"""

import math
import struct
import wave
from pathlib import Path

RATE = 44100


def tone(freq: float, seconds: float, volume: float = 0.5) -> list[float]:
    n = int(RATE * seconds)
    fade = int(RATE * 0.01)  # 10 ms in and out: no click at either end
    out = []
    for i in range(n):
        env = min(1.0, i / fade, (n - 1 - i) / fade)
        # A little of the octave above makes a beep a person hears through studio noise.
        s = math.sin(2 * math.pi * freq * i / RATE) + 0.3 * math.sin(4 * math.pi * freq * i / RATE)
        out.append(volume * env * s / 1.3)
    return out


def silence(seconds: float) -> list[float]:
    return [0.0] * int(RATE * seconds)


def write(path: Path, samples: list[float]) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(b"".join(struct.pack("<h", int(max(-1.0, min(1.0, s)) * 32767)) for s in samples))


if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    # Warning: two short high beeps. Zero: one long lower tone, unmistakably the end.
    write(here / "warning.wav", tone(1320, 0.12) + silence(0.08) + tone(1320, 0.12))
    write(here / "zero.wav", tone(880, 0.6, 0.6))
