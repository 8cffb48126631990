package io.crossmodal.trainer.api;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Remembers the outcome of Promote and Rollback calls by idempotency key, so a client's retry of a call that
 * timed out returns the first call's response (or error status) instead of acting again. One file per key
 * under {@code <runs-dir>/.idempotency/} ({@code <method>-<sha256(key)>}: the request's fingerprint, then the
 * outcome), so keys survive a restart; files older than the retention are deleted. Calls with the same key
 * are serialised (striped locks), so two concurrent retries act once.
 */
final class IdempotencyStore {
    private static final Logger LOG = Logger.getLogger(IdempotencyStore.class);
    private static final int OK = 0;

    @FunctionalInterface
    interface Action<T> {
        T run() throws Exception;
    }

    private final Path dir;
    private final Duration retention;
    private final Object[] locks = new Object[64];
    private volatile Instant lastPrune = Instant.EPOCH;

    IdempotencyStore(Path dir, Duration retention) {
        this.dir = dir;
        this.retention = retention;
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
    }

    /** SHA-256 of a request without its request id and key: what "the same request" means. */
    static String fingerprint(Message requestWithoutIds) {
        return hex(requestWithoutIds.toByteArray());
    }

    /**
     * The remembered outcome for {@code key}, or the outcome of {@code action} (remembered when it is a response
     * or a status the caller chose: not INTERNAL/UNKNOWN/UNAVAILABLE, which a retry should try again).
     */
    <T extends Message> T call(String method, String key, String fingerprint, Parser<T> parser, Action<T> action)
            throws Exception {
        if (key.isEmpty()) {
            return action.run();
        }
        Instant now = Instant.now();
        if (lastPrune.isBefore(now.minus(Duration.ofHours(1)))) {
            lastPrune = now;
            prune(now);
        }
        String name = method + "-" + hex(key.getBytes(StandardCharsets.UTF_8));
        Path file = dir.resolve(name);
        synchronized (locks[Math.floorMod(name.hashCode(), locks.length)]) {
            if (Files.isRegularFile(file)) {
                return replay(file, fingerprint, parser);
            }
            T result;
            try {
                result = action.run();
            } catch (StatusRuntimeException e) {
                remember(file, fingerprint, e.getStatus().getCode().value(), e.getStatus().getDescription(), null, e);
                throw e;
            } catch (Exception e) {
                Status s = TrainerGrpcService.status(e);
                remember(file, fingerprint, s.getCode().value(), s.getDescription(), null, e);
                throw e;
            }
            remember(file, fingerprint, OK, null, result.toByteArray(), null);
            return result;
        }
    }

    private <T extends Message> T replay(Path file, String fingerprint, Parser<T> parser) throws IOException {
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
            String stored = in.readUTF();
            if (!stored.equals(fingerprint)) {
                throw Status.FAILED_PRECONDITION.withDescription("idempotency_key was already used for a different request")
                        .asRuntimeException();
            }
            int code = in.readInt();
            if (code != OK) {
                String description = in.readUTF();
                throw Status.fromCodeValue(code).withDescription(description.isEmpty() ? null : description)
                        .asRuntimeException();
            }
            byte[] body = in.readAllBytes();
            try {
                return parser.parseFrom(body);
            } catch (InvalidProtocolBufferException e) {
                throw new IOException("unreadable idempotency record " + file, e);
            }
        }
    }

    private void remember(Path file, String fingerprint, int code, String description, byte[] body, Exception cause)
            throws IOException {
        if (code == Status.Code.INTERNAL.value() || code == Status.Code.UNKNOWN.value()
                || code == Status.Code.UNAVAILABLE.value()) {
            return; // not an answer: a retry should run again
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(fingerprint);
            out.writeInt(code);
            if (code == OK) {
                out.write(body);
            } else {
                out.writeUTF(CallerInput.cut(description, 2000));
            }
        }
        Files.createDirectories(dir);
        Path tmp = dir.resolve(file.getFileName() + ".tmp-" + UUID.randomUUID());
        Files.write(tmp, bytes.toByteArray());
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Deletes records older than the retention. */
    void prune(Instant now) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                if (Files.getLastModifiedTime(f).toInstant().isBefore(now.minus(retention))) {
                    Files.deleteIfExists(f);
                }
            }
        } catch (IOException e) {
            LOG.warnf("pruning idempotency records in %s failed: %s", dir, e.getMessage());
        }
    }

    private static String hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
