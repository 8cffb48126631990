package io.crossmodal.datasets.split;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How many evaluation words (test, dev) are linked to a training split by a shared pronunciation
 * or letters-only spelling ({@link WordGroups}): a test pronunciation among the unpaired phoneme
 * strings lets the wake term train the channel on a G2P test target; a homophone among the unpaired
 * spellings or the paired words teaches P2G a spelling for a test sound. The homophone-aware split
 * makes every count 0; the legacy per-word split does not.
 */
public final class SplitLeaks {
    private SplitLeaks() {}

    private static final List<SplitName> EVAL = List.of(SplitName.TEST, SplitName.DEV);
    private static final List<SplitName> TRAIN = List.of(SplitName.PAIRED, SplitName.UNPAIRED_GRAPHEMES,
            SplitName.UNPAIRED_PHONEMES);

    /**
     * Keys {@code <eval>-><train>.pronunciation} (eval words with a pronunciation of a training word)
     * and {@code <eval>-><train>.spelling} (eval words with the letters-only spelling of a training word).
     */
    public static Map<String, Integer> count(DataSplit split) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (SplitName e : EVAL) {
            for (SplitName t : TRAIN) {
                Set<List<String>> prons = new HashSet<>();
                Set<String> spellings = new HashSet<>();
                split.pronunciations(t).forEach((w, ps) -> {
                    prons.addAll(ps);
                    spellings.add(WordGroups.lettersOnly(w));
                });
                int byPron = 0;
                int bySpelling = 0;
                for (Map.Entry<String, List<List<String>>> w : split.pronunciations(e).entrySet()) {
                    if (w.getValue().stream().anyMatch(prons::contains)) {
                        byPron++;
                    }
                    if (spellings.contains(WordGroups.lettersOnly(w.getKey()))) {
                        bySpelling++;
                    }
                }
                out.put(e.key() + "->" + t.key() + ".pronunciation", byPron);
                out.put(e.key() + "->" + t.key() + ".spelling", bySpelling);
            }
        }
        return out;
    }
}
