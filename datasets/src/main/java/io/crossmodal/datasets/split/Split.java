package io.crossmodal.datasets.split;

import java.util.List;
import java.util.Map;

/**
 * One split's words (sorted) and all their pronunciations.
 *
 * @param name which split
 * @param pronunciations word -> every pronunciation of it, iteration in sorted word order
 * @param wordsSha256 SHA-256 (hex) of the sorted word list, one word per line
 */
public record Split(SplitName name, Map<String, List<List<String>>> pronunciations, String wordsSha256) {

    public List<String> words() {
        return List.copyOf(pronunciations.keySet());
    }

    /** Number of distinct words. */
    public int size() {
        return pronunciations.size();
    }

    public int pronunciationCount() {
        int n = 0;
        for (List<List<String>> p : pronunciations.values()) {
            n += p.size();
        }
        return n;
    }
}
