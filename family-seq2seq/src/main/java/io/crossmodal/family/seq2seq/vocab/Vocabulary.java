package io.crossmodal.family.seq2seq.vocab;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * An ordered symbol table. Ids 0-3 are reserved ({@code <pad> <s> </s> <unk>}) so every model,
 * graph and search agrees on them without looking them up.
 */
public final class Vocabulary {
    public static final int PAD = 0;
    public static final int BOS = 1;
    public static final int EOS = 2;
    public static final int UNK = 3;
    public static final List<String> RESERVED = List.of("<pad>", "<s>", "</s>", "<unk>");

    private final List<String> symbols;
    private final Map<String, Integer> ids;

    private Vocabulary(List<String> symbols) {
        this.symbols = Collections.unmodifiableList(new ArrayList<>(symbols));
        this.ids = new HashMap<>();
        for (int i = 0; i < symbols.size(); i++) {
            if (ids.put(symbols.get(i), i) != null) {
                throw new IllegalArgumentException("duplicate symbol in vocabulary: " + symbols.get(i));
            }
        }
    }

    /** Builds a vocabulary from the symbols that occur in the data, in sorted order after the reserved ones. */
    public static Vocabulary fromSequences(Collection<? extends List<String>> sequences) {
        TreeSet<String> seen = new TreeSet<>();
        sequences.forEach(seen::addAll);
        RESERVED.forEach(seen::remove);
        List<String> all = new ArrayList<>(RESERVED);
        all.addAll(seen);
        return new Vocabulary(all);
    }

    /** Restores a vocabulary from its full symbol list (as stored in a bundle manifest). */
    public static Vocabulary of(List<String> symbols) {
        if (symbols.size() < RESERVED.size() || !symbols.subList(0, RESERVED.size()).equals(RESERVED)) {
            throw new IllegalArgumentException("vocabulary must start with " + RESERVED);
        }
        return new Vocabulary(symbols);
    }

    public int size() {
        return symbols.size();
    }

    public List<String> symbols() {
        return symbols;
    }

    public String symbol(int id) {
        return symbols.get(id);
    }

    /** Returns the id of a symbol, or -1 when it is not in the vocabulary. */
    public int idOf(String symbol) {
        Integer id = ids.get(symbol);
        return id == null || id < RESERVED.size() ? -1 : id;
    }

    public boolean contains(String symbol) {
        return idOf(symbol) >= 0;
    }

    /** Encodes symbols; throws with the offending symbol and position when one is unknown. */
    public long[] encode(List<String> sequence) {
        long[] out = new long[sequence.size()];
        for (int i = 0; i < out.length; i++) {
            int id = idOf(sequence.get(i));
            if (id < 0) {
                throw new IllegalArgumentException(
                        "unknown symbol '" + sequence.get(i) + "' at position " + i);
            }
            out[i] = id;
        }
        return out;
    }

    /** Decodes ids, stopping at the first {@code </s>} and skipping padding and {@code <s>}. */
    public List<String> decode(long[] ids) {
        List<String> out = new ArrayList<>(ids.length);
        for (long id : ids) {
            if (id == EOS) {
                break;
            }
            if (id != PAD && id != BOS) {
                out.add(symbols.get((int) id));
            }
        }
        return out;
    }

    /** Splits a spelling into grapheme symbols (one per character). */
    public static List<String> graphemes(String word) {
        List<String> out = new ArrayList<>(word.length());
        word.codePoints().forEach(cp -> out.add(new String(Character.toChars(cp))));
        return out;
    }
}
