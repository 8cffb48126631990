package io.crossmodal.trainer.api;

import io.crossmodal.lifecycle.AliasChange;
import io.crossmodal.lifecycle.DecisionRecord;
import io.crossmodal.lifecycle.gate.GateCheck;
import io.crossmodal.lifecycle.Lineage;
import io.crossmodal.lifecycle.ModelLifecycle;
import io.crossmodal.lifecycle.gate.PairedBootstrap;
import io.crossmodal.proto.trainer.v1.BootstrapInterval;
import io.crossmodal.proto.trainer.v1.Decision;
import io.crossmodal.proto.trainer.v1.VersionLineage;

/** Lifecycle records (core) as Trainer API messages. */
final class LifecycleMapping {
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
                .setActor(nz(d.actor()))
                .setAt(nz(d.at()))
                .setSummary(nz(d.summary()))
                .setRecordJson(ModelLifecycle.toJson(d));
        for (GateCheck c : d.checks()) {
            b.addChecks(io.crossmodal.proto.trainer.v1.GateCheck.newBuilder().setName(c.name()).setPassed(c.passed())
                    .setValue(c.value()).setThreshold(c.threshold()).setDetail(nz(c.detail())));
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
                .setRegisteredBy(nz(l.registeredBy()))
                .putAllDataFingerprint(l.dataFingerprint())
                .setJobConfigJson(ModelLifecycle.toJson(l.jobConfig()))
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
                .setActor(nz(c.actor()))
                .setAt(nz(c.at()))
                .build();
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
