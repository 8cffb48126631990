package io.crossmodal.runtime.bundle;

import io.crossmodal.runtime.io.Json;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/** (De)serialises manifests; one shared, thread-safe mapper. */
public final class ManifestJson {

    private static final ObjectMapper MAPPER = Json.MAPPER;

    private ManifestJson() {
    }

    public static byte[] write(Manifest m) throws IOException {
        return MAPPER.writeValueAsBytes(m);
    }

    public static Manifest read(byte[] json) throws IOException {
        return MAPPER.readValue(json, Manifest.class);
    }
}
