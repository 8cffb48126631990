package io.crossmodal.datasets.cmudict;

import java.text.Normalizer;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One pronunciation of one word.
 *
 * @param word the spelling, lower-cased here so every consumer sees one normal form
 * @param phonemes phoneme symbols (ARPAbet, or any inventory: {@link Arpabet#isAnySymbol}), never empty
 * @param variant 0 for {@code WORD}, n for {@code WORD(n)}
 */
public record LexiconEntry(String word, List<String> phonemes, int variant) {
    public LexiconEntry {
        Objects.requireNonNull(word, "word");
        // one normal form: composed characters (NFC), so "é" is one grapheme however the file spelled it
        word = Normalizer.normalize(word, Normalizer.Form.NFC).toLowerCase(Locale.ROOT);
        if (word.isEmpty()) {
            throw new IllegalArgumentException("word must not be empty");
        }
        phonemes = List.copyOf(phonemes);
        if (phonemes.isEmpty()) {
            throw new IllegalArgumentException("word '" + word + "' has no phonemes");
        }
        if (variant < 0) {
            throw new IllegalArgumentException("variant must be >= 0, got " + variant);
        }
    }
}
