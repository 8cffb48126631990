package io.crossmodal.lifecycle;

import io.crossmodal.lifecycle.gate.GateCheck;
import io.crossmodal.lifecycle.gate.PairedBootstrap;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The record of one promotion or rollback decision, written under
 * {@code <registry>/<model>/decisions/<id>.json} whether the change happened or not.
 *
 * @param schema            schema version, currently 1
 * @param id                sortable id {@code <UTC time>-<action>-v<version>-<random>}
 * @param action            {@link #PROMOTE} or {@link #ROLLBACK}
 * @param decision          {@link #PROMOTED}, {@link #REFUSED} or {@link #ROLLED_BACK}
 * @param model             model name
 * @param alias             the alias decided on (always {@code production} today)
 * @param candidateVersion  promote: the version considered; rollback: the version production goes back to
 * @param productionVersion the version production pointed to when the decision was taken (null if none)
 * @param actor             who asked for it
 * @param at                ISO-8601 instant of the decision
 * @param inputs            what it was based on: candidate reference as given, gate file and its content, test split fingerprint, ...
 * @param candidateMetrics  metrics of the candidate by component (promote)
 * @param productionMetrics metrics of production on the same words by component (promote with a production)
 * @param bootstrap         paired bootstrap interval of the PER difference by component
 * @param checks            every gate check with its numbers
 * @param summary           one human-readable line
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DecisionRecord(int schema, String id, String action, String decision, String model, String alias,
        Integer candidateVersion, Integer productionVersion, String actor, String at, Map<String, Object> inputs,
        Map<String, Map<String, Object>> candidateMetrics, Map<String, Map<String, Object>> productionMetrics,
        Map<String, PairedBootstrap.Interval> bootstrap, List<GateCheck> checks, String summary) {

    public static final int SCHEMA = 1;
    public static final String PROMOTE = "promote";
    public static final String ROLLBACK = "rollback";
    public static final String PROMOTED = "promoted";
    public static final String REFUSED = "refused";
    public static final String ROLLED_BACK = "rolled-back";
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);

    public DecisionRecord {
        inputs = inputs == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
        candidateMetrics = candidateMetrics == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(candidateMetrics));
        productionMetrics = productionMetrics == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(productionMetrics));
        bootstrap = bootstrap == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(bootstrap));
        checks = checks == null ? List.of() : List.copyOf(checks);
    }

    /** A fresh, time-sortable decision id. */
    public static String newId(Instant at, String action, int version) {
        return ID_TIME.format(at) + "-" + action + "-v" + version + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public boolean changesAlias() {
        return decision.equals(PROMOTED) || decision.equals(ROLLED_BACK);
    }
}
