package io.crossmodal.trainer.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job JVM's class path, from the packaged fast-jar layout as well as from a plain class path. */
class JobProcessTest {

    @Test
    void theFastJarLayoutGivesItsAppAndLibDirectories(@TempDir Path tmp) throws Exception {
        Path app = tmp.resolve("quarkus-app");
        Files.createDirectories(app.resolve("app"));
        Files.createDirectories(app.resolve("lib").resolve("main"));
        Files.createDirectories(app.resolve("lib").resolve("boot"));
        Files.createFile(app.resolve("quarkus-run.jar"));
        Path jar = app.resolve("quarkus-run.jar");
        assertEquals(app, JobProcess.fastJarDir(jar.toString()));
        String saved = System.getProperty("java.class.path");
        try {
            System.setProperty("java.class.path", jar.toString());
            List<String> cp = List.of(JobProcess.classpath(null).split(File.pathSeparator));
            assertEquals(List.of(app.resolve("app") + File.separator + "*",
                    app.resolve("lib").resolve("main") + File.separator + "*",
                    app.resolve("lib").resolve("boot") + File.separator + "*"), cp);
        } finally {
            System.setProperty("java.class.path", saved);
        }
    }

    @Test
    void otherClassPathsAreUsedAsTheyAreAndAConfiguredOneWins() {
        assertNull(JobProcess.fastJarDir("a.jar" + File.pathSeparator + "b.jar"));
        assertNull(JobProcess.fastJarDir("/nowhere/quarkus-run.jar"));
        assertEquals(System.getProperty("java.class.path"), JobProcess.classpath(null));
        assertEquals("/x/*", JobProcess.classpath("/x/*"));
        List<String> cmd = JobProcess.command("cp", "512m", Path.of("/r/job-config.json"), "actor");
        assertTrue(cmd.containsAll(List.of("-Xmx512m", "-XX:+ExitOnOutOfMemoryError", JobProcessMain.class.getName())));
    }
}
