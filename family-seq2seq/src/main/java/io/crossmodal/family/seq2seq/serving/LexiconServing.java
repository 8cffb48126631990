package io.crossmodal.family.seq2seq.serving;

import io.crossmodal.family.seq2seq.lexicon.LexiconFile;
import io.crossmodal.family.seq2seq.lexicon.LexiconMode;
import io.crossmodal.family.seq2seq.lexicon.PronunciationLexicon;
import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.BundleCorruptException;
import io.crossmodal.runtime.bundle.ServingSpec;
import io.crossmodal.runtime.family.InvalidInputException;
import java.util.ArrayList;
import java.util.List;

/**
 * The lexicon side of one served seq2seq component: the bundle's lexicon ({@link LexiconFile}) looked up
 * in the component's direction (spelling to pronunciations for a graphemes-in component, pronunciation to
 * spellings for a phonemes-in one), the model's default {@link LexiconMode}, and how lexicon and model
 * hypotheses are combined. Lexicon probabilities are uniform over an input's entries (a pronunciation
 * lexicon has no frequencies).
 */
public final class LexiconServing {

    /** A component served without a lexicon (model only). */
    public static final LexiconServing NONE = new LexiconServing(PronunciationLexicon.EMPTY, false, LexiconMode.MODEL);

    /** Vocabulary names that tell a component's direction. */
    static final String GRAPHEMES = "graphemes";
    static final String PHONEMES = "phonemes";

    private final PronunciationLexicon lexicon;
    private final boolean byPronunciation;
    private final LexiconMode defaultMode;

    LexiconServing(PronunciationLexicon lexicon, boolean byPronunciation, LexiconMode defaultMode) {
        this.lexicon = lexicon;
        this.byPronunciation = byPronunciation;
        this.defaultMode = defaultMode;
    }

    /**
     * The lexicon of {@code bundle} for {@code component}, with the default mode of the role's serving settings
     * ({@code decoding.lexicon}; {@code first} when the bundle has a lexicon and sets none). A component whose
     * source vocabulary is neither graphemes nor phonemes is served without one.
     */
    public static LexiconServing load(Bundle bundle, String component, ServingSpec spec) {
        Object setting = spec.decoding().get(LexiconMode.SETTING);
        LexiconMode mode = setting == null ? null : LexiconMode.ofSetting(setting);
        String source = bundle.component(component).sourceVocabulary();
        boolean directed = GRAPHEMES.equals(source) || PHONEMES.equals(source);
        if (!bundle.manifest().files().containsKey(LexiconFile.NAME) || !directed) {
            if (mode == LexiconMode.LEXICON) {
                throw new IllegalArgumentException("bundle " + bundle.model() + "/" + bundle.version() + " sets decoding."
                        + LexiconMode.SETTING + " \"lexicon\" but has no lexicon for component " + component);
            }
            return NONE;
        }
        PronunciationLexicon lexicon;
        try {
            lexicon = LexiconFile.read(bundle.readFile(LexiconFile.NAME));
        } catch (IllegalArgumentException e) {
            throw new BundleCorruptException("bundle " + bundle.model() + "/" + bundle.version() + ": " + e.getMessage(), e);
        }
        return new LexiconServing(lexicon, PHONEMES.equals(source), mode == null ? LexiconMode.FIRST : mode);
    }

    public boolean present() {
        return !lexicon.isEmpty();
    }

    public LexiconMode defaultMode() {
        return defaultMode;
    }

    public PronunciationLexicon lexicon() {
        return lexicon;
    }

    /**
     * The lexicon's hypotheses for an input under {@code mode}: none for {@link LexiconMode#MODEL} or an
     * input the lexicon does not hold (then the model answers); for {@link LexiconMode#LEXICON} an
     * input it does not hold (or no lexicon at all) is an {@link InvalidInputException}.
     */
    public List<ScoredSequence> answer(List<String> input, LexiconMode mode, String model) {
        if (mode == LexiconMode.MODEL) {
            return List.of();
        }
        List<List<String>> found = byPronunciation ? lexicon.spellings(input) : lexicon.pronunciations(input);
        if (found.isEmpty() && mode == LexiconMode.LEXICON) {
            throw new InvalidInputException(present()
                    ? "'" + String.join(byPronunciation ? " " : "", input) + "' is not in the lexicon of model " + model
                            + " (lexicon mode LEXICON_MODE_LEXICON; LEXICON_MODE_FIRST or LEXICON_MODE_MODEL let the model answer)"
                    : "model " + model + " has no lexicon (lexicon mode LEXICON_MODE_LEXICON)");
        }
        List<ScoredSequence> out = new ArrayList<>(found.size());
        for (List<String> f : found) {
            out.add(ScoredSequence.lexicon(f, 1.0 / found.size()));
        }
        return out;
    }

    /**
     * Lexicon hypotheses first (all of them), then the model's hypotheses that are not among them, up to
     * {@code nBest} in all.
     */
    public static List<ScoredSequence> combine(List<ScoredSequence> fromLexicon, List<ScoredSequence> fromModel, int nBest) {
        List<ScoredSequence> out = new ArrayList<>(fromLexicon);
        for (ScoredSequence m : fromModel) {
            if (out.size() >= nBest) {
                break;
            }
            if (fromLexicon.stream().noneMatch(l -> l.symbols().equals(m.symbols()))) {
                out.add(m);
            }
        }
        return out;
    }
}
