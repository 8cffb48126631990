package io.crossmodal.trainer.api;

import com.google.protobuf.Timestamp;
import io.crossmodal.runtime.bundle.Bundle;
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

    /** A proto job config as the trainer's config; invalid values raise IllegalArgumentException. */
    static JobConfig toConfig(io.crossmodal.proto.trainer.v1.JobConfig p, String registryDir, String runsDir) {
        if (p.getModelName().isBlank()) {
            throw new IllegalArgumentException("model_name is required");
        }
        String source = switch (p.getData().getSourceCase()) {
            case LEXICON_PATH -> p.getData().getLexiconPath();
            case CMUDICT, SOURCE_NOT_SET -> "cmudict";
        };
        SplitConfig s = p.getSplit();
        Hyperparameters h = p.getHyperparameters();
        List<String> components = new ArrayList<>();
        for (Component c : p.getComponentsList()) {
            if (c == Component.COMPONENT_UNSPECIFIED || c == Component.UNRECOGNIZED) {
                throw new IllegalArgumentException("components must be G2P, P2G or PRIOR, got " + c);
            }
            components.add(c.name().substring("COMPONENT_".length()).toLowerCase(Locale.ROOT));
        }
        if (p.getFamily() != io.crossmodal.proto.trainer.v1.ModelFamily.MODEL_FAMILY_UNSPECIFIED
                && p.getFamily() != io.crossmodal.proto.trainer.v1.ModelFamily.MODEL_FAMILY_SEQ2SEQ) {
            throw new IllegalArgumentException("unsupported model family " + p.getFamily());
        }
        return new JobConfig(
                p.getModelName(),
                "seq2seq",
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
                        nz(h.getThreads()), nz(h.getDevWords()), nz(h.getBeamWidth())),
                components.isEmpty() ? null : components,
                p.hasSeed() ? p.getSeed() : null,
                p.getExport(),
                runsDir + "/" + p.getModelName() + "-" + System.currentTimeMillis(),
                registryDir);
    }

    private static Integer nz(int v) {
        if (v < 0) {
            throw new IllegalArgumentException("sizes and counts must not be negative, got " + v);
        }
        return v == 0 ? null : v;
    }

    static Job toJob(JobManager.JobRecord j, io.crossmodal.proto.trainer.v1.JobConfig original) {
        Job.Builder b = Job.newBuilder()
                .setJobId(j.id)
                .setRequestId(j.requestId == null ? "" : j.requestId)
                .setState(state(j.state()))
                .setMessage(j.message() == null ? "" : j.message())
                .setCreatedAt(ts(j.createdAt));
        if (original != null) {
            b.setConfig(original);
        }
        if (j.startedAt() != null) {
            b.setStartedAt(ts(j.startedAt()));
        }
        if (j.finishedAt() != null) {
            b.setFinishedAt(ts(j.finishedAt()));
        }
        j.latest().ifPresent(e -> b.setLatestProgress(toEvent(j, e)));
        if (j.outcome() != null && j.outcome().bundle() != null) {
            Bundle bundle = j.outcome().bundle();
            io.crossmodal.proto.common.v1.ModelVersion.Builder v = io.crossmodal.proto.common.v1.ModelVersion.newBuilder()
                    .setName(bundle.model()).setVersion(Integer.toString(bundle.version()))
                    .setFamily(bundle.manifest().family());
            bundle.manifest().metrics().forEach((k, val) -> {
                if (val instanceof Number n) {
                    v.putMetrics(k, n.doubleValue());
                }
            });
            v.addAllComponents(bundle.manifest().components().keySet());
            b.setExported(v);
        }
        return b.build();
    }

    static io.crossmodal.proto.trainer.v1.ProgressEvent toEvent(JobManager.JobRecord j, ProgressEvent e) {
        return io.crossmodal.proto.trainer.v1.ProgressEvent.newBuilder()
                .setJobId(j.id)
                .setStep(e.step())
                .setEpoch(e.epoch())
                .putAllLosses(prefix(e.component(), e.losses()))
                .putAllDevMetrics(prefix(e.component(), e.devMetrics()))
                .setElapsedSeconds(e.elapsedSeconds())
                .setEtaSeconds(Double.isFinite(e.etaSeconds()) ? e.etaSeconds() : -1)
                .setState(state(j.state()))
                .setMessage(e.message() == null ? "" : e.message())
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

    static JobState state(JobManager.State s) {
        return switch (s) {
            case QUEUED -> JobState.JOB_STATE_QUEUED;
            case RUNNING -> JobState.JOB_STATE_RUNNING;
            case SUCCEEDED -> JobState.JOB_STATE_SUCCEEDED;
            case FAILED -> JobState.JOB_STATE_FAILED;
            case CANCELLED -> JobState.JOB_STATE_CANCELLED;
        };
    }

    static Timestamp ts(Instant i) {
        return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
    }
}
