package io.crossmodal.trainer.api;

import com.google.protobuf.Timestamp;
import io.crossmodal.trainer.config.JobConfig;
import io.crossmodal.trainer.progress.ProgressEvent;
import io.crossmodal.proto.trainer.v1.Component;
import io.crossmodal.proto.trainer.v1.Hyperparameters;
import io.crossmodal.proto.trainer.v1.Job;
import io.crossmodal.proto.trainer.v1.JobState;
import io.crossmodal.proto.trainer.v1.SplitConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Translates between the Trainer API messages and the trainer's own job config and state. */
final class ProtoMapping {
    private ProtoMapping() {}

    /**
     * A proto job config as the trainer's config, every numeric field checked against {@code limits} and the
     * lexicon and override paths against {@code lexicons} (the override file also read, as registration will);
     * invalid values raise IllegalArgumentException naming the field. The run
     * and registry directories are the trainer's, set when the job is admitted.
     */
    static JobConfig toConfig(io.crossmodal.proto.trainer.v1.JobConfig p, JobLimits limits, LexiconPaths lexicons) {
        CallerInput.modelName("model_name", p.getModelName());
        CallerInput.id("request_id", p.getRequestId(), CallerInput.MAX_ID);
        CallerInput.id("idempotency_key", p.getIdempotencyKey(), CallerInput.MAX_ID);
        checkLimits(p, limits);
        String source = switch (p.getData().getSourceCase()) {
            case LEXICON_PATH -> lexicons.resolve(p.getData().getLexiconPath()).toString();
            case CMUDICT, SOURCE_NOT_SET -> "cmudict";
        };
        SplitConfig s = p.getSplit();
        Hyperparameters h = p.getHyperparameters();
        List<String> components = new ArrayList<>();
        for (Component c : p.getComponentsList()) {
            if (c == Component.COMPONENT_UNSPECIFIED || c == Component.UNRECOGNIZED) {
                throw new IllegalArgumentException("components must be G2P, P2G or PRIOR, got " + c);
            }
            String name = c.name().substring("COMPONENT_".length()).toLowerCase(Locale.ROOT);
            if (!components.contains(name)) {
                components.add(name);
            }
        }
        if (p.getFamily() != io.crossmodal.proto.trainer.v1.ModelFamily.MODEL_FAMILY_UNSPECIFIED
                && p.getFamily() != io.crossmodal.proto.trainer.v1.ModelFamily.MODEL_FAMILY_SEQ2SEQ) {
            throw new IllegalArgumentException("family: unsupported model family " + p.getFamily());
        }
        String family = familyName(p);
        JobConfig cfg = new JobConfig(
                p.getModelName(),
                family,
                new JobConfig.Data(source, s.hasStripStress() ? s.getStripStress() : null,
                        p.getData().getMaxWords() == 0 ? null : p.getData().getMaxWords()),
                new JobConfig.Split(s.hasPaired() ? s.getPaired() : null,
                        s.hasUnpairedGraphemes() ? s.getUnpairedGraphemes() : null,
                        s.hasUnpairedPhonemes() ? s.getUnpairedPhonemes() : null,
                        s.hasDev() ? s.getDev() : null, s.hasTest() ? s.getTest() : null),
                new JobConfig.Model(nz(h.getEmbeddingSize()), nz(h.getEncoderHiddenSize()), nz(h.getDecoderHiddenSize()),
                        nz(h.getPriorEmbeddingSize()), nz(h.getPriorHiddenSize()), nz(h.getMaxOutputLength())),
                new JobConfig.Train(nz(h.getBatchSize()), h.getLearningRate() == 0 ? null : (float) h.getLearningRate(),
                        nz(h.getEpochs()), h.getMaxSteps() == 0 ? null : h.getMaxSteps(), nz(h.getPatience()),
                        h.getClipNorm() == 0 ? null : (float) h.getClipNorm(), h.getLrDecay() == 0 ? null : (float) h.getLrDecay(),
                        nz(h.getThreads()), nz(h.getDevWords()), nz(h.getBeamWidth()),
                        h.getLabelSmoothing() == 0 ? null : (float) h.getLabelSmoothing(),
                        h.getDropout() == 0 ? null : (float) h.getDropout()),
                components.isEmpty() ? null : components,
                p.hasSeed() ? p.getSeed() : null,
                p.hasExport() ? p.getExport() : null,
                null,
                null,
                null,
                null,
                LexiconSettings.toSection(p, family, lexicons),
                null);
        cfg = FamilySettings.apply(cfg, p.getFamilyConfigJson(), limits, lexicons);
        LexiconSettings.checkOverride(cfg);
        double bytes = JobMemoryEstimate.bytes(cfg);
        double budget = limits.memoryBudgetMib() * 1024.0 * 1024.0;
        if (bytes > budget) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "hyperparameters: the job would need about %.0f MiB"
                    + " (sizes x batch size x max_output_length; docs in JobMemoryEstimate), more than the trainer's budget"
                    + " of %d MiB (crossmodal.trainer.limits.memory-budget-mib)", bytes / (1024 * 1024), limits.memoryBudgetMib()));
        }
        return cfg;
    }

    /** {@code family_name} if set (agreeing with {@code family} when that is set too), else {@code family}'s name. */
    static String familyName(io.crossmodal.proto.trainer.v1.JobConfig p) {
        String byEnum = p.getFamily() == io.crossmodal.proto.trainer.v1.ModelFamily.MODEL_FAMILY_SEQ2SEQ ? "seq2seq" : null;
        String name = p.getFamilyName();
        if (name.isEmpty()) {
            return byEnum == null ? "seq2seq" : byEnum;
        }
        if (name.length() > 64) {
            throw new IllegalArgumentException("family_name: at most 64 characters, got " + name.length());
        }
        if (!io.crossmodal.trainer.family.TrainingFamilies.names().contains(name)) {
            throw new IllegalArgumentException("family_name: unknown model family '" + CallerInput.cut(name, 64) + "', known: "
                    + io.crossmodal.trainer.family.TrainingFamilies.names());
        }
        if (byEnum != null && !byEnum.equals(name)) {
            throw new IllegalArgumentException("family_name '" + name + "' contradicts family " + p.getFamily());
        }
        return name;
    }

    /** Every numeric field against its upper bound, named as in the proto. */
    static void checkLimits(io.crossmodal.proto.trainer.v1.JobConfig p, JobLimits l) {
        Hyperparameters h = p.getHyperparameters();
        max("hyperparameters.embedding_size", h.getEmbeddingSize(), l.embeddingSize());
        max("hyperparameters.prior_embedding_size", h.getPriorEmbeddingSize(), l.embeddingSize());
        max("hyperparameters.encoder_hidden_size", h.getEncoderHiddenSize(), l.hiddenSize());
        max("hyperparameters.decoder_hidden_size", h.getDecoderHiddenSize(), l.hiddenSize());
        max("hyperparameters.prior_hidden_size", h.getPriorHiddenSize(), l.hiddenSize());
        max("hyperparameters.max_output_length", h.getMaxOutputLength(), l.maxOutputLength());
        max("hyperparameters.batch_size", h.getBatchSize(), l.batchSize());
        max("hyperparameters.epochs", h.getEpochs(), l.epochs());
        max("hyperparameters.max_steps", h.getMaxSteps(), l.maxSteps());
        max("hyperparameters.patience", h.getPatience(), l.patience());
        max("hyperparameters.threads", h.getThreads(), l.threads());
        max("hyperparameters.dev_words", h.getDevWords(), l.devWords());
        max("hyperparameters.beam_width", h.getBeamWidth(), l.beamWidth());
        finite("hyperparameters.learning_rate", h.getLearningRate());
        finite("hyperparameters.clip_norm", h.getClipNorm());
        finite("hyperparameters.lr_decay", h.getLrDecay());
        finite("hyperparameters.label_smoothing", h.getLabelSmoothing());
        finite("hyperparameters.dropout", h.getDropout());
        max("data.max_words", p.getData().getMaxWords(), l.words());
        SplitConfig s = p.getSplit();
        max("split.paired", s.getPaired(), l.words());
        max("split.unpaired_graphemes", s.getUnpairedGraphemes(), l.words());
        max("split.unpaired_phonemes", s.getUnpairedPhonemes(), l.words());
        max("split.dev", s.getDev(), l.words());
        max("split.test", s.getTest(), l.words());
    }

    private static void max(String field, long value, long limit) {
        if (value < 0 && !field.startsWith("split.")) {
            throw new IllegalArgumentException(field + " must not be negative, got " + value);
        }
        if (value > limit) {
            throw new IllegalArgumentException(field + " is " + value + ", more than the trainer's limit of " + limit
                    + " (crossmodal.trainer.limits.*)");
        }
    }

    private static void finite(String field, double value) {
        if (!Double.isFinite(value) || value < 0 || value > 1e6) {
            throw new IllegalArgumentException(field + " must be a finite number in [0, 1e6], got " + value);
        }
    }

    /** The effective config of a job, as a proto: every default filled in. */
    static io.crossmodal.proto.trainer.v1.JobConfig fromConfig(JobRecord j) {
        JobConfig c = j.config;
        io.crossmodal.proto.trainer.v1.DataConfig.Builder data = io.crossmodal.proto.trainer.v1.DataConfig.newBuilder()
                .setMaxWords(c.data().maxWords());
        if (c.data().source().equals("cmudict")) {
            data.setCmudict(io.crossmodal.proto.trainer.v1.CmudictSource.getDefaultInstance());
        } else {
            data.setLexiconPath(c.data().source());
        }
        JobConfig.Split s = c.split();
        JobConfig.Model m = c.model();
        JobConfig.Train t = c.train();
        io.crossmodal.proto.trainer.v1.JobConfig.Builder b = io.crossmodal.proto.trainer.v1.JobConfig.newBuilder()
                .setRequestId(j.requestId == null ? "" : j.requestId)
                .setIdempotencyKey(j.idempotencyKey == null ? "" : j.idempotencyKey)
                .setResumeFromJobId(j.resumeFrom == null ? "" : j.resumeFrom)
                .setFamily(c.family().equals("seq2seq") ? io.crossmodal.proto.trainer.v1.ModelFamily.MODEL_FAMILY_SEQ2SEQ
                        : io.crossmodal.proto.trainer.v1.ModelFamily.MODEL_FAMILY_UNSPECIFIED)
                .setFamilyName(c.family())
                .setFamilyConfigJson(FamilySettings.json(c))
                .setModelName(c.name())
                .setData(data)
                .setSplit(SplitConfig.newBuilder().setPaired(s.paired()).setUnpairedGraphemes(s.unpairedGraphemes())
                        .setUnpairedPhonemes(s.unpairedPhonemes()).setDev(s.dev()).setTest(s.test())
                        .setStripStress(c.data().stripStress()))
                .setHyperparameters(Hyperparameters.newBuilder().setEmbeddingSize(m.embed()).setEncoderHiddenSize(m.encHidden())
                        .setDecoderHiddenSize(m.decHidden()).setPriorEmbeddingSize(m.priorEmbed())
                        .setPriorHiddenSize(m.priorHidden()).setMaxOutputLength(m.maxOutputLength())
                        .setBatchSize(t.batchSize()).setLearningRate(t.learningRate()).setEpochs(t.epochs())
                        .setMaxSteps(t.maxSteps()).setPatience(t.patience()).setClipNorm(t.clipNorm()).setLrDecay(t.lrDecay())
                        .setThreads(t.threads()).setDevWords(t.devWords()).setBeamWidth(t.beamWidth())
                        .setLabelSmoothing(t.labelSmoothing()).setDropout(t.dropout()))
                .setSeed(c.seed())
                .setExport(c.export());
        if (c.family().equals("seq2seq")) {
            b.setLexicon(LexiconSettings.fromSection(c.lexiconConfig()));
        }
        for (String comp : c.components()) {
            // a family's components outside the enum (pvae's single component) are implied by the family
            try {
                b.addComponents(Component.valueOf("COMPONENT_" + comp.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException notInEnum) {
                // nothing to add
            }
        }
        return b.build();
    }

    private static Integer nz(int v) {
        if (v < 0) {
            throw new IllegalArgumentException("sizes and counts must not be negative, got " + v);
        }
        return v == 0 ? null : v;
    }

    static Job toJob(JobRecord j, String runDir) {
        Job.Builder b = Job.newBuilder()
                .setJobId(j.id)
                .setRequestId(j.requestId == null ? "" : j.requestId)
                .setState(state(j.state()))
                .setMessage(CallerInput.cut(j.message(), 2000))
                .setCreatedAt(ts(j.createdAt))
                .setConfig(fromConfig(j))
                .setRunDir(runDir);
        if (j.startedAt() != null) {
            b.setStartedAt(ts(j.startedAt()));
        }
        if (j.finishedAt() != null) {
            b.setFinishedAt(ts(j.finishedAt()));
        }
        j.latest().ifPresent(e -> b.setLatestProgress(toEvent(j, e)));
        JobStore.Exported e = j.exported();
        if (e != null) {
            io.crossmodal.proto.common.v1.ModelVersion.Builder v = io.crossmodal.proto.common.v1.ModelVersion.newBuilder()
                    .setName(e.model()).setVersion(Integer.toString(e.version()))
                    .setFamily(e.family() == null ? "" : e.family());
            if (e.metrics() != null) {
                v.putAllMetrics(e.metrics());
            }
            if (e.components() != null) {
                v.addAllComponents(e.components());
            }
            createdAt(e.createdAt()).ifPresent(v::setCreatedAt);
            b.setExported(v);
        }
        return b.build();
    }

    /** An ISO-8601 instant as a timestamp; empty when absent or unreadable. */
    static java.util.Optional<Timestamp> createdAt(String iso) {
        if (iso == null || iso.isBlank()) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(ts(Instant.parse(iso)));
        } catch (java.time.format.DateTimeParseException e) {
            return java.util.Optional.empty();
        }
    }

    static io.crossmodal.proto.trainer.v1.ProgressEvent toEvent(JobRecord j, JobRecord.Stamped stamped) {
        ProgressEvent e = stamped.event();
        return io.crossmodal.proto.trainer.v1.ProgressEvent.newBuilder()
                .setJobId(j.id)
                .setStep(e.step())
                .setEpoch(e.epoch())
                .putAllLosses(prefix(e.component(), e.losses()))
                .putAllDevMetrics(prefix(e.component(), e.devMetrics()))
                .setElapsedSeconds(e.elapsedSeconds())
                .setEtaSeconds(Double.isFinite(e.etaSeconds()) ? e.etaSeconds() : -1)
                .setState(state(stamped.state()))
                .setMessage(e.message() == null ? "" : CallerInput.cut(e.message(), 2000))
                .setComponent(e.component())
                .setPhase(e.phase())
                .setTotalSteps(e.totalSteps())
                .setEpochs(e.epochs())
                .build();
    }

    private static java.util.Map<String, Double> prefix(String component, java.util.Map<String, Double> m) {
        java.util.Map<String, Double> out = new java.util.LinkedHashMap<>();
        m.forEach((k, v) -> {
            if (v != null && Double.isFinite(v)) {
                out.put(component + "." + k, v);
            }
        });
        return out;
    }

    static JobState state(JobRecord.State s) {
        return switch (s) {
            case QUEUED -> JobState.JOB_STATE_QUEUED;
            case PREPARING -> JobState.JOB_STATE_PREPARING;
            case RUNNING -> JobState.JOB_STATE_RUNNING;
            case EXPORTING -> JobState.JOB_STATE_EXPORTING;
            case SUCCEEDED -> JobState.JOB_STATE_SUCCEEDED;
            case FAILED -> JobState.JOB_STATE_FAILED;
            case CANCELLED -> JobState.JOB_STATE_CANCELLED;
        };
    }

    static Timestamp ts(Instant i) {
        return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
    }
}
