package io.crossmodal.features.audio;

/**
 * Settings of the log-mel filterbank. The defaults are the paper's (seed 001): 80 mel bins, 25 ms
 * Hann windows every 10 ms. The band is fixed to [20 Hz, 4 kHz] for every supported rate, so 8 kHz
 * and 16 kHz audio give comparable features; silence is trimmed at {@code trimDb} below the
 * loudest frame.
 *
 * @param melBins number of mel filters (HTK mel scale, triangles on continuous frequency)
 * @param windowMs analysis window length in milliseconds (periodic Hann)
 * @param hopMs frame shift in milliseconds
 * @param fMinHz lower band edge
 * @param fMaxHz upper band edge (capped at the Nyquist frequency)
 * @param trimDb leading/trailing frames whose energy is this many dB below the loudest are dropped;
 *     0 disables trimming
 */
public record FbankConfig(int melBins, double windowMs, double hopMs, double fMinHz, double fMaxHz, double trimDb) {

    public static final FbankConfig DEFAULT = new FbankConfig(80, 25.0, 10.0, 20.0, 4000.0, 40.0);

    /** Floor of the mel energies before the logarithm, so silence gives a finite value. */
    public static final double ENERGY_FLOOR = 1e-10;

    public FbankConfig {
        if (melBins < 1 || windowMs <= 0 || hopMs <= 0 || fMinHz < 0 || fMaxHz <= fMinHz || trimDb < 0) {
            throw new IllegalArgumentException("invalid filterbank settings " + melBins + ", " + windowMs + " ms, "
                    + hopMs + " ms, [" + fMinHz + ", " + fMaxHz + "] Hz, trim " + trimDb + " dB");
        }
    }

    public int windowSamples(int sampleRate) {
        return (int) Math.round(windowMs * sampleRate / 1000.0);
    }

    public int hopSamples(int sampleRate) {
        return (int) Math.round(hopMs * sampleRate / 1000.0);
    }

    /** The FFT size: the smallest power of two holding one window. */
    public int fftSize(int sampleRate) {
        int n = 1;
        while (n < windowSamples(sampleRate)) {
            n <<= 1;
        }
        return n;
    }
}
