package io.crossmodal.features.audio;

import java.util.Random;
import org.apache.commons.math3.complex.Complex;
import org.apache.commons.math3.transform.DftNormalization;
import org.apache.commons.math3.transform.FastFourierTransformer;
import org.apache.commons.math3.transform.TransformType;

/**
 * Log-mel frames back to a waveform, so a person can listen to generated speech: the mel energies
 * are spread back over the FFT bins by the filterbank's own triangles (each bin gets the
 * filter-weighted mean of the energies of the filters covering it; bins no filter covers stay
 * silent), and the phase is found by Griffin-Lim (1984): alternate between the STFT of the
 * current signal and the target magnitudes. Same window, hop and FFT size as
 * {@link LogMelFilterbank}, and the same FFT (Commons Math). No maintained Java library on Maven
 * Central offers mel inversion or Griffin-Lim (librosa and torchaudio do, in Python), hence these
 * few lines. The result is intelligible but buzzy, as Griffin-Lim from 40-80 mel bins is.
 */
public final class GriffinLim {

    private final FbankConfig config;
    private final int sampleRate;
    private final int iterations;
    private final FastFourierTransformer fft = new FastFourierTransformer(DftNormalization.STANDARD);

    public GriffinLim(FbankConfig config, int sampleRate, int iterations) {
        if (iterations < 1) {
            throw new IllegalArgumentException("Griffin-Lim needs at least one iteration");
        }
        this.config = config;
        this.sampleRate = sampleRate;
        this.iterations = iterations;
    }

    /** Samples in [-1, 1] at the sample rate, for log-mel frames [T][melBins] (natural log of mel energies). */
    public float[] invert(float[][] logMel) {
        int win = config.windowSamples(sampleRate);
        int hop = config.hopSamples(sampleRate);
        int nFft = config.fftSize(sampleRate);
        int bins = nFft / 2 + 1;
        double[][] mel = LogMelFilterbank.melMatrix(config, sampleRate, nFft);
        int frames = logMel.length;
        double[][] mag = new double[frames][bins];
        for (int t = 0; t < frames; t++) {
            if (logMel[t].length != config.melBins()) {
                throw new IllegalArgumentException("frame " + t + " has " + logMel[t].length + " bins, expected " + config.melBins());
            }
            for (int k = 0; k < bins; k++) {
                double num = 0;
                double den = 0;
                for (int m = 0; m < config.melBins(); m++) {
                    num += mel[m][k] * Math.exp(Math.min(logMel[t][m], 50));
                    den += mel[m][k];
                }
                mag[t][k] = den > 1e-9 ? Math.sqrt(num / den) : 0;
            }
        }
        double[] window = LogMelFilterbank.hann(win);
        int length = (frames - 1) * hop + win;
        Random rnd = new Random(0);
        double[][] phase = new double[frames][bins];
        for (double[] row : phase) {
            for (int k = 0; k < bins; k++) {
                row[k] = rnd.nextDouble() * 2 * Math.PI;
            }
        }
        double[] signal = null;
        for (int it = 0; it < iterations; it++) {
            signal = overlapAdd(mag, phase, window, hop, nFft, length);
            for (int t = 0; t < frames; t++) {
                Complex[] spec = fft.transform(frame(signal, t * hop, window, nFft), TransformType.FORWARD);
                for (int k = 0; k < bins; k++) {
                    phase[t][k] = Math.atan2(spec[k].getImaginary(), spec[k].getReal());
                }
            }
        }
        signal = overlapAdd(mag, phase, window, hop, nFft, length);
        double peak = 1e-9;
        for (double v : signal) {
            peak = Math.max(peak, Math.abs(v));
        }
        float[] out = new float[length];
        for (int i = 0; i < length; i++) {
            out[i] = (float) (0.9 * signal[i] / peak);
        }
        return out;
    }

    private static double[] frame(double[] signal, int start, double[] window, int nFft) {
        double[] buf = new double[nFft];
        for (int n = 0; n < window.length && start + n < signal.length; n++) {
            buf[n] = signal[start + n] * window[n];
        }
        return buf;
    }

    /** Inverse STFT: windowed overlap-add, divided by the summed squared window. */
    private double[] overlapAdd(double[][] mag, double[][] phase, double[] window, int hop, int nFft, int length) {
        double[] out = new double[length];
        double[] norm = new double[length];
        int bins = nFft / 2 + 1;
        for (int t = 0; t < mag.length; t++) {
            Complex[] spec = new Complex[nFft];
            for (int k = 0; k < bins; k++) {
                spec[k] = new Complex(mag[t][k] * Math.cos(phase[t][k]), mag[t][k] * Math.sin(phase[t][k]));
            }
            for (int k = bins; k < nFft; k++) {
                spec[k] = spec[nFft - k].conjugate();
            }
            Complex[] time = fft.transform(spec, TransformType.INVERSE);
            int start = t * hop;
            for (int n = 0; n < window.length && start + n < length; n++) {
                out[start + n] += time[n].getReal() * window[n];
                norm[start + n] += window[n] * window[n];
            }
        }
        for (int i = 0; i < length; i++) {
            out[i] = norm[i] > 1e-8 ? out[i] / norm[i] : 0;
        }
        return out;
    }

    /** 16-bit PCM mono WAV bytes of samples in [-1, 1]. */
    public static byte[] wav(float[] samples, int sampleRate) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(44 + 2 * samples.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(36 + 2 * samples.length)
                .put("WAVEfmt ".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1)
                .putShort((short) 1).putInt(sampleRate).putInt(2 * sampleRate).putShort((short) 2).putShort((short) 16)
                .put("data".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(2 * samples.length);
        for (float s : samples) {
            b.putShort((short) Math.round(Math.max(-1, Math.min(1, s)) * 32767));
        }
        return b.array();
    }
}
