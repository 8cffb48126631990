package io.crossmodal.serving.common.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the Python client check {@code clients/python/client_test.py} (grpcio, code generated from proto/)
 * against a service under test, with Debian's {@code /usr/bin/python3} (not a pyenv / venv python3 that
 * may come first on PATH). Never skips: a missing python, grpc module or protoc fails the test with the
 * packages to install ({@code scripts/test-prereqs.sh}, run by the test command, installs them).
 */
public final class PythonClient {

    public static final Path PYTHON = Path.of("/usr/bin/python3");
    public static final String PACKAGES = "python3-grpcio python3-grpc-tools protobuf-compiler protobuf-compiler-grpc";

    private PythonClient() {
    }

    /** The repository root: the first directory upwards from the working directory holding clients/python. */
    public static Path repoRoot() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("clients/python/client_test.py"))) {
                return d;
            }
        }
        throw new IllegalStateException("no clients/python/client_test.py above " + dir);
    }

    /** Fails the calling test, naming the packages to install, unless /usr/bin/python3 can import grpc. */
    public static void requireGrpcio() throws IOException, InterruptedException {
        assertTrue(Files.isExecutable(PYTHON), () -> PYTHON + " does not exist: apt-get install -y " + PACKAGES
                + " (or run scripts/test-prereqs.sh)");
        Result probe = run(List.of(PYTHON.toString(), "-c", "import grpc"), 60);
        assertEquals(0, probe.exitCode(), () -> PYTHON + " cannot import grpc: apt-get install -y " + PACKAGES
                + " (or run scripts/test-prereqs.sh): " + probe.output().strip());
    }

    public record Result(int exitCode, String output) {
    }

    /**
     * Runs client_test.py with {@code args} (e.g. {@code --encoder localhost:1234 --model tiny}), generating
     * the client code into {@code generated}; asserts that every check passed.
     */
    public static String check(Path generated, long timeoutSeconds, String... args) throws IOException, InterruptedException {
        requireGrpcio();
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(),
                repoRoot().resolve("clients/python/client_test.py").toString(), "--generated", generated.toString()));
        command.addAll(List.of(args));
        Result r = run(command, timeoutSeconds);
        System.out.println("client_test.py " + String.join(" ", args) + ":\n" + r.output());
        assertEquals(0, r.exitCode(), () -> "client_test.py failed (exit " + r.exitCode() + "):\n" + r.output());
        assertTrue(r.output().contains(" passed, 0 failed"), r.output());
        return r.output();
    }

    static Result run(List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
        Path log = Files.createTempFile("python-client-", ".log");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().remove("PYTHONPATH");
            pb.environment().remove("PYTHONHOME");
            pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                fail(String.join(" ", command) + " did not finish within " + timeoutSeconds + " s:\n"
                        + Files.readString(log, StandardCharsets.UTF_8));
            }
            return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
