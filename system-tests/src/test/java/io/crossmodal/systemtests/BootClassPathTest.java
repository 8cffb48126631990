package io.crossmodal.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The artifacts a service's application.properties makes parent-first ({@code quarkus.class-loading
 * .parent-first-artifacts} as the packaged build reads it) land in {@code lib/boot}, on the system class path,
 * where classes of {@code lib/main} are invisible: every class they reference must resolve in {@code lib/boot} or
 * the JDK. That was the trainer's packaged-jar failure (DJL's API in lib/boot, slf4j-api in lib/main); jdeps finds
 * such a reference statically in seconds, for every class, including code paths the process tests do not reach.
 */
class BootClassPathTest {
    private static final String KEY = "quarkus.class-loading.parent-first-artifacts";

    @ParameterizedTest
    @ValueSource(strings = {"trainer", "decoder", "encoder"})
    void parentFirstArtifactsFindTheirDependenciesInLibBoot(String service) throws IOException {
        Path boot = Apps.quarkusApp(service).resolve("lib/boot");
        Properties props = ContainerFs.applicationProperties(service + "-service");
        // the packaged build runs in the prod profile: %prod.<key>, else <key>
        String configured = props.getProperty("%prod." + KEY, props.getProperty(KEY, ""));
        List<Path> checked = new ArrayList<>();
        List<Path> bootJars;
        try (Stream<Path> s = Files.list(boot)) {
            bootJars = s.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        }
        for (String ga : Arrays.stream(configured.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList()) {
            // fast-jar names a library <groupId>.<artifactId>-<version>.jar
            String prefix = ga.replace(':', '.') + "-";
            List<Path> jars = bootJars.stream().filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
            assertEquals(1, jars.size(), () -> ga + " is configured parent-first but lib/boot has " + jars + ": " + bootJars);
            checked.add(jars.get(0));
        }
        for (Path jar : checked) {
            String classPath = String.join(java.io.File.pathSeparator,
                    bootJars.stream().filter(p -> !p.equals(jar)).map(Path::toString).toList());
            String missing = jdeps("--multi-release", "17", "--missing-deps", "-cp", classPath, jar.toString());
            assertTrue(missing.isBlank(), () -> service + ": " + jar.getFileName() + " (lib/boot) references classes that are not in "
                    + "lib/boot or the JDK, so the packaged application fails when it reaches them:\n" + missing);
        }
        System.out.printf("%s: parent-first artifacts checked: %s%n", service, checked.stream().map(Path::getFileName).toList());
    }

    /** The check above can fail: DJL's API, had it stayed parent-first, would be reported for slf4j (and more). */
    @org.junit.jupiter.api.Test
    void theCheckReportsDjlWithoutItsDependencies() throws IOException {
        Path app = Apps.quarkusApp("trainer");
        Path djlApi;
        try (Stream<Path> s = Files.list(app.resolve("lib/main"))) {
            djlApi = s.filter(p -> p.getFileName().toString().startsWith("ai.djl.api-")).findFirst()
                    .orElseThrow(() -> new AssertionError("ai.djl.api not in the trainer's lib/main"));
        }
        String classPath;
        try (Stream<Path> s = Files.list(app.resolve("lib/boot"))) {
            classPath = String.join(java.io.File.pathSeparator, s.map(Path::toString).toList());
        }
        String missing = jdeps("--multi-release", "17", "--missing-deps", "-cp", classPath, djlApi.toString());
        assertTrue(missing.contains("org.slf4j.LoggerFactory"), missing);
        assertTrue(missing.contains("com.sun.jna.Native"), missing);
    }

    private static String jdeps(String... args) {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError("jdeps not found: run the tests on a JDK"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = jdeps.run(new PrintWriter(out), new PrintWriter(err), args);
        assertEquals(0, rc, () -> "jdeps " + String.join(" ", args) + " failed: " + err + out);
        return out.toString();
    }
}
