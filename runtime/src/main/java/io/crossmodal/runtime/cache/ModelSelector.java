package io.crossmodal.runtime.cache;

import java.util.Objects;

/**
 * Which version of a model a request wants: an exact version, an alias, or the default
 * ({@value ModelCache#DEFAULT_ALIAS} if the model has that alias, otherwise the latest version).
 * Names and values are taken as given, never trimmed ({@code " 1"} is not version 1): callers that read
 * free text (configuration lists) trim it themselves, and the gRPC services reject such values as
 * INVALID_ARGUMENT before they get here.
 */
public record ModelSelector(String model, Kind kind, String value) {

    public enum Kind {
        /** {@value ModelCache#DEFAULT_ALIAS} if present, else the latest version. */
        DEFAULT,
        /** An exact version number. */
        VERSION,
        /** An alias file of the model ({@code latest} also works: the latest version). */
        ALIAS
    }

    public ModelSelector {
        Objects.requireNonNull(kind, "kind");
        model = model == null ? "" : model;
        value = kind == Kind.DEFAULT ? null : (value == null ? "" : value);
    }

    public static ModelSelector defaultOf(String model) {
        return new ModelSelector(model, Kind.DEFAULT, null);
    }

    public static ModelSelector version(String model, String version) {
        return new ModelSelector(model, Kind.VERSION, version);
    }

    public static ModelSelector alias(String model, String alias) {
        return new ModelSelector(model, Kind.ALIAS, alias);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case DEFAULT -> model;
            case VERSION -> model + "/" + value;
            case ALIAS -> model + "@" + value;
        };
    }
}
