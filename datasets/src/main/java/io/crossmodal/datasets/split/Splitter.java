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
 * Cuts a lexicon into disjoint word sets. Every pronunciation of a (normalised) spelling lands in
 * the same split; with {@link SplitConfig#GROUP_HOMOPHONES} so does every word connected to it by a
 * shared pronunciation or letters-only spelling ({@link WordGroups}), so no test pronunciation or
 * spelling appears in a training set.
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
        if (config.grouping().equals(SplitConfig.GROUP_HOMOPHONES)) {
            return byGroups(byWord, config);
        }
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

    /**
     * Groups (sorted by their first word, so file order does not matter) shuffled with
     * {@code Random(seed)}; the fixed-size splits are filled in {@link SplitName} order, each taking
     * the next groups that still fit (a group larger than the room left waits for a later split, so
     * sizes are exact as long as small groups remain); the {@link SplitConfig#REST} split, if any,
     * takes every group left over.
     */
    private static DataSplit byGroups(Map<String, List<List<String>>> byWord, SplitConfig config) {
        List<List<String>> groups = WordGroups.of(byWord);
        Collections.shuffle(groups, new Random(config.seed()));
        Map<SplitName, Integer> sizes = config.resolve(byWord.size());
        java.util.Deque<List<String>> queue = new java.util.ArrayDeque<>(groups);
        Map<SplitName, SortedMap<String, List<List<String>>>> data = new EnumMap<>(SplitName.class);
        SplitName rest = null;
        for (Map.Entry<SplitName, Integer> e : sizes.entrySet()) {
            SortedMap<String, List<List<String>>> part = new TreeMap<>();
            data.put(e.getKey(), part);
            if (config.sizes().get(e.getKey()) == SplitConfig.REST) {
                rest = e.getKey();
                continue;
            }
            int room = e.getValue();
            List<List<String>> deferred = new ArrayList<>();
            while (room > 0 && !queue.isEmpty()) {
                List<String> g = queue.pollFirst();
                if (g.size() <= room) {
                    g.forEach(w -> part.put(w, byWord.get(w)));
                    room -= g.size();
                } else {
                    deferred.add(g);
                }
            }
            for (int i = deferred.size() - 1; i >= 0; i--) {
                queue.addFirst(deferred.get(i));
            }
            if (room > 0) {
                throw new IllegalArgumentException("split " + e.getKey().key() + ": " + room + " of " + e.getValue()
                        + " words cannot be filled with whole homophone groups (the groups left are too large)");
            }
        }
        if (rest != null) {
            SortedMap<String, List<List<String>>> part = data.get(rest);
            queue.forEach(g -> g.forEach(w -> part.put(w, byWord.get(w))));
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
