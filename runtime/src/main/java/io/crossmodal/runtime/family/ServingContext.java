package io.crossmodal.runtime.family;

import io.crossmodal.runtime.onnx.SessionFactory;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a service hands a family when it loads a model: the role it serves, the ONNX Runtime
 * session factory (CPU or CUDA, from the service's configuration), and the service's settings by
 * name ({@code crossmodal.serving.*}): limits such as {@code maxInputLength} are ceilings for what a
 * bundle's {@link io.crossmodal.runtime.bundle.ServingSpec} asks, decoding defaults such as
 * {@code defaultBeamWidth} the fallback when it asks nothing.
 *
 * @param role          the service role ({@code encoder}, {@code decoder})
 * @param sessions      the session factory every graph of the model is loaded with
 * @param soloSessions  a factory of sessions with one intra-op thread, for runs of a single request, or null
 *                      ({@code crossmodal.onnx.solo-sessions}): a family may load its graphs a second time with it,
 *                      because a lone small request runs faster on one thread than split over several that must
 *                      be woken for every operator
 * @param settings      the service's settings by name
 */
public record ServingContext(String role, SessionFactory sessions, SessionFactory soloSessions, Map<String, Object> settings) {

    public ServingContext {
        settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }

    /** A context without solo sessions. */
    public ServingContext(String role, SessionFactory sessions, Map<String, Object> settings) {
        this(role, sessions, null, settings);
    }

    /** A numeric service setting, or {@code fallback} when the service does not set it. */
    public int intSetting(String name, int fallback) {
        Object v = settings.get(name);
        if (v instanceof Number n) {
            return n.intValue();
        }
        return v == null ? fallback : Integer.parseInt(v.toString().trim());
    }

    /** A numeric service setting, or {@code fallback} when the service does not set it. */
    public double doubleSetting(String name, double fallback) {
        Object v = settings.get(name);
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        return v == null ? fallback : Double.parseDouble(v.toString().trim());
    }
}
