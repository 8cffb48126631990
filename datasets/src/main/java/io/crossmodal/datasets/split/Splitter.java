package io.crossmodal.datasets.split;

import io.crossmodal.datasets.cmudict.Arpabet;
import io.crossmodal.datasets.cmudict.Lexicon;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Cuts a lexicon into disjoint word sets. The unit is the normalised spelling, so every
 * pronunciation of a word lands in the same split and no test word leaks into training.
 */
public final class Splitter {
    private Splitter() {
    }

    /**
     * Deterministic for a given lexicon and seed: distinct words are sorted (removing any
     * dependence on file order), shuffled with {@code java.util.Random(seed)} (an algorithm the
     * JDK specifies, so stable across JVMs), then sliced in {@link SplitName} order.
     */
    public static DataSplit split(Lexicon lexicon, SplitConfig config) {
        Map<String, List<List<String>>> byWord = normalise(lexicon.pronunciationsByWord(), config.stripStress());
        List<String> words = new ArrayList<>(byWord.keySet()); // already sorted
        Collections.shuffle(words, new Random(config.seed()));

        Map<SplitName, SortedMap<String, List<List<String>>>> data = new EnumMap<>(SplitName.class);
        int from = 0;
        for (Map.Entry<SplitName, Integer> e : config.resolve(words.size()).entrySet()) {
            SortedMap<String, List<List<String>>> part = new TreeMap<>();
            for (String w : words.subList(from, from + e.getValue())) {
                part.put(w, byWord.get(w));
            }
            data.put(e.getKey(), part);
            from += e.getValue();
        }
        return new DataSplit(config, data);
    }

    /** Merges spellings equal after lower-casing and NFC, optionally strips stress, dedupes. */
    private static SortedMap<String, List<List<String>>> normalise(Map<String, List<List<String>>> in,
            boolean stripStress) {
        SortedMap<String, List<List<String>>> out = new TreeMap<>();
        for (Map.Entry<String, List<List<String>>> e : in.entrySet()) {
            String word = Normalizer.normalize(e.getKey().toLowerCase(Locale.ROOT), Normalizer.Form.NFC);
            List<List<String>> prons = out.computeIfAbsent(word, w -> new ArrayList<>());
            for (List<String> p : e.getValue()) {
                List<String> q = stripStress ? Arpabet.stripStress(p) : List.copyOf(p);
                if (!prons.contains(q)) {
                    prons.add(q);
                }
            }
        }
        out.replaceAll((w, prons) -> List.copyOf(prons));
        return out;
    }
}
