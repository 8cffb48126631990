package io.crossmodal.lifecycle;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a model version came from, written once at registration as {@code lineage.json} inside the
 * (immutable, checksummed) bundle: source commit, the full job config, the data fingerprint (split
 * and per-split hashes), the metrics of its evaluation report, who registered it and when. Bundles
 * registered before lineage existed get one derived from their manifest ({@code derived = true}).
 *
 * @param schema              schema version, currently 1
 * @param model               model name
 * @param version             version (0 in the draft written into the bundle, filled in when read)
 * @param sourceCommit        git commit of the trainer's source tree ({@code -dirty} suffix if modified), or "unknown"
 * @param jobConfig           the training job config, with defaults filled in
 * @param dataFingerprint     {@code split} fingerprint and per-split hashes of the word lists
 * @param metrics             evaluation metrics (e.g. {@code g2p.test.per}) from the test report
 * @param createdAt           ISO-8601 instant of registration
 * @param registeredBy        actor who registered the version
 * @param registrationEventId id of the ModelRegistered event of this version
 * @param derived             true when reconstructed from the manifest of a bundle without lineage.json
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Lineage(int schema, String model, int version, String sourceCommit, Map<String, Object> jobConfig,
        Map<String, String> dataFingerprint, Map<String, Object> metrics, String createdAt, String registeredBy,
        String registrationEventId, boolean derived) {

    public static final int SCHEMA = 1;
    public static final String FILE_NAME = "lineage.json";

    public Lineage {
        jobConfig = copy(jobConfig);
        dataFingerprint = copy(dataFingerprint);
        metrics = copy(metrics);
    }

    public Lineage withVersion(int v) {
        return new Lineage(schema, model, v, sourceCommit, jobConfig, dataFingerprint, metrics, createdAt, registeredBy,
                registrationEventId, derived);
    }

    private static <V> Map<String, V> copy(Map<String, V> m) {
        return m == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }
}
