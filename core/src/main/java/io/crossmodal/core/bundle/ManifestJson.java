package io.crossmodal.core.bundle;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;

/** (De)serialises manifests; one shared, thread-safe mapper. */
public final class ManifestJson {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private ManifestJson() {
    }

    public static byte[] write(Manifest m) throws IOException {
        return MAPPER.writeValueAsBytes(m);
    }

    public static Manifest read(byte[] json) throws IOException {
        return MAPPER.readValue(json, Manifest.class);
    }
}
