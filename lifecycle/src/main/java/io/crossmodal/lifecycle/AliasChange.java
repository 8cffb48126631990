package io.crossmodal.lifecycle;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * One move of an alias, as kept in {@code <registry>/<model>/alias-history.json}.
 *
 * @param seq             position in the model's alias history, from 1
 * @param alias           the alias that moved ({@code candidate}, {@code production}, ...)
 * @param version         the version it points to after the change
 * @param previousVersion the version before ({@code null} if the alias did not exist)
 * @param action          {@link #REGISTER} (candidate moved to a new version), {@link #PROMOTE} or {@link #ROLLBACK}
 * @param decisionId      the decision record behind the change ({@code null} for registrations)
 * @param eventId         id of the lifecycle event that announces the change
 * @param actor           who made the change
 * @param at              ISO-8601 instant
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AliasChange(long seq, String alias, int version, Integer previousVersion, String action,
        String decisionId, String eventId, String actor, String at) {
    public static final String REGISTER = "register";
    public static final String PROMOTE = "promote";
    public static final String ROLLBACK = "rollback";
}
