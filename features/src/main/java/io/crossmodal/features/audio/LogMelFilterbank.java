package io.crossmodal.features.audio;

import io.crossmodal.features.FeatureInputException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.commons.math3.complex.Complex;
import org.apache.commons.math3.transform.DftNormalization;
import org.apache.commons.math3.transform.FastFourierTransformer;
import org.apache.commons.math3.transform.TransformType;

/**
 * Log-mel filterbank frames of a mono signal, with leading and trailing silence removed. The FFT
 * is Apache Commons Math's; everything is computed in double and returned as float. Thread-safe:
 * the mel matrices are cached per sample rate.
 *
 * <p>Per frame i (start {@code i * hop}; the signal is zero-padded to one window if shorter):
 * windowed by a periodic Hann window, zero-padded to {@link FbankConfig#fftSize}, power spectrum
 * {@code |X_k|^2}, mel energies {@code M . P}, then {@code ln(max(e, 1e-10))}. Trimming uses the
 * frame energy {@code sum_k P_k}.
 */
public final class LogMelFilterbank {

    private final FbankConfig config;
    private final FastFourierTransformer fft = new FastFourierTransformer(DftNormalization.STANDARD);
    private final Map<Integer, double[][]> melByRate = new ConcurrentHashMap<>();

    public LogMelFilterbank(FbankConfig config) {
        this.config = config;
    }

    public FbankConfig config() {
        return config;
    }

    /** Trimmed log-mel frames [frames][melBins]. */
    public float[][] compute(AudioSignal signal) {
        int sr = signal.sampleRate();
        int win = config.windowSamples(sr);
        int hop = config.hopSamples(sr);
        int nFft = config.fftSize(sr);
        double[] window = hann(win);
        double[][] mel = melByRate.computeIfAbsent(sr, r -> melMatrix(config, r, nFft));
        float[] x = signal.samples();
        int frames = x.length <= win ? 1 : 1 + (x.length - win) / hop;
        double[][] logMel = new double[frames][];
        double[] energy = new double[frames];
        double[] buf = new double[nFft];
        for (int i = 0; i < frames; i++) {
            Arrays.fill(buf, 0);
            int start = i * hop;
            for (int n = 0; n < win && start + n < x.length; n++) {
                buf[n] = x[start + n] * window[n];
            }
            Complex[] spec = fft.transform(buf, TransformType.FORWARD);
            double[] power = new double[nFft / 2 + 1];
            double e = 0;
            for (int k = 0; k < power.length; k++) {
                double re = spec[k].getReal();
                double im = spec[k].getImaginary();
                power[k] = re * re + im * im;
                e += power[k];
            }
            energy[i] = e;
            double[] row = new double[config.melBins()];
            for (int m = 0; m < row.length; m++) {
                double s = 0;
                double[] w = mel[m];
                for (int k = 0; k < w.length; k++) {
                    s += w[k] * power[k];
                }
                row[m] = Math.log(Math.max(s, FbankConfig.ENERGY_FLOOR));
            }
            logMel[i] = row;
        }
        int[] keep = trim(energy, config.trimDb());
        float[][] out = new float[keep[1] - keep[0]][config.melBins()];
        for (int i = keep[0]; i < keep[1]; i++) {
            for (int m = 0; m < config.melBins(); m++) {
                out[i - keep[0]][m] = (float) logMel[i][m];
            }
        }
        return out;
    }

    /** [first, end) of the frames kept: from the first to the last frame within {@code db} of the loudest. */
    static int[] trim(double[] energy, double db) {
        double max = 0;
        for (double e : energy) {
            max = Math.max(max, e);
        }
        if (max <= 0) {
            throw new FeatureInputException("audio is silent (all samples are zero)");
        }
        if (db == 0) {
            return new int[] {0, energy.length};
        }
        double threshold = max * Math.pow(10, -db / 10);
        int first = 0;
        while (energy[first] < threshold) {
            first++;
        }
        int last = energy.length - 1;
        while (energy[last] < threshold) {
            last--;
        }
        return new int[] {first, last + 1};
    }

    /** Periodic Hann window, as scipy.signal.get_window("hann", n). */
    static double[] hann(int n) {
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            w[i] = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / n);
        }
        return w;
    }

    static double hzToMel(double hz) {
        return 2595.0 * Math.log10(1.0 + hz / 700.0);
    }

    static double melToHz(double mel) {
        return 700.0 * (Math.pow(10, mel / 2595.0) - 1.0);
    }

    /** Triangular filters [melBins][nFft/2+1], equally spaced on the HTK mel scale, evaluated at each bin's frequency. */
    static double[][] melMatrix(FbankConfig c, int sampleRate, int nFft) {
        double fMax = Math.min(c.fMaxHz(), sampleRate / 2.0);
        double lo = hzToMel(c.fMinHz());
        double hi = hzToMel(fMax);
        double[] edges = new double[c.melBins() + 2];
        for (int i = 0; i < edges.length; i++) {
            edges[i] = melToHz(lo + (hi - lo) * i / (c.melBins() + 1));
        }
        int bins = nFft / 2 + 1;
        double[][] m = new double[c.melBins()][bins];
        for (int f = 0; f < c.melBins(); f++) {
            double l = edges[f];
            double ctr = edges[f + 1];
            double r = edges[f + 2];
            for (int k = 0; k < bins; k++) {
                double hz = (double) k * sampleRate / nFft;
                double up = (hz - l) / (ctr - l);
                double down = (r - hz) / (r - ctr);
                m[f][k] = Math.max(0, Math.min(up, down));
            }
        }
        return m;
    }
}
