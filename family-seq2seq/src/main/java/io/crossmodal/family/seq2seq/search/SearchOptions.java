package io.crossmodal.family.seq2seq.search;

import java.util.List;

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

    /**
     * What must be equal for two requests to be decoded in one batched search: these options with the
     * per-input settings cleared. Per input are the length limit (all modes), the n-best size (beam)
     * and the seed (sampling); fields the mode ignores are cleared too. So greedy requests always
     * share a key, beam requests share it per (width, length normalisation) and sampling requests per
     * (number of samples, temperature).
     */
    public SearchOptions batchKey() {
        return switch (mode) {
            case GREEDY -> new SearchOptions(Mode.GREEDY, 1, 1, 0, false, 1, 1.0, 0L);
            case BEAM -> new SearchOptions(Mode.BEAM, beamWidth, 0, 0, lengthNormalization, 1, 1.0, 0L);
            case SAMPLING -> new SearchOptions(Mode.SAMPLING, 1, numSamples, 0, false, numSamples, temperature, 0L);
        };
    }

    /**
     * One search over a batch of inputs, input i with {@code perInput.get(i)}: all must have the same
     * {@link #batchKey()}; their per-input settings (length limit, beam n-best, sampling seed) are kept,
     * so every input gets the hypotheses it would get searched alone.
     *
     * @throws IllegalArgumentException for an empty list, different batch keys or invalid values
     */
    public static SequenceSearch toSearch(List<SearchOptions> perInput) {
        if (perInput.isEmpty()) {
            throw new IllegalArgumentException("no inputs");
        }
        SearchOptions first = perInput.get(0);
        SearchOptions key = first.batchKey();
        int n = perInput.size();
        int[] maxLengths = new int[n];
        int[] nBests = new int[n];
        long[] seeds = new long[n];
        for (int i = 0; i < n; i++) {
            SearchOptions o = perInput.get(i);
            if (!key.equals(o.batchKey())) {
                throw new IllegalArgumentException("input " + i + " has search options " + o.batchKey()
                        + " that cannot share a batch with " + key);
            }
            maxLengths[i] = o.maxLength();
            nBests[i] = o.nBest();
            seeds[i] = o.seed();
        }
        return switch (first.mode()) {
            case GREEDY -> GreedySearch.perInput(maxLengths);
            case BEAM -> BeamSearch.perInput(first.beamWidth(), nBests, maxLengths, first.lengthNormalization());
            case SAMPLING -> SamplingSearch.perInput(first.numSamples(), first.temperature(), maxLengths, seeds);
        };
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
