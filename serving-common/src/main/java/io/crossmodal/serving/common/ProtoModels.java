package io.crossmodal.serving.common;

import com.google.protobuf.Timestamp;
import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.ComponentSpec;
import io.crossmodal.runtime.bundle.Manifest;
import io.crossmodal.runtime.bundle.ModelRegistry;
import io.crossmodal.runtime.cache.ModelCatalog;
import io.crossmodal.runtime.cache.ModelSelector;
import io.crossmodal.proto.common.v1.ModelInfoResponse;
import io.crossmodal.proto.common.v1.ModelRef;
import io.crossmodal.proto.common.v1.ModelVersion;
import io.crossmodal.proto.common.v1.Vocabulary;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Conversions between core's registry / bundle types and the common.v1 messages. */
public final class ProtoModels {

    private ProtoModels() {
    }

    /**
     * The selector a ModelRef asks for. INVALID_ARGUMENT, naming the field, if it names no model, a name
     * the registry's rules rule out, or a version not written as a version number (" 1", "01", "one"):
     * such a request is malformed, so it must not be reported as a missing model (NOT_FOUND). The values
     * are taken as sent, never trimmed: an alias " production" is not the alias "production" and resolves
     * to NOT_FOUND, as any alias that does not exist (common.proto).
     */
    public static ModelSelector selector(boolean hasModel, ModelRef ref) {
        if (!hasModel || ref.getName().isBlank()) {
            throw GrpcErrors.invalid("model.name is required");
        }
        if (!ModelRegistry.isValidModelName(ref.getName())) {
            throw GrpcErrors.invalid("model.name '" + shown(ref.getName()) + "' is not a valid model name: "
                    + ModelRegistry.modelNameRule());
        }
        if (ref.getSelectorCase() == ModelRef.SelectorCase.VERSION && !ModelRegistry.isVersionNumber(ref.getVersion())) {
            throw GrpcErrors.invalid("model.version '" + shown(ref.getVersion())
                    + "' is not a version number: a positive decimal integer of at most 9 digits, without sign,"
                    + " spaces or leading zeros");
        }
        return switch (ref.getSelectorCase()) {
            case VERSION -> ModelSelector.version(ref.getName(), ref.getVersion());
            case ALIAS -> ModelSelector.alias(ref.getName(), ref.getAlias());
            case SELECTOR_NOT_SET -> ModelSelector.defaultOf(ref.getName());
        };
    }

    /** A caller's value for an error message: at most 64 characters, control characters escaped. */
    private static String shown(String value) {
        String cut = value.length() > 64 ? value.substring(0, 64) + "... (" + value.length() + " chars)" : value;
        StringBuilder b = new StringBuilder(cut.length());
        cut.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) {
                b.append(String.format("\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }

    public static ModelVersion version(String model, int version, Optional<Manifest> manifest, List<String> aliases) {
        ModelVersion.Builder b = ModelVersion.newBuilder().setName(model).setVersion(Integer.toString(version))
                .addAllAliases(aliases);
        manifest.ifPresent(m -> {
            if (m.family() != null) {
                b.setFamily(m.family());
            }
            timestamp(m.createdAt()).ifPresent(b::setCreatedAt);
            flattenMetrics("", m.metrics(), b);
            b.addAllComponents(m.components().keySet());
        });
        return b.build();
    }

    public static ModelVersion version(ModelCatalog.VersionSummary v) {
        return version(v.model(), v.version(), v.manifest(), v.aliases());
    }

    /** ModelInfo of a loaded bundle for the given component. */
    public static ModelInfoResponse info(String requestId, Bundle bundle, String component, List<ModelCatalog.VersionSummary> versions,
            Map<String, Integer> aliases, String provider, int deviceId) {
        List<String> resolvedAliases = aliases.entrySet().stream()
                .filter(a -> a.getValue() == bundle.version()).map(Map.Entry::getKey).toList();
        ComponentSpec spec = bundle.component(component);
        ModelInfoResponse.Builder b = ModelInfoResponse.newBuilder()
                .setRequestId(requestId)
                .setResolved(version(bundle.model(), bundle.version(), Optional.of(bundle.manifest()), resolvedAliases))
                .setComponent(component)
                .setExecutionProvider(provider)
                .setDeviceId(deviceId);
        versions.forEach(v -> b.addVersions(version(v)));
        aliases.forEach((alias, v) -> b.putAliases(alias, Integer.toString(v)));
        if (spec.sourceVocabulary() != null) {
            b.setSourceVocabulary(vocabulary(spec.sourceVocabulary(), bundle.vocabulary(spec.sourceVocabulary())));
        }
        if (spec.targetVocabulary() != null) {
            b.setTargetVocabulary(vocabulary(spec.targetVocabulary(), bundle.vocabulary(spec.targetVocabulary())));
        }
        return b.build();
    }

    public static Vocabulary vocabulary(String name, List<String> symbols) {
        return Vocabulary.newBuilder().setName(name).addAllSymbols(symbols).build();
    }

    private static Optional<Timestamp> timestamp(String iso) {
        if (iso == null || iso.isBlank()) {
            return Optional.empty();
        }
        try {
            Instant t = Instant.parse(iso);
            return Optional.of(Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** Numeric metrics, nested maps flattened with "." (non-numeric values are skipped). */
    private static void flattenMetrics(String prefix, Map<String, ?> metrics, ModelVersion.Builder b) {
        metrics.forEach((k, v) -> {
            String key = prefix.isEmpty() ? k : prefix + "." + k;
            if (v instanceof Number n) {
                b.putMetrics(key, n.doubleValue());
            } else if (v instanceof Map<?, ?> m) {
                @SuppressWarnings("unchecked")
                Map<String, ?> nested = (Map<String, ?>) m;
                flattenMetrics(key, nested, b);
            }
        });
    }
}
