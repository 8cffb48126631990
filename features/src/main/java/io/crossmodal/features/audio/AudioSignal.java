package io.crossmodal.features.audio;

import io.crossmodal.features.FeatureInputException;
import java.util.Objects;

/** Mono samples in [-1, 1] (floats, as PCM 16-bit divided by 32768) with their sample rate in Hz. */
public record AudioSignal(float[] samples, int sampleRate) {

    public AudioSignal {
        Objects.requireNonNull(samples, "samples");
        if (sampleRate <= 0) {
            throw new FeatureInputException("sample rate must be positive, got " + sampleRate);
        }
    }

    public double seconds() {
        return samples.length / (double) sampleRate;
    }
}
