package io.crossmodal.trainer.family.seq2seq;

import io.crossmodal.datasets.cmudict.CmuDictSource;
import io.crossmodal.datasets.cmudict.Lexicon;
import io.crossmodal.datasets.cmudict.ParseIssue;
import io.crossmodal.datasets.split.DataSplit;
import io.crossmodal.datasets.split.SplitName;
import io.crossmodal.family.seq2seq.lexicon.LexiconFile;
import io.crossmodal.family.seq2seq.lexicon.LexiconMode;
import io.crossmodal.family.seq2seq.lexicon.PronunciationLexicon;
import io.crossmodal.runtime.bundle.ServingSpec;
import io.crossmodal.trainer.config.JobConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The pronunciation lexicon written into a seq2seq bundle at registration (docs/LEXICON.md): the training
 * entries (the paired split, normalised as the model saw them) unless {@code lexicon.training} is false, with the
 * user's override file merged in (its words replace the training entries of the same words), and the served
 * default mode as the bundle's serving setting of both roles.
 */
final class BundleLexicon {

    /** Serving roles that get the default mode. */
    private static final String[] ROLES = {"encoder", "decoder"};

    private BundleLexicon() {
    }

    /** The bundle's lexicon: training entries and override merged (empty when neither gives any). */
    static PronunciationLexicon build(JobConfig cfg, DataSplit split) {
        JobConfig.LexiconConfig lc = cfg.lexiconConfig();
        PronunciationLexicon base = lc.training() ? new PronunciationLexicon(split.pronunciations(SplitName.PAIRED))
                : PronunciationLexicon.EMPTY;
        return lc.override() == null ? base
                : base.withOverride(override(Path.of(lc.override()), cfg.data().stripStress()));
    }

    /** {@link #override(Path, boolean, String)} as the CLI job config's {@code lexicon.override}. */
    static PronunciationLexicon override(Path file, boolean stripStress) {
        return override(file, stripStress, "lexicon.override");
    }

    /**
     * Reads a user's override file strictly: unlike a training lexicon, whose bad lines are skipped and
     * counted, a malformed override line fails the registration, since a dropped correction would be served
     * silently wrong. {@code field} names the setting in the messages (the CLI's or the Trainer API's).
     */
    static PronunciationLexicon override(Path file, boolean stripStress, String field) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(field + ": no such file " + file);
        }
        Lexicon lex;
        try {
            lex = CmuDictSource.fromPath(file, stripStress, true);
        } catch (IOException e) {
            throw new UncheckedIOException(field + ": cannot read " + file + ": " + e.getMessage(), e);
        }
        if (!lex.issues().isEmpty()) {
            ParseIssue first = lex.issues().get(0);
            throw new IllegalArgumentException(field + " " + file + ": " + lex.issues().size() + " malformed line(s);"
                    + " first: line " + first.lineNumber() + " (" + first.reason() + ")");
        }
        if (lex.size() == 0) {
            throw new IllegalArgumentException(field + " " + file + " has no entries");
        }
        return new PronunciationLexicon(lex.pronunciationsByWord());
    }

    /** The bundle files for {@code lexicon} (none when it is empty). */
    static Map<String, byte[]> files(PronunciationLexicon lexicon) {
        return lexicon.isEmpty() ? Map.of() : Map.of(LexiconFile.NAME, LexiconFile.write(lexicon));
    }

    /** Serving settings naming the default mode for both roles (none without a lexicon: the services then use the model). */
    static Map<String, ServingSpec> serving(JobConfig cfg, PronunciationLexicon lexicon) {
        if (lexicon.isEmpty()) {
            if (cfg.lexiconConfig().mode().equals(LexiconMode.LEXICON.setting())) {
                throw new IllegalArgumentException("lexicon.mode 'lexicon' needs a lexicon: lexicon.training is false and no"
                        + " lexicon.override is given");
            }
            return Map.of();
        }
        Map<String, ServingSpec> out = new LinkedHashMap<>();
        for (String role : ROLES) {
            out.put(role, new ServingSpec(null, null, null, null, null, Map.of(LexiconMode.SETTING, cfg.lexiconConfig().mode())));
        }
        return out;
    }
}
