package io.crossmodal.decoder.bench;

import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.ModelRegistry;
import io.crossmodal.datasets.cmudict.CmuDictSource;
import io.crossmodal.datasets.cmudict.LexiconEntry;
import io.crossmodal.runtime.onnx.ExecutionProvider;
import io.crossmodal.runtime.onnx.OrtOptions;
import io.crossmodal.runtime.onnx.SessionFactory;
import io.crossmodal.runtime.control.RunControl;
import io.crossmodal.family.seq2seq.search.SearchOptions;
import io.crossmodal.runtime.family.InvalidInputException;
import io.crossmodal.family.seq2seq.serving.ScoredSequence;
import io.crossmodal.family.seq2seq.serving.Seq2SeqPredictor;
import io.crossmodal.family.seq2seq.vocab.Vocabulary;
import io.crossmodal.proto.common.v1.ModelRef;
import io.crossmodal.proto.common.v1.TokenSequence;
import io.crossmodal.proto.decoder.v1.Beam;
import io.crossmodal.proto.decoder.v1.DecodeRequest;
import io.crossmodal.proto.decoder.v1.DecodeResponse;
import io.crossmodal.proto.decoder.v1.DecoderGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Serving benchmark of the decoder (G2P), run by {@code benchmarks/serving/run.sh}: on one bundle and
 * one word list, in one run, it measures
 * <ul>
 *   <li>in-process ONNX Runtime decoding, {@link Seq2SeqPredictor#transduce(long[][], List, RunControl)}
 *       (beam search, no gRPC) at fixed batch sizes (default 1 and 32), one calling thread;</li>
 *   <li>the decoder service over gRPC ({@code quarkus-run.jar} started here on a free port), unary
 *       {@code Decode} calls of one word each from a closed-loop async client at fixed concurrencies
 *       (default 1, 8, 64);</li>
 * </ul>
 * and prints a Markdown report (throughput, latency p50/p99, CPU use per process, server batch sizes,
 * ratios against the goals). Because the machine may be shared, configurations are measured in
 * {@code --rounds} alternating rounds (ABBA order), each config for {@code duration / rounds} seconds per
 * round; the table pools the rounds and the ratios are also given per round.
 *
 * <p>Not a test (no {@code @Test}; surefire does not pick up {@code *Bench}). Options are
 * {@code --key=value}; see {@link #main}.
 */
public final class DecoderServingBench {

    // ---------------------------------------------------------------------------------------------
    // options
    // ---------------------------------------------------------------------------------------------

    private final Map<String, String> opts;
    private final Path registryDir;
    private final String model;
    private final String versionArg;
    private final Path appDir;
    private final int wordCount;
    private final long seed;
    private final int rounds;
    private final double durationSec;
    private final double warmupSec;
    private final double warmupLaterSec;
    private final double prewarmSec;
    private final int[] batchSizes;
    private final int[] concurrencies;
    /** Also measure the gRPC floor: Health/Check, one call in flight (config {@code h1}). */
    private final boolean floor;
    private final int beamWidth;
    private final int nBest;
    private final int intraOp;
    private final int interOp;
    /** ONNX Runtime intra-op threads of the in-process side (0 = ORT default, with its spinning pool). */
    private final int inprocIntraOp;
    private final int maxOutputLength;
    private final List<String> serverJavaOpts;
    private final List<String> serverProps;
    private final Path serverLog;
    private final Path outFile;
    private final int clockTicks;

    private DecoderServingBench(Map<String, String> opts) {
        this.opts = opts;
        this.registryDir = Path.of(opt("registry", Path.of(System.getProperty("user.home"), ".cache", "crossmodal",
                "registry").toString()));
        this.model = opt("model", "g2p-cmudict-full");
        this.versionArg = opt("version", "1");
        this.appDir = Path.of(opt("app", "decoder-service/target/quarkus-app"));
        this.wordCount = Integer.parseInt(opt("words", "2000"));
        this.seed = Long.parseLong(opt("seed", "1"));
        this.rounds = Integer.parseInt(opt("rounds", "2"));
        this.durationSec = Double.parseDouble(opt("duration", "20"));
        this.warmupSec = Double.parseDouble(opt("warmup", "5"));
        this.warmupLaterSec = Double.parseDouble(opt("warmup-later", "2"));
        this.prewarmSec = Double.parseDouble(opt("prewarm", "5"));
        this.batchSizes = ints(opt("batches", "1,32"));
        this.concurrencies = ints(opt("concurrency", "1,8,64"));
        this.floor = Boolean.parseBoolean(opt("floor", "true"));
        this.beamWidth = Integer.parseInt(opt("beam", "5"));
        this.nBest = Integer.parseInt(opt("nbest", "1"));
        this.intraOp = Integer.parseInt(opt("intra-op", "0"));
        this.interOp = Integer.parseInt(opt("inter-op", "0"));
        this.inprocIntraOp = Integer.parseInt(opt("inproc-intra-op", intraOp > 0 ? Integer.toString(intraOp) : "1"));
        this.maxOutputLength = Integer.parseInt(opt("max-output-length", "200"));
        this.serverJavaOpts = words(opt("server-java-opts", ""));
        this.serverProps = words(opt("server-props", ""));
        this.serverLog = Path.of(opt("server-log", "decoder-service-bench.log"));
        this.outFile = opts.containsKey("out") ? Path.of(opts.get("out")) : null;
        this.clockTicks = Integer.parseInt(opt("clk-tck", "100"));
        if (rounds < 1 || durationSec <= 0 || wordCount < 1) {
            throw new IllegalArgumentException("rounds, duration and words must be positive");
        }
    }

    private String opt(String key, String def) {
        return opts.getOrDefault(key, def);
    }

    private static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt)
                .toArray();
    }

    private static List<String> words(String s) {
        return Arrays.stream(s.trim().split("\\s+")).filter(w -> !w.isEmpty()).toList();
    }

    // ---------------------------------------------------------------------------------------------
    // measurement records
    // ---------------------------------------------------------------------------------------------

    /** Latencies (ns) and counts of one measured window; thread-safe adds. */
    static final class Recorder {
        private long[] lat = new long[4096];
        private int n;
        private long words;
        private long errors;
        private final Map<String, Integer> errorCodes = new LinkedHashMap<>();
        final long startNanos = System.nanoTime();
        long endNanos;

        synchronized void add(long nanos, int wordsInCall) {
            if (n == lat.length) {
                lat = Arrays.copyOf(lat, n * 2);
            }
            lat[n++] = nanos;
            words += wordsInCall;
        }

        synchronized void error(String code) {
            errors++;
            errorCodes.merge(code, 1, Integer::sum);
        }

        synchronized long[] latencies() {
            return Arrays.copyOf(lat, n);
        }

        synchronized long words() {
            return words;
        }

        synchronized long errors() {
            return errors;
        }

        synchronized String errorCodes() {
            return errorCodes.toString();
        }
    }

    /** CPU times (s) of this JVM, the server and the whole machine. */
    record Cpu(double self, double server, double busy, double total) {
    }

    /** Server meters (sums over label sets) read from /q/metrics. */
    record Meters(double batches, double batchedRequests, double queueCount, double queueSum, double computeSum) {
        Meters minus(Meters o) {
            return new Meters(batches - o.batches, batchedRequests - o.batchedRequests, queueCount - o.queueCount,
                    queueSum - o.queueSum, computeSum - o.computeSum);
        }
    }

    /** One measured window of one configuration. */
    record Result(String path, String config, int round, double seconds, long calls, long words, long[] latNanos,
            long errors, String errorCodes, Cpu cpu, Meters meters, double load1, int agree, int compared,
            Map<String, Double> selfThreads, Map<String, Double> serverThreads) {

        double wordsPerSec() {
            return words / seconds;
        }

        double callsPerSec() {
            return calls / seconds;
        }
    }

    /** Per word index: the in-process batch-1 top-1 answer, to compare with the other paths. */
    private final Map<Integer, List<String>> reference = new ConcurrentHashMap<>();

    // ---------------------------------------------------------------------------------------------
    // inputs
    // ---------------------------------------------------------------------------------------------

    private List<String> wordList;
    private long[][] sourceIds;
    private SearchOptions[] searchOptions;
    private DecodeRequest[] requests;
    private int skippedWords;

    private void prepareWords(Seq2SeqPredictor predictor) throws IOException {
        List<LexiconEntry> entries = new CmuDictSource().load(true).entries();
        List<String> all = new ArrayList<>(new TreeSet<>(entries.stream().map(LexiconEntry::word).toList()));
        Collections.shuffle(all, new Random(seed));
        wordList = new ArrayList<>();
        List<long[]> ids = new ArrayList<>();
        for (String w : all) {
            if (wordList.size() == wordCount) {
                break;
            }
            try {
                ids.add(predictor.sourceIds(Vocabulary.graphemes(w)));
                wordList.add(w);
            } catch (InvalidInputException e) {
                skippedWords++;
            }
        }
        int n = wordList.size();
        sourceIds = ids.toArray(new long[0][]);
        searchOptions = new SearchOptions[n];
        requests = new DecodeRequest[n];
        for (int i = 0; i < n; i++) {
            // as the service does for a request without max_length: min(2 * input length + 10, max-output-length)
            int maxLength = Math.max(1, Math.min(maxOutputLength, 2 * sourceIds[i].length + 10));
            searchOptions[i] = SearchOptions.beam(beamWidth, nBest).withMaxLength(maxLength);
            requests[i] = DecodeRequest.newBuilder()
                    .setModel(ModelRef.newBuilder().setName(model))
                    .setTokens(TokenSequence.newBuilder().addAllTokens(Vocabulary.graphemes(wordList.get(i))))
                    .setBeam(Beam.newBuilder().setWidth(beamWidth))
                    .setNBest(nBest)
                    .build();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // in-process
    // ---------------------------------------------------------------------------------------------

    private int inProcessCursor;
    private int referenceWords;

    /** Top-1 answers of the first words, each decoded alone in process: what every path is compared with. */
    private void computeReference(Seq2SeqPredictor predictor, int count) {
        referenceWords = Math.min(count, sourceIds.length);
        for (int i = 0; i < referenceWords; i++) {
            reference.put(i, predictor.transduce(new long[][] {sourceIds[i]}, List.of(searchOptions[i]),
                    RunControl.NONE).get(0).get(0).symbols());
        }
    }

    private Result runInProcess(Seq2SeqPredictor predictor, int batch, int round, double warm, double measure,
            long serverPid) {
        inProcessCursor = 0; // every window of every path starts at the first word
        int[] agree = new int[2];
        long warmEnd = System.nanoTime() + (long) (warm * 1e9);
        while (System.nanoTime() < warmEnd) {
            inProcessCall(predictor, batch, null, agree);
        }
        double load1 = loadAvg()[0];
        Map<String, double[]> self0 = threadCpu("self");
        Map<String, double[]> srv0 = threadCpu(Long.toString(serverPid));
        Cpu cpu0 = cpu(serverPid);
        Recorder rec = new Recorder();
        long end = rec.startNanos + (long) (measure * 1e9);
        long last = rec.startNanos;
        while (last < end) {
            last = inProcessCall(predictor, batch, rec, agree);
        }
        rec.endNanos = last;
        Cpu cpu1 = cpu(serverPid);
        Map<String, Double> selfT = threadDelta(self0, threadCpu("self"));
        Map<String, Double> srvT = threadDelta(srv0, threadCpu(Long.toString(serverPid)));
        double secs = (rec.endNanos - rec.startNanos) / 1e9;
        long[] lat = rec.latencies();
        return new Result("in-process (ORT, no gRPC)", "batch " + batch, round, secs, lat.length, rec.words(), lat, 0,
                "", delta(cpu0, cpu1), null, load1, agree[0], agree[1], selfT, srvT);
    }

    /** One transduce call over the next {@code batch} words; returns the time it ended. */
    private long inProcessCall(Seq2SeqPredictor predictor, int batch, Recorder rec, int[] agree) {
        int n = sourceIds.length;
        long[][] sources = new long[batch][];
        List<SearchOptions> options = new ArrayList<>(batch);
        int[] index = new int[batch];
        for (int i = 0; i < batch; i++) {
            int w = inProcessCursor;
            inProcessCursor = (inProcessCursor + 1) % n;
            index[i] = w;
            sources[i] = sourceIds[w];
            options.add(searchOptions[w]);
        }
        long t0 = System.nanoTime();
        List<List<ScoredSequence>> out = predictor.transduce(sources, options, RunControl.NONE);
        long t1 = System.nanoTime();
        if (rec != null) {
            rec.add(t1 - t0, batch);
        }
        for (int i = 0; i < batch; i++) {
            List<String> ref = reference.get(index[i]);
            if (ref != null) {
                agree[1]++;
                if (ref.equals(out.get(i).get(0).symbols())) {
                    agree[0]++;
                }
            }
        }
        return t1;
    }

    // ---------------------------------------------------------------------------------------------
    // service
    // ---------------------------------------------------------------------------------------------

    /** Closed-loop client: {@code concurrency} requests always in flight, one word each. */
    private final class LoadLoop {
        final DecoderGrpc.DecoderStub stub;
        final int concurrency;
        final String expectedVersion;
        volatile boolean issuing = true;
        volatile Recorder recorder;
        final AtomicInteger outstanding = new AtomicInteger();
        final AtomicLong next = new AtomicLong();
        final AtomicInteger agree = new AtomicInteger();
        final AtomicInteger compared = new AtomicInteger();
        final AtomicInteger wrongVersion = new AtomicInteger();
        final AtomicLong totalErrors = new AtomicLong();
        volatile String lastError = "";

        LoadLoop(ManagedChannel channel, int concurrency, String expectedVersion, long startWord) {
            this.stub = DecoderGrpc.newStub(channel);
            this.concurrency = concurrency;
            this.expectedVersion = expectedVersion;
            this.next.set(startWord);
        }

        void start() {
            for (int i = 0; i < concurrency; i++) {
                outstanding.incrementAndGet();
                issue();
            }
        }

        private void issue() {
            if (!issuing) {
                outstanding.decrementAndGet();
                return;
            }
            int w = (int) (next.getAndIncrement() % requests.length);
            long t0 = System.nanoTime();
            stub.decode(requests[w], new StreamObserver<>() {
                DecodeResponse response;

                @Override
                public void onNext(DecodeResponse value) {
                    response = value;
                }

                @Override
                public void onError(Throwable t) {
                    Recorder r = recorder;
                    String code = Status.fromThrowable(t).getCode().name();
                    lastError = Status.fromThrowable(t).toString();
                    if (r != null) {
                        r.error(code);
                    }
                    if (totalErrors.incrementAndGet() > 1000) {
                        issuing = false; // something is badly wrong; stop hammering
                    }
                    issue();
                }

                @Override
                public void onCompleted() {
                    long t1 = System.nanoTime();
                    Recorder r = recorder;
                    if (r != null) {
                        r.add(t1 - t0, 1);
                    }
                    if (!expectedVersion.equals(response.getModelVersion())) {
                        wrongVersion.incrementAndGet();
                    }
                    List<String> ref = reference.get(w);
                    if (ref != null) {
                        compared.incrementAndGet();
                        if (response.getSequences().getSequencesCount() > 0
                                && ref.equals(response.getSequences().getSequences(0).getTokensList())) {
                            agree.incrementAndGet();
                        }
                    }
                    issue();
                }
            });
        }

        void stopAndDrain() throws InterruptedException {
            issuing = false;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (outstanding.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            if (outstanding.get() > 0) {
                throw new IllegalStateException(outstanding.get() + " requests still outstanding 60 s after the end");
            }
        }
    }

    private Result runService(ManagedChannel channel, String base, int concurrency, int round, double warm,
            double measure, long serverPid, String expectedVersion) throws Exception {
        LoadLoop loop = new LoadLoop(channel, concurrency, expectedVersion, 0); // first word, as in process
        loop.start();
        Thread.sleep((long) (warm * 1000));
        double load1 = loadAvg()[0];
        Meters m0 = meters(base);
        Map<String, double[]> self0 = threadCpu("self");
        Map<String, double[]> srv0 = threadCpu(Long.toString(serverPid));
        Cpu cpu0 = cpu(serverPid);
        Recorder rec = new Recorder();
        loop.recorder = rec;
        Thread.sleep((long) (measure * 1000));
        loop.recorder = null;
        rec.endNanos = System.nanoTime();
        Cpu cpu1 = cpu(serverPid);
        Map<String, Double> selfT = threadDelta(self0, threadCpu("self"));
        Map<String, Double> srvT = threadDelta(srv0, threadCpu(Long.toString(serverPid)));
        loop.stopAndDrain();
        Meters m1 = meters(base);
        if (loop.wrongVersion.get() > 0) {
            throw new IllegalStateException(loop.wrongVersion.get() + " responses came from a version other than "
                    + expectedVersion);
        }
        if (loop.totalErrors.get() > 1000) {
            throw new IllegalStateException("more than 1000 failed calls; last: " + loop.lastError);
        }
        long[] lat = rec.latencies();
        double secs = (rec.endNanos - rec.startNanos) / 1e9;
        return new Result("decoder-service (gRPC, unary Decode)", "concurrency " + concurrency, round, secs, lat.length,
                rec.words(), lat, rec.errors(), rec.errorCodes(), delta(cpu0, cpu1),
                m1 == null || m0 == null ? null : m1.minus(m0), load1, loop.agree.get(), loop.compared.get(), selfT,
                srvT);
    }

    /**
     * The floor of any unary call to this server from this client: the gRPC health check (answered by Quarkus
     * without a worker thread, a model or a batcher), one call in flight, on the same channel. What the Decode
     * path costs beyond it is the service's own overhead.
     */
    private Result runFloor(ManagedChannel channel, int round, double warm, double measure, long serverPid)
            throws Exception {
        HealthGrpc.HealthStub stub = HealthGrpc.newStub(channel);
        HealthCheckRequest request = HealthCheckRequest.getDefaultInstance();
        AtomicReference<Recorder> recorder = new AtomicReference<>();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        AtomicBoolean issuing = new AtomicBoolean(true);
        CountDownLatch drained = new CountDownLatch(1);
        Runnable[] issue = new Runnable[1];
        issue[0] = () -> {
            if (!issuing.get()) {
                drained.countDown();
                return;
            }
            long t0 = System.nanoTime();
            stub.check(request, new StreamObserver<>() {
                @Override
                public void onNext(HealthCheckResponse value) {
                }

                @Override
                public void onError(Throwable t) {
                    failed.compareAndSet(null, t);
                    drained.countDown();
                }

                @Override
                public void onCompleted() {
                    Recorder r = recorder.get();
                    if (r != null) {
                        r.add(System.nanoTime() - t0, 1);
                    }
                    issue[0].run();
                }
            });
        };
        issue[0].run();
        Thread.sleep((long) (warm * 1000));
        double load1 = loadAvg()[0];
        Map<String, double[]> self0 = threadCpu("self");
        Map<String, double[]> srv0 = threadCpu(Long.toString(serverPid));
        Cpu cpu0 = cpu(serverPid);
        Recorder rec = new Recorder();
        recorder.set(rec);
        Thread.sleep((long) (measure * 1000));
        recorder.set(null);
        rec.endNanos = System.nanoTime();
        Cpu cpu1 = cpu(serverPid);
        Map<String, Double> selfT = threadDelta(self0, threadCpu("self"));
        Map<String, Double> srvT = threadDelta(srv0, threadCpu(Long.toString(serverPid)));
        issuing.set(false);
        if (!drained.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("a health check still outstanding 60 s after the end");
        }
        if (failed.get() != null) {
            throw new IllegalStateException("health check failed: " + Status.fromThrowable(failed.get()));
        }
        long[] lat = rec.latencies();
        double secs = (rec.endNanos - rec.startNanos) / 1e9;
        return new Result("decoder-service (gRPC, unary Health/Check)", FLOOR, round, secs, lat.length, rec.words(), lat,
                0, "", delta(cpu0, cpu1), null, load1, 0, 0, selfT, srvT);
    }

    /** The floor's configuration name in the report. */
    static final String FLOOR = "floor: health check, concurrency 1";

    // ---------------------------------------------------------------------------------------------
    // server process
    // ---------------------------------------------------------------------------------------------

    private Process server;
    private List<String> serverCommand;

    private int startServer() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(serverJavaOpts);
        cmd.add("-Dquarkus.http.port=" + port);
        cmd.add("-Dquarkus.http.host=127.0.0.1");
        cmd.add("-Dcrossmodal.registry.dir=" + registryDir);
        cmd.add("-Dcrossmodal.models=" + model);
        if (intraOp > 0) {
            cmd.add("-Dcrossmodal.onnx.intra-op-threads=" + intraOp);
        }
        if (interOp > 0) {
            cmd.add("-Dcrossmodal.onnx.inter-op-threads=" + interOp);
        }
        cmd.addAll(serverProps);
        cmd.add("-jar");
        cmd.add(appDir.resolve("quarkus-run.jar").toString());
        serverCommand = cmd;
        Files.deleteIfExists(serverLog);
        server = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(serverLog.toFile()).start();
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopServer));
        return port;
    }

    private void waitReady(String base) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        String last = "";
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new IllegalStateException("decoder-service exited with " + server.exitValue() + "; see "
                        + serverLog);
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
                last = r.statusCode() + " " + r.body();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("decoder-service not ready after 180 s: " + last + "; see " + serverLog);
    }

    private void stopServer() {
        Process p = server;
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static Meters meters(String base) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/q/metrics"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return null;
            }
            String body = r.body();
            return new Meters(metric(body, "crossmodal_inference_batch_size_requests_count"),
                    metric(body, "crossmodal_inference_batch_size_requests_sum"),
                    metric(body, "crossmodal_inference_queue_seconds_count"),
                    metric(body, "crossmodal_inference_queue_seconds_sum"),
                    metric(body, "crossmodal_inference_compute_seconds_sum"));
        } catch (IOException | InterruptedException e) {
            return null;
        }
    }

    /** Sum over all label sets of a Prometheus sample name. */
    private static double metric(String body, String name) {
        double sum = 0;
        for (String line : body.split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                String v = line.substring(line.lastIndexOf(' ') + 1);
                try {
                    sum += Double.parseDouble(v);
                } catch (NumberFormatException ignored) {
                    // not a sample line
                }
            }
        }
        return sum;
    }

    // ---------------------------------------------------------------------------------------------
    // system figures
    // ---------------------------------------------------------------------------------------------

    private static double[] loadAvg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2])};
        } catch (IOException | RuntimeException e) {
            return new double[] {Double.NaN, Double.NaN, Double.NaN};
        }
    }

    private double procCpu(String pid) {
        try {
            String s = Files.readString(Path.of("/proc", pid, "stat"));
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) clockTicks; // utime + stime
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private Cpu cpu(long serverPid) {
        double busy = Double.NaN;
        double total = Double.NaN;
        try {
            String line = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = line.trim().split("\\s+");
            long sum = 0;
            for (int i = 1; i <= 8 && i < f.length; i++) {
                sum += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            total = sum / (double) clockTicks;
            busy = (sum - idle) / (double) clockTicks;
        } catch (IOException | RuntimeException e) {
            // leave NaN
        }
        return new Cpu(procCpu("self"), serverPid > 0 ? procCpu(Long.toString(serverPid)) : 0, busy, total);
    }

    /**
     * Per thread of a process: tid -> (CPU seconds, utime + stime), keyed "tid name"; the name is the thread's
     * comm (15 characters) with numbering digits (after '-', '#', '_' or at the end) replaced by '#', so pools
     * group together.
     */
    private Map<String, double[]> threadCpu(String pid) {
        Map<String, double[]> out = new LinkedHashMap<>();
        try (var tasks = Files.list(Path.of("/proc", pid, "task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    String st = Files.readString(t.resolve("stat"));
                    String comm = st.substring(st.indexOf('(') + 1, st.lastIndexOf(')'))
                            .replaceAll("(?<=[-#_])[0-9]+|[0-9]+$", "#");
                    String[] f = st.substring(st.lastIndexOf(')') + 2).split(" ");
                    double sec = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) clockTicks;
                    out.put(t.getFileName() + " " + comm, new double[] {sec});
                } catch (IOException | RuntimeException e) {
                    // thread ended meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            // process gone
        }
        return out;
    }

    /** CPU seconds per thread name between two snapshots (threads that ended in between are missed). */
    private static Map<String, Double> threadDelta(Map<String, double[]> before, Map<String, double[]> after) {
        Map<String, Double> out = new LinkedHashMap<>();
        after.forEach((key, v) -> {
            double[] b = before.get(key);
            double d = v[0] - (b == null ? 0 : b[0]);
            if (d > 0) {
                out.merge(key.substring(key.indexOf(' ') + 1), d, Double::sum);
            }
        });
        return out;
    }

    private static Cpu delta(Cpu a, Cpu b) {
        return new Cpu(b.self - a.self, b.server - a.server, b.busy - a.busy, b.total - a.total);
    }

    /** Threads of a process whose name starts with {@code prefix} (native threads inherit their creator's name). */
    private static int threadsNamed(String pid, String prefix) {
        try (var tasks = Files.list(Path.of("/proc", pid, "task"))) {
            return (int) tasks.filter(t -> {
                try {
                    return Files.readString(t.resolve("comm")).trim().startsWith(prefix);
                } catch (IOException e) {
                    return false;
                }
            }).count();
        } catch (IOException e) {
            return -1;
        }
    }

    private static String firstMatch(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? m.group(m.groupCount() >= 1 ? 1 : 0) : null;
    }

    private static String run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            return out.trim();
        } catch (IOException | InterruptedException e) {
            return "(" + e + ")";
        }
    }

    // ---------------------------------------------------------------------------------------------
    // main flow
    // ---------------------------------------------------------------------------------------------

    /**
     * Options ({@code --key=value}): registry, model, version (number or latest), app (quarkus-app dir),
     * words (2000), seed (1), rounds (2), duration (20: measured seconds per configuration, over all rounds),
     * warmup (5: seconds before each configuration's first measurement), warmup-later (2), prewarm (5: seconds
     * each configuration runs unmeasured before round 1, for the JIT of both JVMs), batches (1,32),
     * concurrency (1,8,64), beam (5), nbest (1), intra-op / inter-op (0 = ONNX Runtime default; both sides),
     * max-output-length (200, the service default), server-java-opts, server-props (extra -D for the
     * service), server-log, out (Markdown file), clk-tck (100), note (free text for the report).
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>();
        for (String a : args) {
            if (!a.startsWith("--") || !a.contains("=")) {
                throw new IllegalArgumentException("options are --key=value, got " + a);
            }
            opts.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
        }
        DecoderServingBench bench = new DecoderServingBench(opts);
        try {
            bench.execute();
        } finally {
            bench.stopServer();
        }
        System.exit(0); // gRPC / ORT non-daemon threads
    }

    private static void log(String fmt, Object... args) {
        System.err.printf(Locale.ROOT, "[bench %s] %s%n", DateTimeFormatter.ISO_LOCAL_TIME.format(
                Instant.now().atOffset(ZoneOffset.UTC)).substring(0, 8), String.format(Locale.ROOT, fmt, args));
    }

    private void execute() throws Exception {
        Instant started = Instant.now();
        double[] loadStart = loadAvg();
        log("load average at start: %s", Arrays.toString(loadStart));

        ModelRegistry registry = new ModelRegistry(registryDir);
        int version = registry.resolve(model, versionArg);
        Bundle bundle = registry.load(model, Integer.toString(version));
        log("bundle %s/%d at %s (checksums verified)", model, version, bundle.directory());
        // the in-process baseline at its best single-threaded setting (one intra-op thread, no spinning pool),
        // unless --inproc-intra-op says otherwise (0 = ORT's default pool, which spins)
        SessionFactory sessions = new SessionFactory(new OrtOptions(ExecutionProvider.CPU, 0, inprocIntraOp, interOp, 0,
                inprocIntraOp == 0 ? null : Boolean.FALSE));
        String ortVersion = ai.onnxruntime.OrtEnvironment.getEnvironment().getVersion();
        try (Seq2SeqPredictor predictor = Seq2SeqPredictor.create(bundle, "g2p", sessions)) {
            predictor.warmUp();
            int ortThreadsSelf = threadsNamed("self", "ort-session-ini");
            prepareWords(predictor);
            computeReference(predictor, Integer.parseInt(opt("reference-words", "256")));
            log("%d words (CMUdict, distinct, sorted, shuffled with seed %d; %d skipped as not in the vocabulary)",
                    wordList.size(), seed, skippedWords);

            int port = startServer();
            String base = "http://127.0.0.1:" + port;
            long t0 = System.nanoTime();
            waitReady(base);
            double startupSec = (System.nanoTime() - t0) / 1e9;
            long serverPid = server.pid();
            log("decoder-service pid %d ready on port %d after %.1f s", serverPid, port, startupSec);
            String serverFlags = run(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(serverPid), "VM.flags"));
            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
                    .directExecutor().build();
            List<Result> results = new ArrayList<>();
            try {
                // one call so the connection exists before timing; also checks the service answers
                DecodeResponse first = DecoderGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                        .decode(requests[0]);
                if (!Integer.toString(version).equals(first.getModelVersion())) {
                    throw new IllegalStateException("the service answered with version " + first.getModelVersion()
                            + ", the in-process side uses " + version);
                }
                int ortThreadsServer = threadsNamed(Long.toString(serverPid), "ort-session-ini");

                List<String> configs = new ArrayList<>();
                for (int b : batchSizes) {
                    configs.add("b" + b);
                }
                for (int c : concurrencies) {
                    configs.add("c" + c);
                }
                if (floor) {
                    configs.add("h1");
                }
                // JIT warm-up of both JVMs on every code path before any window (without it, round 1 measured
                // the service 20-50 % slower than round 2; the service keeps speeding up for a minute or so)
                if (prewarmSec > 0) {
                    log("pre-warm: %.1f s per configuration", prewarmSec);
                    for (int b : batchSizes) {
                        runInProcess(predictor, b, 0, prewarmSec, 0, serverPid);
                    }
                    for (int c : concurrencies) {
                        LoadLoop warmLoop = new LoadLoop(channel, c, Integer.toString(version), 0);
                        warmLoop.start();
                        Thread.sleep((long) (prewarmSec * 1000));
                        warmLoop.stopAndDrain();
                    }
                }
                double measure = durationSec / rounds;
                Map<String, Boolean> warmed = new ConcurrentHashMap<>();
                for (int r = 0; r < rounds; r++) {
                    List<String> order = new ArrayList<>(configs);
                    if (r % 2 == 1) {
                        Collections.reverse(order);
                    }
                    for (String c : order) {
                        double warm = warmed.putIfAbsent(c, true) == null ? warmupSec : warmupLaterSec;
                        int v = Integer.parseInt(c.substring(1));
                        Result res = c.startsWith("b")
                                ? runInProcess(predictor, v, r + 1, warm, measure, serverPid)
                                : c.startsWith("h") ? runFloor(channel, r + 1, warm, measure, serverPid)
                                : runService(channel, base, v, r + 1, warm, measure, serverPid, Integer.toString(version));
                        results.add(res);
                        log("round %d %-26s %-15s %8.1f words/s  p50 %7.2f ms  p99 %7.2f ms  (%d calls, %d errors)",
                                r + 1, res.path.substring(0, Math.min(26, res.path.length())), res.config,
                                res.wordsPerSec(), pct(res.latNanos, 50), pct(res.latNanos, 99), res.calls, res.errors);
                    }
                }
                double[] loadEnd = loadAvg();
                Instant finished = Instant.now();
                String serverLogText = Files.exists(serverLog) ? Files.readString(serverLog) : "";
                String report = report(started, finished, loadStart, loadEnd, bundle, version, ortVersion,
                        ortThreadsSelf, ortThreadsServer, serverFlags, startupSec, serverLogText, results);
                System.out.println(report);
                if (outFile != null) {
                    Files.createDirectories(outFile.toAbsolutePath().getParent());
                    Files.writeString(outFile, report);
                    log("wrote %s", outFile);
                }
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // report
    // ---------------------------------------------------------------------------------------------

    private static double pct(long[] nanos, double p) {
        if (nanos.length == 0) {
            return Double.NaN;
        }
        long[] s = nanos.clone();
        Arrays.sort(s);
        int rank = (int) Math.ceil(p / 100.0 * s.length); // nearest rank
        return s[Math.max(0, Math.min(s.length - 1, rank - 1))] / 1e6;
    }

    /** The pooled result of one configuration over all rounds. */
    private static Result pool(List<Result> rs) {
        Result f = rs.get(0);
        double secs = 0;
        long calls = 0;
        long words = 0;
        long errors = 0;
        int agree = 0;
        int compared = 0;
        List<long[]> lats = new ArrayList<>();
        Cpu cpu = new Cpu(0, 0, 0, 0);
        Meters meters = f.meters == null ? null : new Meters(0, 0, 0, 0, 0);
        StringBuilder codes = new StringBuilder();
        Map<String, Double> selfT = new LinkedHashMap<>();
        Map<String, Double> srvT = new LinkedHashMap<>();
        for (Result r : rs) {
            r.selfThreads.forEach((k, v) -> selfT.merge(k, v, Double::sum));
            r.serverThreads.forEach((k, v) -> srvT.merge(k, v, Double::sum));
            secs += r.seconds;
            calls += r.calls;
            words += r.words;
            errors += r.errors;
            agree += r.agree;
            compared += r.compared;
            lats.add(r.latNanos);
            cpu = new Cpu(cpu.self + r.cpu.self, cpu.server + r.cpu.server, cpu.busy + r.cpu.busy, cpu.total + r.cpu.total);
            if (meters != null && r.meters != null) {
                meters = new Meters(meters.batches + r.meters.batches, meters.batchedRequests + r.meters.batchedRequests,
                        meters.queueCount + r.meters.queueCount, meters.queueSum + r.meters.queueSum,
                        meters.computeSum + r.meters.computeSum);
            }
            if (r.errors > 0) {
                codes.append(r.errorCodes);
            }
        }
        long[] all = new long[lats.stream().mapToInt(a -> a.length).sum()];
        int at = 0;
        for (long[] a : lats) {
            System.arraycopy(a, 0, all, at, a.length);
            at += a.length;
        }
        double load = rs.stream().mapToDouble(Result::load1).average().orElse(Double.NaN);
        return new Result(f.path, f.config, 0, secs, calls, words, all, errors, codes.toString(), cpu, meters, load,
                agree, compared, selfT, srvT);
    }

    private static String f1(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%,.1f", v);
    }

    private static String f2(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.2f", v);
    }

    private String report(Instant started, Instant finished, double[] loadStart, double[] loadEnd, Bundle bundle,
            int version, String ortVersion, int ortThreadsSelf, int ortThreadsServer, String serverFlags,
            double startupSec, String serverLog, List<Result> results) {
        Map<String, List<Result>> byConfig = new LinkedHashMap<>();
        for (int b : batchSizes) {
            byConfig.put("batch " + b, new ArrayList<>());
        }
        for (int c : concurrencies) {
            byConfig.put("concurrency " + c, new ArrayList<>());
        }
        if (floor) {
            byConfig.put(FLOOR, new ArrayList<>());
        }
        for (Result r : results) {
            byConfig.get(r.config).add(r);
        }
        Map<String, Result> pooled = new LinkedHashMap<>();
        byConfig.forEach((k, v) -> pooled.put(k, pool(v)));

        StringBuilder md = new StringBuilder();
        DateTimeFormatter ts = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);
        md.append("# Decoder serving benchmark: in-process ONNX Runtime vs decoder-service over gRPC\n\n");
        md.append(String.format(Locale.ROOT, "Run %s to %s (%.0f s), `benchmarks/serving/run.sh`. Model **%s** version %d "
                + "(`%s`), component g2p; %d words; beam search width %d, n_best %d, max_length min(2 x input + 10, %d) "
                + "per word (the service default).%s\n\n",
                ts.format(started), ts.format(finished), Duration.between(started, finished).toMillis() / 1000.0, model,
                version, bundle.directory(), wordList.size(), beamWidth, nBest, maxOutputLength,
                opts.containsKey("note") ? " " + opts.get("note") : ""));

        md.append("| path | config | words/s | calls/s | p50 ms | p99 ms | calls | errors | CPU cores used: bench JVM / "
                + "server / rest of machine | server batches: mean size, mean queue ms, mean compute ms |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---|---|\n");
        for (Result r : pooled.values()) {
            md.append(row(r));
        }
        md.append("\n");

        // ratios
        Result b32 = pooled.get("batch 32");
        Result b1 = pooled.get("batch 1");
        Result c64 = pooled.get("concurrency 64");
        Result c1 = pooled.get("concurrency 1");
        md.append("| ratio | value | goal | met |\n|---|---:|---:|---|\n");
        if (b32 != null && c64 != null) {
            double ratio = c64.wordsPerSec() / b32.wordsPerSec();
            md.append(String.format(Locale.ROOT, "| service throughput at concurrency 64 / in-process batch-32 throughput "
                    + "| %.1f %% | >= 70 %% | %s |\n", 100 * ratio, ratio >= 0.70 ? "yes" : "**no**"));
        }
        if (b1 != null && c1 != null) {
            double diff = pct(c1.latNanos, 50) - pct(b1.latNanos, 50);
            md.append(String.format(Locale.ROOT, "| service p50 at concurrency 1 - in-process batch-1 p50 | %.2f ms "
                    + "| <= 1 ms | %s |\n", diff, diff <= 1.0 ? "yes" : "**no**"));
        }
        Result h1 = pooled.get(FLOOR);
        if (b1 != null && c1 != null && h1 != null) {
            double floorP50 = pct(h1.latNanos, 50);
            md.append(String.format(Locale.ROOT, "| (context) gRPC floor: health check p50, one call in flight | %.2f ms | | |\n",
                    floorP50));
            md.append(String.format(Locale.ROOT, "| (context) c1 p50 - b1 p50 - floor p50: the Decode path beyond any unary "
                    + "call | %.2f ms | | |\n", pct(c1.latNanos, 50) - pct(b1.latNanos, 50) - floorP50));
        }
        if (b32 != null && b1 != null) {
            md.append(String.format(Locale.ROOT, "| (context) in-process batch-32 / batch-1 throughput | %.2fx | | |\n",
                    b32.wordsPerSec() / b1.wordsPerSec()));
        }
        md.append("\n");
        if (rounds > 1) {
            md.append("Per round (each configuration measured ").append(f1(durationSec / rounds))
                    .append(" s per round; round 2 runs the configurations in reverse order):\n\n");
            md.append("| round | c64 / b32 throughput | c1 p50 - b1 p50 (ms) | load1 at b32 / c64 |\n|---:|---:|---:|---|\n");
            for (int r = 1; r <= rounds; r++) {
                Result rb32 = find(results, "batch 32", r);
                Result rc64 = find(results, "concurrency 64", r);
                Result rb1 = find(results, "batch 1", r);
                Result rc1 = find(results, "concurrency 1", r);
                md.append("| ").append(r).append(" | ")
                        .append(rb32 != null && rc64 != null
                                ? String.format(Locale.ROOT, "%.1f %%", 100 * rc64.wordsPerSec() / rb32.wordsPerSec()) : "")
                        .append(" | ")
                        .append(rb1 != null && rc1 != null ? f2(pct(rc1.latNanos, 50) - pct(rb1.latNanos, 50)) : "")
                        .append(" | ")
                        .append(rb32 != null && rc64 != null ? f2(rb32.load1) + " / " + f2(rc64.load1) : "")
                        .append(" |\n");
            }
            md.append("\n");
            md.append("| round | config | words/s | p50 ms | p99 ms |\n|---:|---|---:|---:|---:|\n");
            for (Result r : results) {
                md.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s |\n", r.round, r.config,
                        f1(r.wordsPerSec()), f2(pct(r.latNanos, 50)), f2(pct(r.latNanos, 99))));
            }
            md.append("\n");
        }

        // consistency
        md.append("Answers: top-1 of every call (warm-up included) for the first " + referenceWords
                + " words compared with the same word decoded alone in process before the measurements (agreeing / "
                + "compared): ");
        List<String> agreeParts = new ArrayList<>();
        for (Result r : pooled.values()) {
            if (r.compared > 0) {
                agreeParts.add(r.config + " " + r.agree + "/" + r.compared);
            }
        }
        md.append(agreeParts.isEmpty() ? "none compared" : String.join(", ", agreeParts)).append(".\n\n");

        md.append("CPU by thread (cores = CPU seconds / window seconds, pooled over the rounds; thread names as the kernel "
                + "has them, 15 characters, numbering as #; ONNX Runtime's pool threads are named `ort-session-ini`, the "
                + "service's batch worker `decoder-batch-g`, the in-process calls run on the main thread (`java`); the "
                + "client on `grpc-nio-worker`; top 6 per process, >= 0.01):\n\n");
        md.append("| config | bench JVM | service |\n|---|---|---|\n");
        for (Result r : pooled.values()) {
            md.append("| ").append(r.config).append(" | ").append(topThreads(r.selfThreads, r.seconds)).append(" | ")
                    .append(topThreads(r.serverThreads, r.seconds)).append(" |\n");
        }
        md.append("\n");

        // settings
        String batching = firstMatch(serverLog, "(at most \\d+ per batch, waiting at most \\S+ for a batch to fill, "
                + "at most \\d+ queued per model)");
        String ortLine = firstMatch(serverLog, "(execution provider[^\\n]*\\(intra-op threads [^)]*\\))");
        md.append("## Settings\n\n");
        md.append("| | |\n|---|---|\n");
        md.append("| machine | ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs (")
                .append(cpuModel()).append("), shared; load average (1/5/15 min) at start ")
                .append(loadString(loadStart)).append(", at end ").append(loadString(loadEnd)).append(" |\n");
        md.append("| service batching (from its startup log) | ").append(batching == null ? "(not found in log)" : batching)
                .append(" (`crossmodal.serving.batching.max-batch-size`, `max-queue-delay`, `queue-capacity`) |\n");
        String threadsLine = firstMatch(serverLog, "inference threads: ([^\\n]*)");
        md.append("| service threads (from its startup log) | ").append(threadsLine == null ? "(not found in log)" : threadsLine)
                .append(" |\n");
        md.append("| ONNX Runtime | ").append(ortVersion).append(", CPU; in-process intra-op threads ")
                .append(inprocIntraOp == 0 ? "0 (ORT default, spinning)" : inprocIntraOp + " (no spinning)")
                .append("; service intra-op threads passed ").append(intraOp == 0 ? "none (service default)" : Integer.toString(intraOp))
                .append(", inter-op ").append(interOp == 0 ? "none" : Integer.toString(interOp))
                .append("; service log: `").append(ortLine == null ? "(not found)" : ortLine)
                .append("`; ORT worker threads seen (native threads named after the session-creating thread "
                        + "`ort-session-init`, 2 sessions per process: encoder, decoder step): bench JVM ")
                .append(ortThreadsSelf).append(", service ").append(ortThreadsServer)
                .append(" |\n");
        md.append("| bench JVM (client + in-process) | `").append(String.join(" ",
                ManagementFactory.getRuntimeMXBean().getInputArguments())).append("`; Java ")
                .append(System.getProperty("java.version")).append(", GC ")
                .append(ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName)
                        .collect(Collectors.joining("/")))
                .append(", max heap ").append(Runtime.getRuntime().maxMemory() >> 20).append(" MiB |\n");
        md.append("| service command | `").append(String.join(" ", serverCommand)).append("` |\n");
        md.append("| service JVM flags (`jcmd VM.flags`) | `").append(serverFlags.replace("\n", " ").replace("|", "\\|"))
                .append("` |\n");
        md.append(String.format(Locale.ROOT, "| service startup to ready | %.1f s |\n", startupSec));
        md.append(String.format(Locale.ROOT, "| schedule | pre-warm: every configuration run %s s, unmeasured, "
                + "before round 1; %d round(s); per configuration %s s measured in total, "
                + "warm-up %s s before its first window and %s s before later ones; order per round: batch sizes %s, then "
                + "concurrencies %s (reversed in even rounds) |\n", f1(prewarmSec), rounds, f1(durationSec),
                f1(warmupSec), f1(warmupLaterSec), Arrays.toString(batchSizes), Arrays.toString(concurrencies)));
        md.append("| in-process | one thread calling `Seq2SeqPredictor.transduce(long[][], List<SearchOptions>, "
                + "RunControl.NONE)` on consecutive words of the list (every window of every path starts at the "
                + "first word); latency = one call (a whole batch); words/s = words / window |\n");
        md.append("| service client | same JVM, one HTTP/2 channel (grpc-java Netty, direct executor), async stub, "
                + "closed loop: N calls always in flight, each one word (`Decode`, model by name, beam width "
                + beamWidth + ", n_best " + nBest + "), no deadline; latency = call start to completion on the "
                + "client |\n");
        md.append("| CPU columns | CPU seconds / window seconds from /proc (utime+stime) of the bench JVM and the service, "
                + "and the machine's busy time minus both (other work on the shared machine) |\n");
        md.append("| server batch columns | deltas of `/q/metrics` `crossmodal_inference_batch_size_requests`, "
                + "`crossmodal_inference_queue_seconds`, `crossmodal_inference_compute_seconds` over the window plus "
                + "the drain |\n");
        return md.toString();
    }

    private static String topThreads(Map<String, Double> cpu, double seconds) {
        return cpu.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .filter(e -> e.getValue() / seconds >= 0.01).limit(6)
                .map(e -> String.format(Locale.ROOT, "`%s` %.2f", e.getKey(), e.getValue() / seconds))
                .collect(Collectors.joining(", "));
    }

    private static Result find(List<Result> rs, String config, int round) {
        for (Result r : rs) {
            if (r.config.equals(config) && r.round == round) {
                return r;
            }
        }
        return null;
    }

    private static String row(Result r) {
        String cpu = r.cpu == null ? "" : String.format(Locale.ROOT, "%.2f / %.2f / %.2f", r.cpu.self / r.seconds,
                r.cpu.server / r.seconds, Math.max(0, r.cpu.busy - r.cpu.self - r.cpu.server) / r.seconds);
        String batches = "";
        if (r.meters != null && r.meters.batches > 0) {
            batches = String.format(Locale.ROOT, "%.1f, %.2f, %.2f", r.meters.batchedRequests / r.meters.batches,
                    r.meters.queueCount > 0 ? 1000 * r.meters.queueSum / r.meters.queueCount : Double.NaN,
                    1000 * r.meters.computeSum / r.meters.batches);
        }
        return String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %,d | %d%s | %s | %s |\n", r.path, r.config,
                f1(r.wordsPerSec()), f1(r.callsPerSec()), f2(pct(r.latNanos, 50)), f2(pct(r.latNanos, 99)), r.calls,
                r.errors, r.errors > 0 ? " " + r.errorCodes : "", cpu, batches);
    }

    private static String loadString(double[] l) {
        return String.format(Locale.ROOT, "%.2f / %.2f / %.2f", l[0], l[1], l[2]);
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // ignore
        }
        return "unknown CPU";
    }
}
