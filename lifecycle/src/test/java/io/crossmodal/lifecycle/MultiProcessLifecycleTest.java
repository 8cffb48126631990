package io.crossmodal.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three JVMs register and promote on one registry at the same time (the OS file lock is what
 * serialises them here; within one JVM the JVM lock would hide it): versions stay distinct, every
 * promotion's recorded previous version is the one it replaced, and the event log matches.
 */
class MultiProcessLifecycleTest {

    @TempDir
    Path root;

    @Test
    void parallelProcessesKeepVersionsHistoryAndEventsConsistent() throws Exception {
        int processes = 3;
        int each = 4;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Process> running = new ArrayList<>();
        for (int p = 0; p < processes; p++) {
            running.add(new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    RegistryWorker.class.getName(), root.toString(), Integer.toString(p), Integer.toString(each))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start());
        }
        int promoted = 0;
        for (Process p : running) {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
            for (String line : out.split("\n")) {
                if (line.startsWith("promoted ")) {
                    promoted++;
                }
            }
        }
        int n = processes * each;
        ModelLifecycle lc = new ModelLifecycle(root);
        assertEquals(IntStream.rangeClosed(1, n).boxed().toList(), lc.registry().listVersions("m"));
        assertEquals(n, lc.alias("m", ModelLifecycle.CANDIDATE).orElseThrow());

        List<AliasChange> prod = lc.aliasHistory("m").stream().filter(c -> c.alias().equals(ModelLifecycle.PRODUCTION)).toList();
        assertEquals(promoted, prod.size());
        Integer previous = null;
        for (AliasChange c : prod) {
            assertEquals(previous, c.previousVersion(), "each promotion replaced exactly the version before it: " + prod);
            previous = c.version();
        }
        assertEquals(previous, lc.alias("m", ModelLifecycle.PRODUCTION).orElseThrow());

        List<LifecycleEvent> events = lc.events().readAfter(0);
        assertEquals(n, events.stream().filter(e -> e.type().equals(LifecycleEvent.REGISTERED)).count());
        assertEquals(promoted, events.stream().filter(e -> e.type().equals(LifecycleEvent.PROMOTED)).count());
        Set<String> ids = new HashSet<>();
        events.forEach(e -> ids.add(e.eventId()));
        assertEquals(events.size(), ids.size(), "no event twice");
        assertEquals(LongRange.of(events.size()), events.stream().map(LifecycleEvent::sequence).toList());
        assertEquals(promoted, lc.decisions("m").size());
    }

    private static final class LongRange {
        static List<Long> of(int n) {
            return java.util.stream.LongStream.rangeClosed(1, n).boxed().toList();
        }
    }
}
