package io.crossmodal.lifecycle;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Objects;
import java.util.Set;

/**
 * One change of the model registry, as recorded in its {@link EventLog} and published on the
 * {@code model-lifecycle} topic (schema: docs/LIFECYCLE.md). Consumers must treat events as hints:
 * the registry's alias files are the truth, so a lost, duplicated or reordered event never changes
 * what a consumer ends up serving (it reconciles against the registry).
 *
 * @param schema          schema version of this record, currently 1
 * @param eventId         globally unique id (UUID) of the event; duplicates carry the same id
 * @param sequence        position in the registry's event log, from 1, strictly increasing
 * @param type            {@link #REGISTERED}, {@link #PROMOTED} or {@link #ROLLED_BACK}
 * @param model           model name
 * @param version         the version registered, or the version the alias now points to
 * @param alias           the alias that moved ({@code null} for ModelRegistered)
 * @param previousVersion the version the alias pointed to before ({@code null} if none)
 * @param actor           who or what caused it (user, CI job id, "trainer-api:&lt;principal&gt;")
 * @param reason          free text, e.g. the gate decision id
 * @param at              ISO-8601 instant
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record LifecycleEvent(int schema, String eventId, long sequence, String type, String model, int version,
        String alias, Integer previousVersion, String actor, String reason, String at) {

    public static final int SCHEMA = 1;
    public static final String REGISTERED = "ModelRegistered";
    public static final String PROMOTED = "ModelPromoted";
    public static final String ROLLED_BACK = "ModelRolledBack";
    public static final Set<String> TYPES = Set.of(REGISTERED, PROMOTED, ROLLED_BACK);

    public LifecycleEvent {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(at, "at");
        if (!TYPES.contains(type)) {
            throw new IllegalArgumentException("unknown lifecycle event type '" + type + "', known: " + TYPES);
        }
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1, got " + version);
        }
        if (!type.equals(REGISTERED) && alias == null) {
            throw new IllegalArgumentException(type + " needs an alias");
        }
    }

    /** The same event at another position (the log assigns the sequence when it appends). */
    public LifecycleEvent withSequence(long seq) {
        return new LifecycleEvent(schema, eventId, seq, type, model, version, alias, previousVersion, actor, reason, at);
    }
}
