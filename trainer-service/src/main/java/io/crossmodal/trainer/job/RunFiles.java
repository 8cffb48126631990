package io.crossmodal.trainer.job;

import io.crossmodal.runtime.io.Json;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** JSON files of a run directory, written atomically (a crash leaves the previous file or none). */
public final class RunFiles {
    private static final ObjectMapper JSON = Json.MAPPER;

    private RunFiles() {}

    public static void writeJson(Path file, Object value) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), value);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
