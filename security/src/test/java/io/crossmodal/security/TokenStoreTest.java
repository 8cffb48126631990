package io.crossmodal.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenStoreTest {

    static final String A = "a-token-of-enough-length-1";
    static final String B = "b-token-of-enough-length-2";

    @Test
    void plainAndHashedEntriesFromFileAndEnvironment(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("tokens");
        Files.writeString(f, "# comment\n\n" + TokenStore.hashed(A) + "\n");
        TokenStore s = new TokenStore(f, List.of(B), Duration.ofSeconds(10));
        assertEquals(2, s.size());
        assertTrue(s.matches(A));
        assertTrue(s.matches(B));
        assertFalse(s.matches(A + "x"));
        assertFalse(s.matches(""));
        assertFalse(s.matches(TokenStore.hashed(A)), "the hash itself is not a token");
    }

    @Test
    void fileIsReReadWhenItChanges(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("tokens");
        Files.writeString(f, A + "\n");
        AtomicLong now = new AtomicLong();
        TokenStore s = new TokenStore(f, List.of(), Duration.ofSeconds(10), now::get);
        Files.writeString(f, B + "\n");
        Files.setLastModifiedTime(f, FileTime.fromMillis(System.currentTimeMillis() + 5000));
        assertTrue(s.matches(A), "not re-read before the interval");
        now.addAndGet(Duration.ofSeconds(11).toNanos());
        assertTrue(s.matches(B));
        assertFalse(s.matches(A));
        Files.writeString(f, "");
        Files.setLastModifiedTime(f, FileTime.fromMillis(System.currentTimeMillis() + 9000));
        now.addAndGet(Duration.ofSeconds(11).toNanos());
        assertTrue(s.matches(B), "an emptied file keeps the previous tokens");
    }

    @Test
    void malformedEntriesAreRejectedWithoutEchoingThem(@TempDir Path dir) throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TokenStore(null, List.of("short-secret"), Duration.ofSeconds(1)));
        assertFalse(e.getMessage().contains("short-secret"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new TokenStore(null, List.of("sha256:abc"), Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class,
                () -> new TokenStore(null, List.of("has a space in the token"), Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class,
                () -> new TokenStore(dir.resolve("missing"), List.of(), Duration.ofSeconds(1)));
    }
}
