package io.crossmodal.family.seq2seq.lexicon;

import io.crossmodal.family.seq2seq.vocab.Vocabulary;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Spellings and their pronunciations, in the model's symbol space (the graphemes and phonemes its
 * vocabularies hold: stress stripped when the model was trained so). Immutable. Looked up in both
 * directions: a spelling's pronunciations (heteronyms have several, primary first) for G2P, a
 * pronunciation's spellings (homophones) for P2G.
 */
public final class PronunciationLexicon {

    /** No entries. */
    public static final PronunciationLexicon EMPTY = new PronunciationLexicon(Map.of());

    private final Map<String, List<List<String>>> byWord;
    private final Map<List<String>, List<List<String>>> byGraphemes;
    private final Map<List<String>, List<List<String>>> byPhonemes;
    private final int entries;

    /**
     * @param byWord spelling -> its distinct pronunciations, primary first (spellings in any order);
     *               no spelling may be empty or have no pronunciation
     */
    public PronunciationLexicon(Map<String, List<List<String>>> byWord) {
        Map<String, List<List<String>>> words = new LinkedHashMap<>();
        Map<List<String>, List<List<String>>> graphemes = new LinkedHashMap<>();
        Map<List<String>, List<List<String>>> phonemes = new LinkedHashMap<>();
        int n = 0;
        for (Map.Entry<String, List<List<String>>> e : byWord.entrySet()) {
            String word = e.getKey();
            if (word == null || word.isEmpty()) {
                throw new IllegalArgumentException("lexicon spelling must not be empty");
            }
            List<List<String>> prons = new ArrayList<>();
            for (List<String> p : e.getValue()) {
                if (p.isEmpty() || p.stream().anyMatch(s -> s == null || s.isEmpty())) {
                    throw new IllegalArgumentException("lexicon word '" + word + "' has an empty pronunciation or symbol");
                }
                if (!prons.contains(p)) {
                    prons.add(List.copyOf(p));
                }
            }
            if (prons.isEmpty()) {
                throw new IllegalArgumentException("lexicon word '" + word + "' has no pronunciation");
            }
            words.put(word, List.copyOf(prons));
            List<String> spelling = Vocabulary.graphemes(word);
            graphemes.put(spelling, List.copyOf(prons));
            for (List<String> p : prons) {
                phonemes.computeIfAbsent(p, k -> new ArrayList<>()).add(spelling);
            }
            n += prons.size();
        }
        phonemes.replaceAll((k, v) -> List.copyOf(v));
        this.byWord = Collections.unmodifiableMap(words);
        this.byGraphemes = Collections.unmodifiableMap(graphemes);
        this.byPhonemes = Collections.unmodifiableMap(phonemes);
        this.entries = n;
    }

    /** Spelling -> pronunciations, in the order the lexicon was built (the file's order). */
    public Map<String, List<List<String>>> byWord() {
        return byWord;
    }

    /** The pronunciations of a spelling given as graphemes (one symbol per character), primary first; empty if unknown. */
    public List<List<String>> pronunciations(List<String> graphemes) {
        return byGraphemes.getOrDefault(graphemes, List.of());
    }

    /** The spellings (as graphemes) of a pronunciation, in lexicon order; empty if unknown. */
    public List<List<String>> spellings(List<String> phonemes) {
        return byPhonemes.getOrDefault(phonemes, List.of());
    }

    /** Number of words. */
    public int words() {
        return byWord.size();
    }

    /** Number of (word, pronunciation) entries. */
    public int entries() {
        return entries;
    }

    public boolean isEmpty() {
        return byWord.isEmpty();
    }

    /**
     * This lexicon with {@code override} merged in. Precedence: a word of the override replaces every
     * pronunciation this lexicon has for it (so an override corrects a wrong entry, not only adds one);
     * words only here are kept; words only in the override are added after them.
     */
    public PronunciationLexicon withOverride(PronunciationLexicon override) {
        Map<String, List<List<String>>> merged = new LinkedHashMap<>(byWord);
        merged.putAll(override.byWord);
        return new PronunciationLexicon(merged);
    }

    @Override
    public String toString() {
        return "PronunciationLexicon[" + words() + " words, " + entries + " entries]";
    }
}
