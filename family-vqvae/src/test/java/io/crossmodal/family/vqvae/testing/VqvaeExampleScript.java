package io.crossmodal.family.vqvae.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code clients/python/vqvae_example.py} as a user would, against a service under test: the caller
 * passes the python (the services' tests use serving-common's {@code PythonClient.PYTHON}, after
 * {@code PythonClient.requireGrpcio()}, which fails rather than skips without grpcio) and the repository root.
 * The client code is generated into {@code target/python-client}; the limit only stops a hung process.
 */
public final class VqvaeExampleScript {

    /** The script's exit code, stdout and stderr (merged). */
    public record Result(int exitCode, String output) {}

    private VqvaeExampleScript() {
    }

    public static Result run(Path python, Path repoRoot, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(python.toString(),
                repoRoot.resolve("clients/python/vqvae_example.py").toString(),
                "--generated", Path.of("target", "python-client").toAbsolutePath().toString()));
        command.addAll(List.of(args));
        Path log = Files.createTempFile("vqvae-example-", ".log");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().remove("PYTHONPATH");
            pb.environment().remove("PYTHONHOME");
            Process p = pb.start();
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("vqvae_example.py did not finish: " + Files.readString(log, StandardCharsets.UTF_8));
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            System.out.println("vqvae_example.py " + String.join(" ", args) + ":\n" + output);
            return new Result(p.exitValue(), output);
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
