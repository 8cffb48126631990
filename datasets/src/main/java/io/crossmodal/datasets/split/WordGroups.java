package io.crossmodal.datasets.split;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Connected groups of words: two words are linked when they share a pronunciation (as given, i.e.
 * after the split's stress stripping) or the same spelling up to punctuation ({@code a's}, {@code a.s}
 * and {@code as}); a group is a connected component of these links (union-find).
 */
public final class WordGroups {
    private WordGroups() {}

    /** The letters (and digits) of a spelling, punctuation dropped: {@code a's} and {@code a.s} become {@code as}. */
    public static String lettersOnly(String word) {
        return word.replaceAll("[^\\p{L}\\p{N}]", "");
    }

    /** Groups of {@code byWord}'s words, each sorted, in the order of their first word. */
    public static List<List<String>> of(Map<String, List<List<String>>> byWord) {
        List<String> words = new ArrayList<>(new TreeMap<>(byWord).keySet());
        int[] parent = new int[words.size()];
        for (int i = 0; i < parent.length; i++) {
            parent[i] = i;
        }
        Map<Object, Integer> firstByKey = new HashMap<>();
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            link(parent, firstByKey, "s:" + lettersOnly(w), i);
            for (List<String> p : byWord.get(w)) {
                link(parent, firstByKey, p, i);
            }
        }
        SortedMap<Integer, List<String>> groups = new TreeMap<>();
        for (int i = 0; i < words.size(); i++) {
            groups.computeIfAbsent(find(parent, i), k -> new ArrayList<>()).add(words.get(i));
        }
        List<List<String>> out = new ArrayList<>(groups.values());
        out.sort(java.util.Comparator.comparing(g -> g.get(0)));
        return out;
    }

    private static void link(int[] parent, Map<Object, Integer> firstByKey, Object key, int i) {
        Integer j = firstByKey.putIfAbsent(key, i);
        if (j != null) {
            int a = find(parent, i);
            int b = find(parent, j);
            if (a != b) {
                parent[Math.max(a, b)] = Math.min(a, b);
            }
        }
    }

    private static int find(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }
}
