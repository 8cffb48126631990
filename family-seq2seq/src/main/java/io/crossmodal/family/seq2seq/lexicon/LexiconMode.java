package io.crossmodal.family.seq2seq.lexicon;

import io.crossmodal.runtime.family.InvalidInputException;
import java.util.Locale;

/**
 * How a request is answered: lexicon first, model only, or lexicon only (the contract's
 * {@code LexiconMode}). A bundle names its default in {@code serving.<role>.decoding.lexicon}
 * as {@code first}, {@code model} or {@code lexicon}.
 */
public enum LexiconMode {
    FIRST, MODEL, LEXICON;

    /** The bundle's serving setting ({@code serving.<role>.decoding.lexicon}). */
    public static final String SETTING = "lexicon";

    /** The mode a bundle setting names; IllegalArgumentException naming the accepted values otherwise. */
    public static LexiconMode ofSetting(Object value) {
        if (value instanceof String s) {
            for (LexiconMode m : values()) {
                if (m.name().toLowerCase(Locale.ROOT).equals(s)) {
                    return m;
                }
            }
        }
        throw new IllegalArgumentException("serving decoding." + SETTING + " must be \"first\", \"model\" or \"lexicon\", got "
                + value);
    }

    /** The setting's spelling ({@code first}, {@code model}, {@code lexicon}). */
    public String setting() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The request's mode, or {@code dflt} when the request leaves it unspecified. */
    public static LexiconMode ofRequest(io.crossmodal.proto.common.v1.LexiconMode requested, LexiconMode dflt) {
        return switch (requested) {
            case LEXICON_MODE_UNSPECIFIED -> dflt;
            case LEXICON_MODE_FIRST -> FIRST;
            case LEXICON_MODE_MODEL -> MODEL;
            case LEXICON_MODE_LEXICON -> LEXICON;
            case UNRECOGNIZED -> throw new InvalidInputException("lexicon: unknown lexicon mode (this server knows"
                    + " LEXICON_MODE_FIRST, LEXICON_MODE_MODEL and LEXICON_MODE_LEXICON)");
        };
    }
}
