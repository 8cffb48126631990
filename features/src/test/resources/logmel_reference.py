"""Independent reference for io.crossmodal.features.audio (run by LogMelReferenceTest).

Reads a WAV file with scipy.io.wavfile, computes trimmed log-mel frames with numpy's FFT and
scipy's Hann window, resamples them to a fixed count with numpy.interp, and writes both as
little-endian float64 to the given output paths.
Usage: logmel_reference.py in.wav bins win_ms hop_ms fmin fmax trim_db fixed out_logmel out_fixed
"""
import sys

import numpy as np
import scipy.io.wavfile
import scipy.signal


def mel(hz):
    return 2595.0 * np.log10(1.0 + hz / 700.0)


def hz(m):
    return 700.0 * (10.0 ** (m / 2595.0) - 1.0)


def main():
    wav, bins, win_ms, hop_ms, fmin, fmax, trim_db, fixed, out_a, out_b = sys.argv[1:]
    bins, fixed = int(bins), int(fixed)
    win_ms, hop_ms, fmin, fmax, trim_db = map(float, (win_ms, hop_ms, fmin, fmax, trim_db))
    sr, data = scipy.io.wavfile.read(wav)
    x = data.astype(np.float64) / 32768.0
    if x.ndim == 2:
        x = x.mean(axis=1)
    win = int(round(win_ms * sr / 1000.0))
    hop = int(round(hop_ms * sr / 1000.0))
    n_fft = 1 << int(np.ceil(np.log2(win)))
    if len(x) < win:
        x = np.concatenate([x, np.zeros(win - len(x))])
    n_frames = 1 + (len(x) - win) // hop
    idx = np.arange(win)[None, :] + hop * np.arange(n_frames)[:, None]
    frames = x[idx] * scipy.signal.get_window("hann", win)
    power = np.abs(np.fft.rfft(frames, n=n_fft, axis=1)) ** 2
    edges = hz(np.linspace(mel(fmin), mel(min(fmax, sr / 2.0)), bins + 2))
    freqs = np.arange(n_fft // 2 + 1) * sr / n_fft
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    weights = np.maximum(0.0, np.minimum((freqs - lower) / (centre - lower), (upper - freqs) / (upper - centre)))
    logmel = np.log(np.maximum(power @ weights.T, 1e-10))
    energy = power.sum(axis=1)
    if trim_db > 0:
        loud = np.nonzero(energy >= energy.max() * 10.0 ** (-trim_db / 10.0))[0]
        logmel = logmel[loud[0]:loud[-1] + 1]
    n = logmel.shape[0]
    pos = np.linspace(0.0, n - 1.0, fixed) if n > 1 else np.zeros(fixed)
    resampled = np.stack([np.interp(pos, np.arange(n), logmel[:, b]) for b in range(bins)], axis=1)
    logmel.astype("<f8").tofile(out_a)
    resampled.astype("<f8").tofile(out_b)
    print(n, bins)


if __name__ == "__main__":
    main()
