package io.crossmodal.datasets.split;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How to cut a lexicon into splits. Sizes are numbers of distinct words; exactly one of them
 * may be {@link #REST} to take every word the others leave over.
 *
 * @param grouping the unit a split holds: {@link #GROUP_HOMOPHONES} (connected groups of words that
 *        share a pronunciation or a letters-only spelling go to one split, so no test pronunciation
 *        or spelling leaks into a training set) or {@link #GROUP_WORD} (each spelling on its own: the
 *        legacy split, kept only to reproduce figures made with it)
 */
public record SplitConfig(long seed, int paired, int unpairedGraphemes, int unpairedPhonemes,
        int dev, int test, boolean stripStress, String grouping) {

    /** Size meaning "all remaining words". */
    public static final int REST = -1;
    public static final String GROUP_WORD = "word";
    public static final String GROUP_HOMOPHONES = "homophones";

    /** The legacy per-word split (what every split was before {@code grouping} existed). */
    public SplitConfig(long seed, int paired, int unpairedGraphemes, int unpairedPhonemes, int dev, int test,
            boolean stripStress) {
        this(seed, paired, unpairedGraphemes, unpairedPhonemes, dev, test, stripStress, GROUP_WORD);
    }

    public SplitConfig {
        grouping = grouping == null ? GROUP_HOMOPHONES : grouping;
        if (!grouping.equals(GROUP_WORD) && !grouping.equals(GROUP_HOMOPHONES)) {
            throw new IllegalArgumentException("split.grouping must be '" + GROUP_HOMOPHONES + "' or '" + GROUP_WORD
                    + "' (legacy), got '" + grouping + "'");
        }
        int rest = 0;
        for (Map.Entry<SplitName, Integer> e : sizesOf(paired, unpairedGraphemes, unpairedPhonemes, dev, test).entrySet()) {
            int size = e.getValue();
            if (size == REST) {
                rest++;
            } else if (size < 0) {
                throw new IllegalArgumentException(e.getKey().key() + " size must be >= 0 or -1 (all remaining), got " + size);
            }
        }
        if (rest > 1) {
            throw new IllegalArgumentException("at most one split size may be -1 (all remaining), got " + rest);
        }
    }

    /** Requested sizes (possibly containing {@link #REST}) in assignment order. */
    public Map<SplitName, Integer> sizes() {
        return Collections.unmodifiableMap(sizesOf(paired, unpairedGraphemes, unpairedPhonemes, dev, test));
    }

    /**
     * Concrete sizes for a lexicon of {@code availableWords} distinct words, in assignment order.
     *
     * @throws IllegalArgumentException if the fixed sizes need more words than there are
     */
    public Map<SplitName, Integer> resolve(int availableWords) {
        Map<SplitName, Integer> sizes = sizesOf(paired, unpairedGraphemes, unpairedPhonemes, dev, test);
        long fixed = 0;
        SplitName restName = null;
        for (Map.Entry<SplitName, Integer> e : sizes.entrySet()) {
            if (e.getValue() == REST) {
                restName = e.getKey();
            } else {
                fixed += e.getValue();
            }
        }
        if (fixed > availableWords) {
            throw new IllegalArgumentException("split sizes " + describe(sizes) + " need " + fixed
                    + " words but the lexicon has only " + availableWords + " distinct words");
        }
        if (restName != null) {
            sizes.put(restName, (int) (availableWords - fixed));
        }
        return Collections.unmodifiableMap(sizes);
    }

    /** Flat view for reports and manifests. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seed", seed);
        for (Map.Entry<SplitName, Integer> e : sizes().entrySet()) {
            m.put(e.getKey().key(), e.getValue());
        }
        m.put("strip_stress", stripStress);
        if (!grouping.equals(GROUP_WORD)) {
            // absent for the legacy split, so its fingerprints stay what they were
            m.put("grouping", grouping);
        }
        return m;
    }

    private static Map<SplitName, Integer> sizesOf(int paired, int unpairedGraphemes, int unpairedPhonemes,
            int dev, int test) {
        Map<SplitName, Integer> m = new EnumMap<>(SplitName.class);
        m.put(SplitName.TEST, test);
        m.put(SplitName.DEV, dev);
        m.put(SplitName.PAIRED, paired);
        m.put(SplitName.UNPAIRED_GRAPHEMES, unpairedGraphemes);
        m.put(SplitName.UNPAIRED_PHONEMES, unpairedPhonemes);
        return m;
    }

    private static String describe(Map<SplitName, Integer> sizes) {
        StringBuilder sb = new StringBuilder("{");
        sizes.forEach((k, v) -> sb.append(sb.length() > 1 ? ", " : "").append(k.key()).append('=').append(v));
        return sb.append('}').toString();
    }
}
