package io.crossmodal.trainer.api;

import io.crossmodal.proto.common.v1.LexiconMode;
import io.crossmodal.proto.trainer.v1.LexiconConfig;
import io.crossmodal.trainer.config.JobConfig;
import io.crossmodal.trainer.family.seq2seq.Seq2SeqTrainingFamily;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * Maps the Trainer API's {@code JobConfig.lexicon} to the job config's {@code lexicon} section (docs/LEXICON.md) and
 * back. The override file is confined like {@code data.lexicon_path} and read strictly here, at submission, with the
 * same reader registration uses: a path or file the job would fail on never starts a job.
 */
final class LexiconSettings {
    static final String OVERRIDE_FIELD = "lexicon.override_path";

    private LexiconSettings() {
    }

    /** The job config's lexicon section for {@code p}; null (the defaults) when the request sets none. */
    static JobConfig.LexiconConfig toSection(io.crossmodal.proto.trainer.v1.JobConfig p, String family, LexiconPaths paths) {
        if (!p.hasLexicon()) {
            return null;
        }
        if (!family.equals(Seq2SeqTrainingFamily.NAME)) {
            throw new IllegalArgumentException("lexicon is for the seq2seq family only; this job's family is '" + family + "'");
        }
        LexiconConfig l = p.getLexicon();
        String override = l.getOverridePath().isEmpty() ? null : paths.resolveData(OVERRIDE_FIELD, l.getOverridePath(), false)
                .toString();
        String mode = switch (l.getMode()) {
            case LEXICON_MODE_UNSPECIFIED -> null;
            case LEXICON_MODE_FIRST, LEXICON_MODE_MODEL, LEXICON_MODE_LEXICON ->
                    l.getMode().name().substring("LEXICON_MODE_".length()).toLowerCase(Locale.ROOT);
            case UNRECOGNIZED -> throw new IllegalArgumentException("lexicon.mode: unknown value " + l.getModeValue());
        };
        JobConfig.LexiconConfig section = new JobConfig.LexiconConfig(l.hasTraining() ? l.getTraining() : null, override, mode);
        if (!section.training() && override == null && "lexicon".equals(section.mode())) {
            throw new IllegalArgumentException("lexicon.mode LEXICON_MODE_LEXICON needs a lexicon: lexicon.training is false"
                    + " and no lexicon.override_path is given");
        }
        return section;
    }

    /**
     * Reads the override of {@code cfg} (if any) as registration will; IllegalArgumentException naming the field
     * and the first malformed line (its number and the kind of fault, not its text) otherwise. Runs after the config is complete, since stress stripping is the data's.
     */
    static void checkOverride(JobConfig cfg) {
        try {
            Seq2SeqTrainingFamily.checkLexiconOverride(cfg, OVERRIDE_FIELD);
        } catch (UncheckedIOException e) {
            throw new IllegalArgumentException(OVERRIDE_FIELD + ": the file cannot be read", e);
        } catch (IllegalArgumentException e) {
            // the reader's reasons quote the offending word or symbol; the API names the line but, as for every data
            // path, echoes nothing of the file (the quoted text is left out)
            String message = e.getMessage().replaceAll("'[^']*'", "'...'");
            throw new IllegalArgumentException(CallerInput.cut(message, 1000));
        }
    }

    /** The effective lexicon section of a job as the proto message, every default filled in. */
    static LexiconConfig fromSection(JobConfig.LexiconConfig c) {
        LexiconConfig.Builder b = LexiconConfig.newBuilder().setTraining(c.training())
                .setMode(LexiconMode.valueOf("LEXICON_MODE_" + c.mode().toUpperCase(Locale.ROOT)));
        if (c.override() != null) {
            b.setOverridePath(c.override());
        }
        return b.build();
    }
}
