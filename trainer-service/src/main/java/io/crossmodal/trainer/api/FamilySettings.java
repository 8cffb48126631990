package io.crossmodal.trainer.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.crossmodal.runtime.io.Json;
import io.crossmodal.trainer.config.JobConfig;
import io.crossmodal.trainer.family.pvae.PvaeConfig;
import io.crossmodal.trainer.family.vqvae.VqvaeConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code JobConfig.family_config_json} of the Trainer API: the family's section of the job config
 * (the CLI's {@code "<family>": {...}}), parsed by the job config's own strict parser, then its sizes
 * checked against the trainer's limits and its file paths against the data directories, as the
 * seq2seq fields are.
 */
final class FamilySettings {
    /** Largest {@code family_config_json}, in bytes (UTF-8). */
    static final int MAX_BYTES = 65_536;

    private FamilySettings() {
    }

    /** {@code cfg} with the family section {@code json} (empty = none), checked. */
    static JobConfig apply(JobConfig cfg, String json, JobLimits limits, LexiconPaths paths) {
        if (json.isEmpty()) {
            return cfg;
        }
        int bytes = json.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            throw new IllegalArgumentException("family_config_json has " + bytes + " bytes, more than " + MAX_BYTES);
        }
        JobConfig out;
        try {
            JsonNode section = Json.STRICT.readTree(json);
            if (section == null || !section.isObject()) {
                throw new IllegalArgumentException("family_config_json must be a JSON object");
            }
            ObjectNode tree = Json.STRICT.valueToTree(cfg);
            tree.set(cfg.family(), section);
            out = JobConfig.parse(Json.STRICT.writeValueAsString(tree));
        } catch (IOException e) {
            throw new IllegalArgumentException("family_config_json is not valid JSON: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("family_config_json: " + e.getMessage(), e);
        }
        if (out.pvae() != null) {
            return pvae(out, limits, paths);
        }
        if (out.vqvae() != null) {
            return vqvae(out, limits, paths);
        }
        return out;
    }

    private static JobConfig pvae(JobConfig cfg, JobLimits l, LexiconPaths paths) {
        PvaeConfig p = cfg.pvae();
        String f = "family_config_json.";
        max(f + "hidden", p.hidden(), l.hiddenSize());
        max(f + "sharedDim", p.sharedDim(), l.embeddingSize());
        max(f + "styleDim", p.styleDim(), l.embeddingSize());
        max(f + "frames", p.frames(), l.maxOutputLength());
        max(f + "epochs", p.epochs(), l.epochs());
        max(f + "batchSize", p.batchSize(), l.batchSize());
        max(f + "threads", p.threads(), l.threads());
        max(f + "pairedPerDigit", p.pairedPerDigit(), l.words());
        max(f + "maxTrainImages", p.maxTrainImages(), l.words());
        max(f + "synthTakes", p.synthTakes(), 100);
        if (p.speechDir() != null) {
            paths.resolveData(f + "speechDir", p.speechDir(), true);
        }
        if (p.mnistPath() != null) {
            paths.resolveData(f + "mnistPath", p.mnistPath(), false);
        }
        return cfg;
    }

    private static JobConfig vqvae(JobConfig cfg, JobLimits l, LexiconPaths paths) {
        VqvaeConfig v = cfg.vqvae();
        String f = "family_config_json.";
        max(f + "channels", v.channels(), l.hiddenSize());
        max(f + "decoderHidden", v.decoderHidden(), l.hiddenSize());
        max(f + "latentDim", v.latentDim(), l.embeddingSize());
        max(f + "speakerDim", v.speakerDim(), l.embeddingSize());
        max(f + "codes", v.codes(), l.hiddenSize());
        max(f + "frames", v.frames(), l.maxOutputLength());
        max(f + "epochs", v.epochs(), l.epochs());
        max(f + "batchSize", v.batchSize(), l.batchSize());
        max(f + "threads", v.threads(), l.threads());
        if (v.speechDir() == null) {
            throw new IllegalArgumentException(f + "speechDir (a spoken-digit directory in FSDD's layout) is required");
        }
        paths.resolveData(f + "speechDir", v.speechDir(), true);
        return cfg;
    }

    private static void max(String field, long value, long limit) {
        if (value > limit) {
            throw new IllegalArgumentException(field + " is " + value + ", more than the trainer's limit of " + limit
                    + " (crossmodal.trainer.limits.*)");
        }
    }

    /** The job's family section as JSON, or empty when it has none. */
    static String json(JobConfig cfg) {
        Object section = cfg.pvae() != null ? cfg.pvae() : cfg.vqvae();
        if (section == null) {
            return "";
        }
        try {
            return Json.STRICT.writeValueAsString(section);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
