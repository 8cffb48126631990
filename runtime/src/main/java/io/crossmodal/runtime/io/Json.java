package io.crossmodal.runtime.io;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The one JSON mapper configuration of the project. Every mapper here comes from {@link #base()},
 * and differs from it only in the two choices that depend on who wrote the file:
 * <ul>
 *   <li>{@link #MAPPER}: files and records this system writes (bundle manifests, lifecycle records,
 *       reports, results). Unknown fields are ignored so that a reader accepts records written by a
 *       newer version (fields are only ever added); written indented.</li>
 *   <li>{@link #STRICT}: files people write (job, study and gate configs). An unknown field is an
 *       error, so a typo is reported instead of silently falling back to a default.</li>
 *   <li>{@link #LINE}: like {@link #MAPPER} but written on one line (the event log, one event per line).</li>
 * </ul>
 * The mappers are thread-safe once configured; never reconfigure them.
 */
public final class Json {
    public static final ObjectMapper MAPPER = base().enable(SerializationFeature.INDENT_OUTPUT).build();
    public static final ObjectMapper STRICT = base().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    public static final ObjectMapper LINE = base().build();

    private Json() {}

    /** The settings every mapper shares; reading is lenient about unknown fields unless a mapper says otherwise. */
    public static JsonMapper.Builder base() {
        return JsonMapper.builder()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }
}
