package io.crossmodal.serving.common.testing;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.crossmodal.proto.common.v1.ModelRef;
import io.crossmodal.runtime.bundle.ModelRegistry;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A seeded, time-bounded storm of hostile requests against a service over real gRPC, for the services'
 * robustness tests. A {@link Generator} turns a per-request {@link Random} into a {@link Case}: how to send
 * it (typed stubs, or raw bytes through {@link #rawMethod}) and which status codes are acceptable.
 * Request {@code i} draws from its own seed ({@code seed}, {@code i}), so a failure names the index that
 * reproduces it whatever the thread interleaving. Helpers build hostile values: random and invalid-UTF-8
 * strings, absurd numbers, raw protobuf bytes ({@link Proto}).
 */
public final class HostileTraffic {

    /** Codes a well-behaved service may answer hostile input with (OK only where a case allows it). */
    public static final Set<Status.Code> REJECTIONS = Collections.unmodifiableSet(EnumSet.of(Status.Code.INVALID_ARGUMENT,
            Status.Code.NOT_FOUND, Status.Code.FAILED_PRECONDITION, Status.Code.OUT_OF_RANGE,
            Status.Code.RESOURCE_EXHAUSTED));

    private HostileTraffic() {
    }

    /** Sends one request; returns normally when the call succeeded. */
    @FunctionalInterface
    public interface Send {
        void send(Channel channel, CallOptions options);
    }

    /**
     * One hostile request.
     *
     * @param kind a short category name (for the summary)
     * @param description what was sent, for failure messages
     * @param expected the acceptable status codes (OK included where the request may be valid)
     */
    public record Case(String kind, String description, Set<Status.Code> expected, Send send) {
    }

    @FunctionalInterface
    public interface Generator {
        Case next(Random random, int index);
    }

    /** What a run saw. */
    public record Result(int sent, int hostile, Map<Status.Code, Integer> codes, Map<String, Integer> kinds,
            Map<String, Long> kindMillis, List<String> violations, long elapsedMillis) {

        public String summary() {
            return sent + " requests (" + hostile + " hostile) in " + elapsedMillis + " ms; codes " + codes
                    + "; kinds (count, total ms) "
                    + kinds.keySet().stream().map(k -> k + "=" + kinds.get(k) + "/" + kindMillis.get(k)).toList();
        }
    }

    /** The {@code Random} of request {@code index} of a run seeded {@code seed}. */
    public static Random random(long seed, int index) {
        return new Random(new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (index + 1))).nextLong());
    }

    /**
     * Sends {@code count} requests from {@code threads} threads, each with {@code callDeadline}; stops early
     * (and reports it as a violation) when {@code budget} runs out.
     */
    public static Result run(Channel channel, Generator generator, long seed, int count, int threads, Duration budget,
            Duration callDeadline) throws InterruptedException {
        long start = System.nanoTime();
        long end = start + budget.toNanos();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger sent = new AtomicInteger();
        AtomicInteger hostile = new AtomicInteger();
        Map<Status.Code, Integer> codes = Collections.synchronizedMap(new EnumMap<>(Status.Code.class));
        Map<String, Integer> kinds = Collections.synchronizedMap(new TreeMap<>());
        Map<String, Long> kindMillis = Collections.synchronizedMap(new TreeMap<>());
        List<String> violations = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                    if (System.nanoTime() > end) {
                        violations.add("time budget of " + budget + " exhausted after " + sent.get() + " requests");
                        return;
                    }
                    Case c = generator.next(random(seed, i), i);
                    Status.Code code;
                    String message = null;
                    long t0 = System.nanoTime();
                    try {
                        c.send().send(channel, CallOptions.DEFAULT.withDeadlineAfter(callDeadline.toMillis(),
                                TimeUnit.MILLISECONDS));
                        code = Status.Code.OK;
                    } catch (StatusRuntimeException e) {
                        code = e.getStatus().getCode();
                        message = e.getStatus().getDescription();
                    } catch (RuntimeException e) {
                        code = Status.Code.UNKNOWN;
                        message = "client-side " + e;
                    }
                    sent.incrementAndGet();
                    if (!c.expected().equals(Set.of(Status.Code.OK))) {
                        hostile.incrementAndGet();
                    }
                    codes.merge(code, 1, Integer::sum);
                    kinds.merge(c.kind(), 1, Integer::sum);
                    kindMillis.merge(c.kind(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), Long::sum);
                    if (!c.expected().contains(code)) {
                        violations.add("request " + i + " (seed " + seed + ", " + c.kind() + ": " + c.description()
                                + "): got " + code + (message == null ? "" : " '" + abbreviate(message, 300) + "'")
                                + ", expected one of " + c.expected());
                    }
                }
            }));
        }
        pool.shutdown();
        long waitMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())) + callDeadline.toMillis() + 1000;
        if (!pool.awaitTermination(waitMillis, TimeUnit.MILLISECONDS)) {
            pool.shutdownNow();
            violations.add("workers did not finish within the time budget");
        }
        for (Future<?> w : workers) {
            if (w.isDone()) {
                try {
                    w.get();
                } catch (Exception e) {
                    violations.add("worker failed: " + e);
                }
            }
        }
        return new Result(sent.get(), hostile.get(), new EnumMap<>(codes), new TreeMap<>(kinds), new TreeMap<>(kindMillis),
                List.copyOf(violations),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    // --- sending raw bytes ----------------------------------------------------------------------------------

    /** The method {@code typed} (same full name) with byte-array requests and responses, to send arbitrary bytes. */
    public static MethodDescriptor<byte[], byte[]> rawMethod(MethodDescriptor<?, ?> typed) {
        return MethodDescriptor.<byte[], byte[]>newBuilder().setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(typed.getFullMethodName()).setRequestMarshaller(BYTES).setResponseMarshaller(BYTES)
                .build();
    }

    /** Sends {@code bytes} as the request of the unary {@code method}. */
    public static Send raw(MethodDescriptor<byte[], byte[]> method, byte[] bytes) {
        return (channel, options) -> ClientCalls.blockingUnaryCall(channel, method, options, bytes);
    }

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    /** Writes protobuf wire format field by field, including what a generated builder never writes. */
    public static final class Proto {

        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final CodedOutputStream out = CodedOutputStream.newInstance(bytes);

        public Proto bytes(int field, byte[] value) {
            try {
                out.writeByteArray(field, value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        public Proto string(int field, String value) {
            return bytes(field, value.getBytes(StandardCharsets.UTF_8));
        }

        public Proto message(int field, Proto value) {
            return bytes(field, value.build());
        }

        public Proto varint(int field, long value) {
            try {
                out.writeUInt64(field, value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        public Proto fixed32(int field, int value) {
            try {
                out.writeFixed32(field, value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        public Proto fixed64(int field, long value) {
            try {
                out.writeFixed64(field, value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        /** Bytes appended as they are (e.g. a broken tag or a truncated field). */
        public Proto verbatim(byte[] value) {
            try {
                out.writeRawBytes(value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        public byte[] build() {
            try {
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return bytes.toByteArray();
        }

        public ByteString toByteString() {
            return ByteString.copyFrom(build());
        }
    }

    /**
     * Random unknown fields (field numbers 1000..100000, every wire type but groups), which a parser must
     * skip: appended to a valid message, the request stays valid.
     */
    public static byte[] unknownFields(Random r) {
        Proto p = new Proto();
        int n = 1 + r.nextInt(4);
        for (int i = 0; i < n; i++) {
            int field = 1000 + r.nextInt(99_000);
            switch (r.nextInt(4)) {
                case 0 -> p.varint(field, r.nextLong());
                case 1 -> p.fixed32(field, r.nextInt());
                case 2 -> p.fixed64(field, r.nextLong());
                default -> p.bytes(field, randomBytes(r, r.nextInt(64)));
            }
        }
        return p.build();
    }

    // --- hostile values -------------------------------------------------------------------------------------

    /** Byte sequences that are not UTF-8 (stray continuation, overlong, surrogate, beyond U+10FFFF, truncated, 0xFF). */
    static final byte[][] INVALID_UTF8 = {
        {(byte) 0x80}, {(byte) 0xBF}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xC1, (byte) 0xBF},
        {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
        {(byte) 0xED, (byte) 0xBF, (byte) 0xBF}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
        {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0xE2, (byte) 0x82},
        {(byte) 0xFF}, {(byte) 0xFE}, {(byte) 0xC3},
    };

    /** Some valid text around at least one invalid UTF-8 sequence. */
    public static byte[] invalidUtf8(Random r) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(randomString(r, r.nextInt(4)).getBytes(StandardCharsets.UTF_8));
        int bad = 1 + r.nextInt(3);
        for (int i = 0; i < bad; i++) {
            b.writeBytes(INVALID_UTF8[r.nextInt(INVALID_UTF8.length)]);
            // an ASCII byte after each bad sequence, so that two of them never combine into a valid character
            b.write('a' + r.nextInt(26));
            b.writeBytes(randomString(r, r.nextInt(3)).getBytes(StandardCharsets.UTF_8));
        }
        return b.toByteArray();
    }

    private static final String[] NASTY = {"", " ", "\u0000", "\t\n", "../", "../../etc/passwd", "%s%n%x", "${jndi:x}",
        "'; DROP TABLE", "\u202E", "\uFEFF", "\uD83D\uDE00", "\u00E9", "e\u0301", "\uFFFF", "<s>", "</s>", "<pad>",
        "<unk>", "latest", "production", ".", "..", "-", "_", "A".repeat(300), "0", "-1", "1e9", "NaN"};

    /** A short random string: ASCII, control characters, non-ASCII letters, emoji, or a known nasty value. */
    public static String randomString(Random r, int maxLength) {
        if (r.nextInt(4) == 0) {
            return NASTY[r.nextInt(NASTY.length)];
        }
        int n = maxLength <= 0 ? 0 : r.nextInt(maxLength + 1);
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            switch (r.nextInt(6)) {
                case 0 -> s.append((char) (r.nextInt(32)));
                case 1 -> s.append((char) (0x00A0 + r.nextInt(0x2000)));
                case 2 -> s.appendCodePoint(0x1F300 + r.nextInt(0x300));
                default -> s.append((char) (33 + r.nextInt(94)));
            }
        }
        return s.toString();
    }

    public static byte[] randomBytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    /** An int from the edges: negative, zero, huge, the extremes. */
    public static int absurdInt(Random r) {
        int[] edges = {Integer.MIN_VALUE, -1_000_000, -2, -1, 0, 65, 201, 10_000, 1 << 20, Integer.MAX_VALUE};
        return r.nextBoolean() ? edges[r.nextInt(edges.length)] : (r.nextBoolean() ? -r.nextInt(Integer.MAX_VALUE) - 1
                : 1_000 + r.nextInt(Integer.MAX_VALUE - 1_000));
    }

    /** A float that no temperature may be: NaN, infinities, zero, negative, huge, subnormal-negative. */
    public static float absurdTemperature(Random r) {
        float[] bad = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, -1f, -Float.MIN_VALUE,
            100.5f, 1e6f, Float.MAX_VALUE, -Float.MAX_VALUE, Float.intBitsToFloat(0x7FC00001)};
        return bad[r.nextInt(bad.length)];
    }

    /** Random floats including NaN and infinities. */
    public static List<Float> floats(Random r, int n) {
        List<Float> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int k = r.nextInt(20);
            out.add(k == 0 ? Float.NaN : k == 1 ? Float.POSITIVE_INFINITY : k == 2 ? Float.NEGATIVE_INFINITY
                    : (float) r.nextGaussian() * 1e3f);
        }
        return out;
    }

    // --- request parts shared by the Encoder and Decoder storms -------------------------------------------

    /**
     * The model part of a request: {@code ref} null to leave {@code model} unset; {@code fault} the status the
     * part alone must cause, or null when it is valid.
     */
    /** Longest alias name the storms send (see the known bug in {@link #modelPart}). */
    public static final int MAX_ALIAS_BYTES = 200;

    public record ModelPart(ModelRef ref, Status.Code fault, String description) {
    }

    /**
     * A model part: mostly a valid selector of {@code model} (versions {@code versions}, aliases
     * {@code aliases}), else one fault: no model, a blank or malformed name or a malformed version
     * (INVALID_ARGUMENT), a well-formed made-up name or an unknown version / alias (NOT_FOUND), or one of
     * {@code unusable} (FAILED_PRECONDITION).
     */
    public static ModelPart modelPart(Random r, double faultRate, String model, List<String> versions,
            List<String> aliases, List<String> unusable) {
        if (r.nextDouble() >= faultRate) {
            ModelRef.Builder b = ModelRef.newBuilder().setName(model);
            switch (r.nextInt(3)) {
                case 0 -> b.setVersion(versions.get(r.nextInt(versions.size())));
                case 1 -> b.setAlias(aliases.get(r.nextInt(aliases.size())));
                default -> { }
            }
            return new ModelPart(b.build(), null, "model " + b.build().toString().replace('\n', ' '));
        }
        switch (r.nextInt(6)) {
            case 0:
                return new ModelPart(null, Status.Code.INVALID_ARGUMENT, "no model");
            case 1:
                return new ModelPart(ModelRef.newBuilder().setName(r.nextBoolean() ? "" : " \t").build(),
                        Status.Code.INVALID_ARGUMENT, "blank model name");
            case 2: {
                String name = randomString(r, 40);
                if (name.isBlank() || name.equals(model) || unusable.contains(name)) {
                    name = "no-such-model-" + r.nextInt(1000);
                }
                if (r.nextInt(10) == 0) {
                    name = name + "x".repeat(r.nextInt(10_000));
                }
                ModelRef.Builder b = ModelRef.newBuilder().setName(name);
                if (r.nextBoolean()) {
                    b.setVersion(versions.get(0));
                }
                // a name outside the registry's rules is malformed; a well-formed one is merely absent
                return ModelRegistry.isValidModelName(name)
                        ? new ModelPart(b.build(), Status.Code.NOT_FOUND, "unknown model '" + abbreviate(name, 60) + "'")
                        : new ModelPart(b.build(), Status.Code.INVALID_ARGUMENT, "malformed model name '"
                                + abbreviate(name, 60) + "'");
            }
            case 3: {
                String[] bad = {"0", "-1", "3", "99", "999999999", "99999999999", "1.0", "1e3", "0x1", "", " ", "one",
                    "+1", "01", "\u0661", "latest/..", "../1"};
                String v = r.nextBoolean() ? bad[r.nextInt(bad.length)] : randomString(r, 12);
                String t = v.trim();
                if (versions.contains(t) || aliases.contains(t) || t.equals("latest")
                        || t.replaceFirst("^0+", "").equals(versions.get(0))) {
                    v = "77";
                }
                return ModelRegistry.isVersionNumber(v)
                        ? new ModelPart(ModelRef.newBuilder().setName(model).setVersion(v).build(), Status.Code.NOT_FOUND,
                                "unknown version '" + abbreviate(v, 40) + "'")
                        : new ModelPart(ModelRef.newBuilder().setName(model).setVersion(v).build(),
                                Status.Code.INVALID_ARGUMENT, "malformed version '" + abbreviate(v, 40) + "'");
            }
            case 4: {
                String a = r.nextBoolean() ? "candidate" : randomString(r, 12);
                if (aliases.contains(a.trim()) || a.trim().equals("latest") || versions.contains(a.trim())) {
                    a = "staging";
                }
                if (a.getBytes(StandardCharsets.UTF_8).length > MAX_ALIAS_BYTES) {
                    // over-long aliases have their own test (longAliasIsNotFound in each service)
                    a = a.substring(0, Math.min(a.length(), 60));
                }
                return new ModelPart(ModelRef.newBuilder().setName(model).setAlias(a).build(), Status.Code.NOT_FOUND,
                        "unknown alias '" + abbreviate(a, 40) + "'");
            }
            default: {
                String u = unusable.get(r.nextInt(unusable.size()));
                return new ModelPart(ModelRef.newBuilder().setName(u).build(), Status.Code.FAILED_PRECONDITION,
                        "unusable model " + u);
            }
        }
    }

    /**
     * The token part: {@code tokens} null to leave the input unset; {@code fault} as in {@link ModelPart}.
     */
    public record TokenPart(List<String> tokens, Status.Code fault, String description) {
    }

    /**
     * Mostly 1..{@code validLength} symbols of {@code symbols}, else a fault (all INVALID_ARGUMENT): no input,
     * no symbols, more than {@code maxLength}, or a foreign / reserved / made-up / empty symbol at a random place.
     */
    public static TokenPart tokenPart(Random r, double faultRate, List<String> symbols, List<String> foreign,
            int validLength, int maxLength) {
        int n = 1 + r.nextInt(validLength);
        List<String> tokens = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            tokens.add(symbols.get(r.nextInt(symbols.size())));
        }
        if (r.nextDouble() >= faultRate) {
            return new TokenPart(tokens, null, tokens.size() + " valid symbols");
        }
        switch (r.nextInt(5)) {
            case 0:
                return new TokenPart(null, Status.Code.INVALID_ARGUMENT, "no input");
            case 1:
                return new TokenPart(List.of(), Status.Code.INVALID_ARGUMENT, "no symbols");
            case 2: {
                int len = maxLength + 1 + (r.nextBoolean() ? r.nextInt(8) : r.nextInt(5_000));
                List<String> many = new ArrayList<>(len);
                for (int i = 0; i < len; i++) {
                    many.add(symbols.get(r.nextInt(symbols.size())));
                }
                return new TokenPart(many, Status.Code.INVALID_ARGUMENT, len + " symbols");
            }
            default: {
                String bad = switch (r.nextInt(4)) {
                    case 0 -> foreign.get(r.nextInt(foreign.size()));
                    case 1 -> List.of("<pad>", "<s>", "</s>", "<unk>").get(r.nextInt(4));
                    case 2 -> "";
                    default -> randomString(r, 20);
                };
                if (symbols.contains(bad)) {
                    bad = bad + "#";
                }
                int at = r.nextInt(tokens.size() + 1);
                tokens.add(at, bad);
                return new TokenPart(tokens, Status.Code.INVALID_ARGUMENT,
                        "symbol '" + abbreviate(bad, 30) + "' at " + at + " of " + tokens.size());
            }
        }
    }

    /** The codes a request with these part faults may get: their union, or OK when there are none. */
    public static Set<Status.Code> expected(Status.Code... faults) {
        Set<Status.Code> out = EnumSet.noneOf(Status.Code.class);
        for (Status.Code f : faults) {
            if (f != null) {
                out.add(f);
            }
        }
        if (out.isEmpty()) {
            out.add(Status.Code.OK);
        }
        return out;
    }

    /**
     * A string field's bytes: {@code text} as UTF-8, or (when {@code corrupt}) with invalid UTF-8 spliced in.
     */
    public static byte[] utf8(Random r, String text, boolean corrupt) {
        byte[] ok = text.getBytes(StandardCharsets.UTF_8);
        if (!corrupt) {
            return ok;
        }
        byte[] bad = invalidUtf8(r);
        int at = r.nextInt(text.length() + 1);
        byte[] head = text.substring(0, at).getBytes(StandardCharsets.UTF_8);
        byte[] tail = text.substring(at).getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(head);
        b.writeBytes(bad);
        b.writeBytes(tail);
        return b.toByteArray();
    }

    /**
     * A message of exactly {@code size} bytes: {@code prefix} followed by field {@code field} (length-delimited)
     * filled with {@code fill}.
     */
    public static byte[] ofSize(byte[] prefix, int field, byte fill, int size) {
        int tag = CodedOutputStream.computeTagSize(field);
        for (int varint = 1; varint <= 5; varint++) {
            int len = size - prefix.length - tag - varint;
            if (len >= 0 && CodedOutputStream.computeUInt32SizeNoTag(len) == varint) {
                byte[] body = new byte[len];
                java.util.Arrays.fill(body, fill);
                byte[] out = new Proto().verbatim(prefix).bytes(field, body).build();
                if (out.length == size) {
                    return out;
                }
            }
        }
        throw new IllegalArgumentException("no message of exactly " + size + " bytes with this prefix");
    }

    /** Shortens long status descriptions in messages. */
    public static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "... (" + s.length() + " chars)";
    }

    public static Set<Status.Code> codes(Status.Code... codes) {
        return codes.length == 0 ? EnumSet.noneOf(Status.Code.class) : EnumSet.of(codes[0], codes);
    }
}
