package io.crossmodal.trainer.api;

import io.crossmodal.lifecycle.AliasChange;
import io.crossmodal.lifecycle.DecisionRecord;
import io.crossmodal.lifecycle.gate.GateCheck;
import io.crossmodal.lifecycle.Lineage;
import io.crossmodal.lifecycle.ModelLifecycle;
import io.crossmodal.lifecycle.gate.PairedBootstrap;
import io.crossmodal.proto.trainer.v1.BootstrapInterval;
import io.crossmodal.proto.trainer.v1.Decision;
import io.crossmodal.proto.trainer.v1.ModelHistory;
import io.crossmodal.proto.trainer.v1.VersionLineage;

/**
 * Lifecycle records (core) as Trainer API messages. Stored strings are cut to bounds (records written before
 * the API bounded its inputs may hold anything), and a history is fitted to a size every client accepts, so no
 * stored record can break a read.
 */
final class LifecycleMapping {
    static final int MAX_SHORT = 256;
    static final int MAX_TEXT = 2000;
    static final int MAX_JSON = 64 * 1024;

    private LifecycleMapping() {}

    static Decision decision(DecisionRecord d) {
        Decision.Builder b = Decision.newBuilder()
                .setId(d.id())
                .setAction(d.action())
                .setDecision(d.decision())
                .setModelName(d.model())
                .setAlias(nz(d.alias()))
                .setCandidateVersion(d.candidateVersion() == null ? "" : d.candidateVersion().toString())
                .setProductionVersion(d.productionVersion() == null ? "" : d.productionVersion().toString())
                .setActor(CallerInput.cut(d.actor(), MAX_SHORT))
                .setAt(CallerInput.cut(d.at(), MAX_SHORT))
                .setSummary(CallerInput.cut(d.summary(), MAX_TEXT))
                .setRecordJson(CallerInput.cut(ModelLifecycle.toJson(d), MAX_JSON));
        for (GateCheck c : d.checks()) {
            b.addChecks(io.crossmodal.proto.trainer.v1.GateCheck.newBuilder().setName(c.name()).setPassed(c.passed())
                    .setValue(c.value()).setThreshold(c.threshold()).setDetail(CallerInput.cut(c.detail(), MAX_TEXT)));
        }
        d.bootstrap().forEach((component, ci) -> b.putBootstrap(component, interval(ci)));
        return b.build();
    }

    static BootstrapInterval interval(PairedBootstrap.Interval ci) {
        return BootstrapInterval.newBuilder().setObserved(ci.observed()).setLower(ci.lower()).setUpper(ci.upper())
                .setMean(ci.mean()).setSamples(ci.samples()).setConfidence(ci.confidence()).setSeed(ci.seed())
                .setWords(ci.words()).build();
    }

    static VersionLineage lineage(Lineage l) {
        VersionLineage.Builder b = VersionLineage.newBuilder()
                .setVersion(Integer.toString(l.version()))
                .setSourceCommit(nz(l.sourceCommit()))
                .setCreatedAt(nz(l.createdAt()))
                .setRegisteredBy(CallerInput.cut(l.registeredBy(), MAX_SHORT))
                .putAllDataFingerprint(l.dataFingerprint())
                .setJobConfigJson(CallerInput.cut(ModelLifecycle.toJson(l.jobConfig()), MAX_JSON))
                .setDerived(l.derived());
        l.metrics().forEach((k, v) -> {
            if (v instanceof Number n) {
                b.putMetrics(k, n.doubleValue());
            }
        });
        return b.build();
    }

    static io.crossmodal.proto.trainer.v1.AliasChange aliasChange(AliasChange c) {
        return io.crossmodal.proto.trainer.v1.AliasChange.newBuilder()
                .setSeq(c.seq())
                .setAlias(c.alias())
                .setVersion(Integer.toString(c.version()))
                .setPreviousVersion(c.previousVersion() == null ? "" : c.previousVersion().toString())
                .setAction(nz(c.action()))
                .setDecisionId(nz(c.decisionId()))
                .setEventId(nz(c.eventId()))
                .setActor(CallerInput.cut(c.actor(), MAX_SHORT))
                .setAt(CallerInput.cut(c.at(), MAX_SHORT))
                .build();
    }

    /**
     * The history, fitted into {@code maxBytes}: while too large, the stored JSON of the oldest decisions, then
     * of the oldest versions' job configs, is left out (their other fields stay), then the oldest decisions.
     */
    static ModelHistory fit(ModelHistory.Builder b, int maxBytes) {
        for (int i = 0; i < b.getDecisionsCount() && b.build().getSerializedSize() > maxBytes; i++) {
            b.setDecisions(i, b.getDecisions(i).toBuilder().setRecordJson(""));
        }
        for (int i = 0; i < b.getVersionsCount() && b.build().getSerializedSize() > maxBytes; i++) {
            b.setVersions(i, b.getVersions(i).toBuilder().setJobConfigJson(""));
        }
        while (b.getDecisionsCount() > 0 && b.build().getSerializedSize() > maxBytes) {
            b.removeDecisions(0);
        }
        return b.build();
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
