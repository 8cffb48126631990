package io.crossmodal.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * The accepted bearer tokens, kept only as SHA-256 digests. A token is checked by hashing it and comparing the
 * digest with every accepted one in constant time ({@link MessageDigest#isEqual}, no early exit), so neither the
 * comparison nor the number of entries tried tells a caller how close a guess was. Entries are tokens or
 * {@code sha256:<64 hex>} digests of them; the file is re-read when its modification time changes (checked at most
 * once per interval), and a file that became unreadable or empty keeps the previous tokens (logged).
 * Tokens are never logged.
 */
public final class TokenStore {

    private static final Logger LOG = Logger.getLogger(TokenStore.class);

    /** Prefix of a hashed entry. */
    public static final String HASHED = "sha256:";
    /** Shortest plain token accepted (a hashed entry cannot be checked). */
    public static final int MIN_TOKEN_LENGTH = 16;

    private final Path file;
    private final List<byte[]> fixed;
    private final long checkIntervalNanos;
    private final LongSupplier clock;
    private volatile List<byte[]> fromFile = List.of();
    private volatile FileTime fileTime;
    private volatile long nextCheck;

    /**
     * @param file    token file, or null
     * @param entries tokens given directly (environment)
     * @throws IllegalArgumentException a malformed entry or an unreadable file (at startup, the service refuses to start)
     */
    public TokenStore(Path file, List<String> entries, Duration checkInterval) {
        this(file, entries, checkInterval, System::nanoTime);
    }

    TokenStore(Path file, List<String> entries, Duration checkInterval, LongSupplier clock) {
        this.file = file;
        this.clock = clock;
        this.checkIntervalNanos = checkInterval.toNanos();
        List<byte[]> f = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            String e = entries.get(i).strip();
            if (!e.isEmpty()) {
                f.add(parse(e, "entry " + (i + 1) + " of crossmodal.auth.tokens"));
            }
        }
        this.fixed = List.copyOf(f);
        if (file != null) {
            try {
                fileTime = Files.getLastModifiedTime(file);
                fromFile = read(file);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read the token file " + file + " (crossmodal.auth.token-file): " + e, e);
            }
            nextCheck = clock.getAsLong() + checkIntervalNanos;
        }
    }

    /** Number of accepted tokens now. */
    public int size() {
        return fixed.size() + fromFile.size();
    }

    /** Whether {@code token} is one of the accepted tokens; constant time in the token's content. */
    public boolean matches(String token) {
        refreshIfDue();
        byte[] digest = sha256(token);
        boolean match = false;
        for (byte[] d : fixed) {
            match |= MessageDigest.isEqual(digest, d);
        }
        for (byte[] d : fromFile) {
            match |= MessageDigest.isEqual(digest, d);
        }
        return match;
    }

    private void refreshIfDue() {
        if (file == null || clock.getAsLong() - nextCheck < 0) {
            return;
        }
        synchronized (this) {
            long now = clock.getAsLong();
            if (now - nextCheck < 0) {
                return;
            }
            nextCheck = now + checkIntervalNanos;
            try {
                FileTime t = Files.getLastModifiedTime(file);
                if (t.equals(fileTime)) {
                    return;
                }
                List<byte[]> read = read(file);
                if (read.isEmpty()) {
                    LOG.warnf("token file %s is now empty; keeping the %d tokens read before", file, fromFile.size());
                    return;
                }
                fromFile = read;
                fileTime = t;
                LOG.infof("token file %s re-read: %d tokens", file, read.size());
            } catch (IOException | IllegalArgumentException | UncheckedIOException e) {
                LOG.warnf("cannot re-read token file %s (%s); keeping the %d tokens read before", file, e.getMessage(),
                        fromFile.size());
            }
        }
    }

    private static List<byte[]> read(Path file) throws IOException {
        List<byte[]> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (!line.isEmpty() && !line.startsWith("#")) {
                out.add(parse(line, "line " + (i + 1) + " of " + file));
            }
        }
        return List.copyOf(out);
    }

    /** The digest an entry stands for; {@code where} names it in errors (never the entry itself). */
    static byte[] parse(String entry, String where) {
        if (entry.regionMatches(true, 0, HASHED, 0, HASHED.length())) {
            String hex = entry.substring(HASHED.length()).strip().toLowerCase(Locale.ROOT);
            if (hex.length() != 64 || !hex.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                throw new IllegalArgumentException(where + ": a hashed token is 'sha256:' and 64 hex digits");
            }
            return HexFormat.of().parseHex(hex);
        }
        if (entry.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
            throw new IllegalArgumentException(where + ": a token has no spaces or control characters");
        }
        if (entry.length() < MIN_TOKEN_LENGTH) {
            throw new IllegalArgumentException(where + ": a token is at least " + MIN_TOKEN_LENGTH
                    + " characters (e.g. openssl rand -hex 32)");
        }
        return sha256(entry);
    }

    /** {@code sha256:<hex>} of a token: the form to put in a token file instead of the token. */
    public static String hashed(String token) {
        return HASHED + HexFormat.of().formatHex(sha256(token));
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
