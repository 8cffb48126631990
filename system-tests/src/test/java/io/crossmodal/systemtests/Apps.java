package io.crossmodal.systemtests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The packaged applications and the processes one test starts from them: a fresh work directory per test, every
 * process stopped after the test (whatever its outcome), and every process's output printed when the test failed.
 */
final class Apps implements BeforeEachCallback, AfterEachCallback {
    private final List<AppProcess> started = new ArrayList<>();
    private Path workDir;

    /** The repository root (k8s/, configs/). */
    static Path repoRoot() {
        return Path.of(required("crossmodal.repo.root")).toAbsolutePath().normalize();
    }

    /**
     * {@code <module>/target/quarkus-app} of a service, as packaged by the reactor before this module. A missing
     * one is a failure, not a skip: these tests exist to run the artifact that ships.
     */
    static Path quarkusApp(String service) {
        Path dir = Path.of(required("crossmodal." + service + ".app")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(dir.resolve("quarkus-run.jar"))) {
            throw new AssertionError(dir.resolve("quarkus-run.jar") + " does not exist: package the services first, e.g. "
                    + "./mvnw -B -ntp verify -pl system-tests -am (the system tests run the packaged jars)");
        }
        return dir;
    }

    private static String required(String property) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            throw new AssertionError("system property " + property + " is not set (the module's surefire configuration sets it)");
        }
        return v;
    }

    /** The java launcher of the JVM running the tests (a JDK 17, as the images' JRE). */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** This test's own directory under target/system-tests (registries, run dirs, logs). */
    Path workDir() {
        return workDir;
    }

    AppProcess start(String name, List<String> command, Map<String, String> env, Path cwd) {
        AppProcess p = AppProcess.start(name, command, env, cwd, workDir.resolve("logs"));
        synchronized (started) {
            started.add(p);
        }
        return p;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        Path base = Path.of(required("crossmodal.work.dir"));
        String name = context.getRequiredTestClass().getSimpleName() + "-" + context.getRequiredTestMethod().getName();
        try {
            Files.createDirectories(base);
            workDir = Files.createTempDirectory(base.toAbsolutePath(), name + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        List<AppProcess> all;
        synchronized (started) {
            all = new ArrayList<>(started);
            started.clear();
        }
        // stop them all, in parallel (each may take a graceful shutdown), before anything else can fail
        all.parallelStream().forEach(AppProcess::close);
        if (context.getExecutionException().isPresent()) {
            for (AppProcess p : all) {
                System.err.printf("%n===== output of %s (%s) =====%n%s===== end of %s =====%n", p.name, p.logFile, p.output(), p.name);
            }
        }
    }
}
