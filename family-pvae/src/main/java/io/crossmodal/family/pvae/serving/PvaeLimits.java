package io.crossmodal.family.pvae.serving;

import io.crossmodal.runtime.bundle.ServingSpec;
import io.crossmodal.runtime.family.ServingContext;

/**
 * The input limits a PVAE is served with: the bundle's {@code serving.<role>.limits} value capped by
 * the service's {@code crossmodal.serving.limits."<name>"} (the operator's ceiling), else the
 * service's, else the default.
 *
 * @param maxAudioSeconds longest audio (samples or WAV) accepted, in seconds
 * @param maxWavBytes     largest WAV upload, in bytes (checked before it is parsed)
 */
public record PvaeLimits(double maxAudioSeconds, long maxWavBytes) {

    public static final String MAX_AUDIO_SECONDS = "maxAudioSeconds";
    public static final String MAX_WAV_BYTES = "maxWavBytes";
    public static final PvaeLimits DEFAULTS = new PvaeLimits(10.0, 1L << 20);

    public PvaeLimits {
        if (!(maxAudioSeconds > 0) || maxWavBytes < 44) {
            throw new IllegalArgumentException("PVAE serving limits must be positive (and a WAV limit >= 44 bytes), got "
                    + maxAudioSeconds + " s, " + maxWavBytes + " bytes");
        }
    }

    public static PvaeLimits resolve(ServingContext context, ServingSpec spec) {
        double seconds = context.doubleSetting(MAX_AUDIO_SECONDS, DEFAULTS.maxAudioSeconds());
        Number own = spec.limits().get(MAX_AUDIO_SECONDS);
        if (own != null) {
            seconds = Math.min(own.doubleValue(), seconds);
        }
        long bytes = (long) context.doubleSetting(MAX_WAV_BYTES, DEFAULTS.maxWavBytes());
        Number ownBytes = spec.limits().get(MAX_WAV_BYTES);
        if (ownBytes != null) {
            bytes = Math.min(ownBytes.longValue(), bytes);
        }
        return new PvaeLimits(seconds, bytes);
    }
}
