package io.crossmodal.trainer.lifecycle;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.crossmodal.core.bundle.Bundle;
import io.crossmodal.core.bundle.ComponentSpec;
import io.crossmodal.core.data.Lexicon;
import io.crossmodal.core.eval.WordScore;
import io.crossmodal.core.lifecycle.DecisionRecord;
import io.crossmodal.core.lifecycle.Gate;
import io.crossmodal.core.lifecycle.GateCheck;
import io.crossmodal.core.lifecycle.GateConfig;
import io.crossmodal.core.lifecycle.LifecycleConflictException;
import io.crossmodal.core.lifecycle.Lineage;
import io.crossmodal.core.lifecycle.ModelLifecycle;
import io.crossmodal.core.lifecycle.PairedBootstrap;
import io.crossmodal.core.onnx.SessionFactory;
import io.crossmodal.core.serving.Seq2SeqPredictor;
import io.crossmodal.core.split.SplitName;
import io.crossmodal.core.split.Splitter;
import io.crossmodal.trainer.config.JobConfig;
import io.crossmodal.trainer.job.Evaluation;
import io.crossmodal.trainer.job.Seq2SeqData;
import io.crossmodal.trainer.job.Seq2SeqJob;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * {@code promote}: evaluates a candidate version and the current production version on the
 * candidate's frozen test split (re-created from its lineage, fingerprint checked), both by ONNX
 * Runtime beam search with the same settings, applies the gate, writes the decision record and
 * moves {@code production} only if every check passed.
 */
public final class Promoter {
    private static final Logger LOG = Logger.getLogger(Promoter.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private Promoter() {}

    /**
     * @param registry     registry directory
     * @param model        model name
     * @param candidateRef version number, {@code latest} or alias ({@code candidate})
     * @param gate         the gate
     * @param gateSource   where the gate came from (file path or "trainer-api"), recorded in the decision
     * @param actor        who asks
     * @return the decision as recorded (promoted or refused)
     */
    public static DecisionRecord promote(Path registry, String model, String candidateRef, GateConfig gate, String gateSource,
            String actor) throws IOException {
        ModelLifecycle lc = new ModelLifecycle(registry);
        int candidate = lc.registry().resolve(model, candidateRef);
        Optional<Integer> production = lc.alias(model, ModelLifecycle.PRODUCTION);
        if (production.isPresent() && production.get() == candidate) {
            throw new LifecycleConflictException("version " + candidate + " of " + model + " is already production");
        }
        Bundle cand = lc.registry().load(model, Integer.toString(candidate));
        Lineage lineage = lc.lineage(model, candidate);
        JobConfig cfg = JobConfig.parseRecorded(JSON.writeValueAsString(lineage.jobConfig()));
        List<String> components = components(gate, cand);
        Bundle prod = null;
        if (production.isPresent()) {
            prod = lc.registry().load(model, Integer.toString(production.get()));
            for (String c : components) {
                if (!prod.manifest().components().containsKey(c)) {
                    throw new IllegalArgumentException("production " + model + "/" + production.get() + " has no component '" + c
                            + "' to compare with; name the gated components in the gate file's 'components'");
                }
            }
        }

        Lexicon lexicon = Seq2SeqJob.loadLexicon(cfg);
        Seq2SeqData data = new Seq2SeqData(lexicon, Splitter.split(lexicon, cfg.splitConfig()));
        String expected = lineage.dataFingerprint().get("split");
        if (expected == null || !expected.equals(data.split.fingerprint())) {
            throw new IllegalStateException("the data no longer reproduces the candidate's test split (fingerprint "
                    + expected + " recorded, " + data.split.fingerprint() + " now): refusing to decide on a different test set");
        }
        int beam = gate.beamWidth() > 0 ? gate.beamWidth() : cfg.train().beamWidth();
        int maxOut = cfg.model().maxOutputLength();
        Map<String, List<WordScore>> candScores = new LinkedHashMap<>();
        Map<String, List<WordScore>> prodScores = prod == null ? null : new LinkedHashMap<>();
        SessionFactory factory = SessionFactory.cpu();
        long start = System.nanoTime();
        for (String c : components) {
            candScores.put(c, score(cand, c, factory, data, beam, maxOut));
            if (prod != null) {
                prodScores.put(c, score(prod, c, factory, data, beam, maxOut));
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Gate.Result result = Gate.evaluate(gate, candScores, prodScores);

        Instant now = Instant.now();
        Map<String, Object> inputs = new LinkedHashMap<>();
        inputs.put("candidateRef", candidateRef);
        inputs.put("gateSource", gateSource);
        inputs.put("gate", gate.toMap());
        inputs.put("components", components);
        Map<String, Object> split = new LinkedHashMap<>();
        split.put("name", SplitName.TEST.key());
        split.put("fingerprint", data.split.fingerprint());
        split.put("testHash", data.split.hash(SplitName.TEST));
        split.put("words", data.split.count(SplitName.TEST));
        split.put("seed", cfg.seed());
        split.put("source", cfg.data().source());
        inputs.put("testSplit", split);
        inputs.put("evaluation", Map.of("engine", "onnxruntime", "search", "beam", "beamWidth", beam,
                "maxOutputLength", maxOut, "seconds", seconds));
        inputs.put("candidateSourceCommit", lineage.sourceCommit());
        if (prod != null) {
            Lineage pl = lc.lineage(model, production.get());
            boolean same = data.split.fingerprint().equals(pl.dataFingerprint().get("split"));
            inputs.put("productionSourceCommit", pl.sourceCommit());
            inputs.put("productionTrainedOnSameSplit", same);
            if (!same) {
                LOG.warnf("production %s/%d was trained on another split (%s); its test numbers on the candidate's split may"
                        + " be optimistic if it saw some of these words in training", model, production.get(),
                        pl.dataFingerprint().get("split"));
            }
        }
        String decision = result.passed() ? DecisionRecord.PROMOTED : DecisionRecord.REFUSED;
        String summary = summary(model, candidate, production.orElse(null), result);
        DecisionRecord d = new DecisionRecord(DecisionRecord.SCHEMA, DecisionRecord.newId(now, DecisionRecord.PROMOTE, candidate),
                DecisionRecord.PROMOTE, decision, model, ModelLifecycle.PRODUCTION, candidate, production.orElse(null), actor,
                now.toString(), inputs, result.candidateMetrics(), result.productionMetrics(), result.bootstrap(),
                result.checks(), summary);
        return lc.commitPromotion(d);
    }

    private static List<WordScore> score(Bundle bundle, String component, SessionFactory factory, Seq2SeqData data, int beam,
            int maxOut) {
        try (Seq2SeqPredictor p = Seq2SeqPredictor.create(bundle, component, factory)) {
            return Evaluation.scoreWords(data, component, p, SplitName.TEST, beam, maxOut);
        }
    }

    private static List<String> components(GateConfig gate, Bundle cand) {
        List<String> out = new ArrayList<>();
        if (gate.components().isEmpty()) {
            cand.manifest().components().forEach((name, spec) -> {
                if (spec.type().equals(ComponentSpec.TYPE_SEQ2SEQ)) {
                    out.add(name);
                }
            });
        } else {
            for (String c : gate.components()) {
                if (!cand.manifest().components().containsKey(c)) {
                    throw new IllegalArgumentException("the gate names component '" + c + "' but candidate " + cand.model() + "/"
                            + cand.version() + " has only " + cand.manifest().components().keySet());
                }
                out.add(c);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("candidate " + cand.model() + "/" + cand.version() + " has no seq2seq component to gate");
        }
        return out;
    }

    static String summary(String model, int candidate, Integer production, Gate.Result r) {
        long failed = r.checks().stream().filter(c -> !c.passed()).count();
        return String.format(Locale.ROOT, "%s %s/%d %s production (was %s): %d of %d gate checks passed%s",
                r.passed() ? "PROMOTED" : "REFUSED", model, candidate, r.passed() ? "to" : "as",
                production == null ? "none" : Integer.toString(production), r.checks().size() - failed, r.checks().size(),
                failed == 0 ? "" : "; failed: " + String.join(", ", r.failed().stream().map(GateCheck::name).toList()));
    }

    /** A readable report of a decision: metrics side by side, every check with its numbers, the outcome. */
    public static String render(DecisionRecord d) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "decision %s%n", d.id()));
        sb.append(String.format(Locale.ROOT, "  model %s, candidate version %d, production version %s, actor %s%n", d.model(),
                d.candidateVersion(), d.productionVersion() == null ? "none" : d.productionVersion(), d.actor()));
        for (Map.Entry<String, Map<String, Object>> e : d.candidateMetrics().entrySet()) {
            Map<String, Object> p = d.productionMetrics() == null ? null : d.productionMetrics().get(e.getKey());
            sb.append(String.format(Locale.ROOT, "  %-4s candidate PER %6.2f%%  WER %6.2f%%", e.getKey(),
                    100 * num(e.getValue().get("per")), 100 * num(e.getValue().get("wer"))));
            if (p != null) {
                sb.append(String.format(Locale.ROOT, " | production PER %6.2f%%  WER %6.2f%%", 100 * num(p.get("per")),
                        100 * num(p.get("wer"))));
            }
            sb.append(String.format(Locale.ROOT, "  (%s words)%n", e.getValue().get("words")));
            PairedBootstrap.Interval ci = d.bootstrap().get(e.getKey());
            if (ci != null) {
                sb.append(String.format(Locale.ROOT, "       PER difference %+.4f, %.0f%% paired bootstrap CI [%+.4f, %+.4f]%n",
                        ci.observed(), 100 * ci.confidence(), ci.lower(), ci.upper()));
            }
        }
        for (GateCheck c : d.checks()) {
            sb.append(String.format(Locale.ROOT, "  [%s] %-28s %s%n", c.passed() ? "pass" : "FAIL", c.name(), c.detail()));
        }
        sb.append("  ").append(d.summary()).append(System.lineSeparator());
        return sb.toString();
    }

    private static double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
