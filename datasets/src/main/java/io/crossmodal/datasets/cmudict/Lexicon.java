package io.crossmodal.datasets.cmudict;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An ordered, immutable list of pronunciations plus the issues met while reading them. */
public final class Lexicon {
    private final List<LexiconEntry> entries;
    private final List<ParseIssue> issues;
    private final Map<String, List<List<String>>> byWord;

    public Lexicon(List<LexiconEntry> entries, List<ParseIssue> issues) {
        this.entries = List.copyOf(entries);
        this.issues = List.copyOf(issues);
        this.byWord = index(this.entries);
    }

    public List<LexiconEntry> entries() {
        return entries;
    }

    public List<ParseIssue> issues() {
        return issues;
    }

    /** Number of pronunciations (entries), not words. */
    public int size() {
        return entries.size();
    }

    /**
     * Word -> its distinct pronunciations, words in first-seen order, pronunciations by variant
     * (so the primary {@code WORD} comes first). Identical pronunciations are kept once: they
     * appear e.g. when stress stripping collapses variants and would otherwise double-weight a
     * word in training and evaluation.
     */
    public Map<String, List<List<String>>> pronunciationsByWord() {
        return byWord;
    }

    private static Map<String, List<List<String>>> index(List<LexiconEntry> entries) {
        Map<String, List<LexiconEntry>> grouped = new LinkedHashMap<>();
        for (LexiconEntry e : entries) {
            grouped.computeIfAbsent(e.word(), w -> new ArrayList<>()).add(e);
        }
        Map<String, List<List<String>>> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<LexiconEntry>> g : grouped.entrySet()) {
            List<LexiconEntry> variants = new ArrayList<>(g.getValue());
            variants.sort(Comparator.comparingInt(LexiconEntry::variant)); // stable
            List<List<String>> prons = new ArrayList<>();
            for (LexiconEntry e : variants) {
                if (!prons.contains(e.phonemes())) {
                    prons.add(e.phonemes());
                }
            }
            out.put(g.getKey(), List.copyOf(prons));
        }
        return Collections.unmodifiableMap(out);
    }

    @Override
    public String toString() {
        return "Lexicon[" + byWord.size() + " words, " + entries.size() + " entries, "
                + issues.size() + " issues]";
    }
}
