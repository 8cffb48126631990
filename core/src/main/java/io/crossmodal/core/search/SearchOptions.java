package io.crossmodal.core.search;

/**
 * Engine-independent description of a search request, as a service receives it. Fields that do not
 * apply to the chosen {@link Mode} are ignored.
 */
public record SearchOptions(
        Mode mode,
        int beamWidth,
        int nBest,
        int maxLength,
        boolean lengthNormalization,
        int numSamples,
        double temperature,
        long seed) {

    public enum Mode { GREEDY, BEAM, SAMPLING }

    public static final int DEFAULT_MAX_LENGTH = 50;

    public SearchOptions {
        java.util.Objects.requireNonNull(mode, "mode");
    }

    public static SearchOptions greedy() {
        return new SearchOptions(Mode.GREEDY, 1, 1, DEFAULT_MAX_LENGTH, false, 1, 1.0, 0L);
    }

    public static SearchOptions beam(int width, int nBest) {
        return new SearchOptions(Mode.BEAM, width, nBest, DEFAULT_MAX_LENGTH, false, 1, 1.0, 0L);
    }

    public static SearchOptions sampling(int numSamples, double temperature, long seed) {
        return new SearchOptions(Mode.SAMPLING, 1, numSamples, DEFAULT_MAX_LENGTH, false, numSamples, temperature, seed);
    }

    public SearchOptions withMaxLength(int maxLength) {
        return new SearchOptions(mode, beamWidth, nBest, maxLength, lengthNormalization, numSamples, temperature, seed);
    }

    public SearchOptions withLengthNormalization(boolean on) {
        return new SearchOptions(mode, beamWidth, nBest, maxLength, on, numSamples, temperature, seed);
    }

    /** The strategy these options describe; invalid values fail here with IllegalArgumentException. */
    public SequenceSearch toSearch() {
        return switch (mode) {
            case GREEDY -> new GreedySearch(maxLength);
            case BEAM -> new BeamSearch(beamWidth, nBest, maxLength, lengthNormalization);
            case SAMPLING -> new SamplingSearch(numSamples, temperature, maxLength, seed);
        };
    }
}
