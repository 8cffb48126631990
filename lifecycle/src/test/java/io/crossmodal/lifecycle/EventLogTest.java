package io.crossmodal.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.runtime.bundle.ModelRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventLogTest {

    @TempDir
    Path root;

    @Test
    void appendsInOrderAndReadsBack() {
        EventLog log = new EventLog(root);
        assertEquals(0, log.lastSequence());
        LifecycleEvent a = log.append(EventLog.event(LifecycleEvent.REGISTERED, "g2p", 1, null, null, "test", "r"));
        LifecycleEvent b = log.append(EventLog.event(LifecycleEvent.PROMOTED, "g2p", 1, "production", null, "test", "gate"));
        assertEquals(1, a.sequence());
        assertEquals(2, b.sequence());
        List<LifecycleEvent> all = log.readAfter(0);
        assertEquals(List.of(a, b), all);
        assertEquals(List.of(b), log.readAfter(1));
        assertTrue(new ModelRegistry(root).listModels().isEmpty(), "the log is not a model");
    }

    @Test
    void concurrentWritersGetDistinctSequences() throws Exception {
        EventLog log = new EventLog(root);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<LifecycleEvent>> fs = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            int v = i + 1;
            fs.add(pool.submit(() -> new EventLog(root).append(
                    EventLog.event(LifecycleEvent.REGISTERED, "m", v, null, null, "t", null))));
        }
        Set<Long> seqs = new HashSet<>();
        for (Future<LifecycleEvent> f : fs) {
            seqs.add(f.get().sequence());
        }
        pool.shutdown();
        assertEquals(200, seqs.size());
        assertEquals(200, log.readAfter(0).size());
        assertEquals(200, log.lastSequence());
        try (var s = Files.list(log.dir())) {
            assertEquals(200, s.count(), "no temp files left behind");
        }
    }

    @Test
    void rejectsMalformedEvents() {
        assertThrows(IllegalArgumentException.class,
                () -> EventLog.event("ModelDeleted", "m", 1, null, null, "t", null));
        assertThrows(IllegalArgumentException.class,
                () -> EventLog.event(LifecycleEvent.PROMOTED, "m", 1, null, null, "t", null));
    }

    @Test
    void jsonRoundTripsAndRejectsGarbage() {
        LifecycleEvent e = new EventLog(root).append(
                EventLog.event(LifecycleEvent.ROLLED_BACK, "g2p", 1, "production", 2, "ci", "gate failed"));
        String json = EventLog.toJson(e);
        assertTrue(json.contains("\"type\":\"ModelRolledBack\""), json);
        assertEquals(e, EventLog.fromJson(json));
        assertEquals(e, EventLog.fromJson(json.replace("{", "{\"future\":true,")), "unknown fields are ignored");
        assertThrows(IllegalArgumentException.class, () -> EventLog.fromJson("not json"));
        assertThrows(IllegalArgumentException.class, () -> EventLog.fromJson("{\"type\":\"ModelDeleted\"}"));
        assertThrows(IllegalArgumentException.class, () -> EventLog.fromJson(json.replace("\"production\"", "null")));
    }
}
