package io.crossmodal.family.pvae.bench;

import io.crossmodal.proto.decoder.v1.DecodeRequest;
import io.crossmodal.proto.decoder.v1.DecodeResponse;
import io.crossmodal.proto.decoder.v1.DecoderGrpc;
import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.ComponentSpec;
import io.crossmodal.runtime.bundle.ModelRegistry;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * The measurement harness the speech families' serving benchmarks share (PVAE cross-modal generation, VQ-VAE
 * voice conversion): one spoken-digit recording per unit of work, done in process with ONNX Runtime directly
 * (batch sizes from {@code --batches}) and by the packaged decoder-service's {@code Decode} over gRPC (closed
 * loop, {@code --concurrency} calls in flight, one recording per call), same bundle, same recordings, same run,
 * rounds in ABBA order, after checking that the service's first answer equals the in-process one. A family's
 * bench supplies only the work: how to open the bundle, what one in-process batch does, the request, the
 * equality check and the report's description lines. Options are {@code --key=value} (see
 * benchmarks/serving/speech.sh).
 */
public abstract class SpeechDecodeBench {

    private final Map<String, String> opts = new HashMap<>();
    private List<byte[]> wavs;
    private Process server;

    protected SpeechDecodeBench(String[] args) {
        for (String a : args) {
            if (!a.startsWith("--") || !a.contains("=")) {
                throw new IllegalArgumentException("options are --key=value, got " + a);
            }
            opts.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
        }
    }

    /** Report title, after "# ". */
    protected abstract String title();

    /** The command that runs this bench, for the report. */
    protected abstract String command();

    /** The model name used when {@code --model} is not given. */
    protected abstract String defaultModel();

    /** Opens the bundle's graphs for the in-process path (called once, before the service starts). */
    protected abstract void open(Bundle bundle) throws Exception;

    /** The in-process path: what the service does for recordings {@code from .. from+b-1}, at once; returns the first result. */
    protected abstract Object inProcess(int from, int b);

    /** The service request for recording {@code i}. */
    protected abstract DecodeRequest request(String model, int i);

    /** Compares the service's answer for recording 0 with the in-process result; throws if they differ, else describes the check. */
    protected abstract String check(DecodeResponse service, Object inProcess);

    /** The report's description lines (each without the leading "- "): the inputs beyond the recordings, the work per recording. */
    protected abstract List<String> describe(Bundle bundle);

    /** Closes what {@link #open} opened. */
    protected abstract void close() throws Exception;

    /** One measured window: calls, recordings, latencies per call. */
    record Window(String config, int round, double seconds, long calls, long recordings, long[] latNanos) {
        double rate() {
            return recordings / seconds;
        }

        Window withRound(String cfg, int r) {
            return new Window(cfg, r, seconds, calls, recordings, latNanos);
        }
    }

    protected final String opt(String k, String dflt) {
        String v = opts.getOrDefault(k, dflt);
        if (v == null) {
            throw new IllegalArgumentException("--" + k + " is required");
        }
        return v;
    }

    protected final List<byte[]> wavs() {
        return wavs;
    }

    protected static byte[] graph(Bundle bundle, ComponentSpec c, String role) {
        return c.graphs().containsKey(role) ? bundle.readFile(c.graph(role).file()) : null;
    }

    /** Runs the whole benchmark, prints the report and writes it to {@code --out}, then exits the JVM. */
    protected final void runAndExit() throws Exception {
        run();
        System.exit(0);
    }

    private void run() throws Exception {
        Path registryDir = Path.of(opt("registry", null));
        String model = opt("model", defaultModel());
        ModelRegistry registry = new ModelRegistry(registryDir);
        // what the service serves by default: the production alias, else the latest version
        String v = opt("version", "default");
        int version = v.equals("default") ? registry.aliases(model).getOrDefault("production",
                registry.resolve(model, ModelRegistry.LATEST)) : registry.resolve(model, v);
        Bundle bundle = registry.load(model, Integer.toString(version));
        double[] loadStart = loadAvg();
        wavs = recordings(Path.of(opt("speech-dir", null)), Integer.parseInt(opt("recordings", "200")));
        int[] batches = ints(opt("batches", "1,32"));
        int[] conc = ints(opt("concurrency", "1,8,32"));
        int rounds = Integer.parseInt(opt("rounds", "2"));
        double duration = Double.parseDouble(opt("duration", "10"));
        double warm = Double.parseDouble(opt("warmup", "3"));
        List<Window> windows = new ArrayList<>();
        String checked;
        open(bundle);
        try {
            int port = startServer(registryDir, model);
            waitReady("http://127.0.0.1:" + port);
            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
            try {
                DecodeResponse first = DecoderGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                        .decode(request(model, 0));
                if (!Integer.toString(version).equals(first.getModelVersion())) {
                    throw new IllegalStateException("the service serves version " + first.getModelVersion() + ", the bench "
                            + version + " (set VERSION)");
                }
                checked = check(first, inProcess(0, 1));
                List<String> configs = configs(batches, conc);
                for (int r = 0; r < rounds; r++) {
                    List<String> order = new ArrayList<>(configs);
                    if (r % 2 == 1) {
                        Collections.reverse(order);
                    }
                    for (String cfg : order) {
                        int n = Integer.parseInt(cfg.substring(1));
                        if (cfg.startsWith("b")) {
                            measureInProcess(n, warm);
                            windows.add(measureInProcess(n, duration / rounds).withRound(cfg, r));
                        } else {
                            closedLoop(channel, model, n, warm);
                            windows.add(closedLoop(channel, model, n, duration / rounds).withRound(cfg, r));
                        }
                        System.err.printf(Locale.ROOT, "[bench] round %d %s: %.1f recordings/s%n", r + 1, cfg,
                                windows.get(windows.size() - 1).rate());
                    }
                }
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                server.destroy();
                server.waitFor(20, TimeUnit.SECONDS);
            }
        } finally {
            close();
        }
        String report = report(bundle, version, windows, loadStart, loadAvg(), checked, batches, conc);
        System.out.print(report);
        Files.writeString(Path.of(opt("out", null)), report);
    }

    private static List<String> configs(int[] batches, int[] conc) {
        List<String> configs = new ArrayList<>();
        Arrays.stream(batches).forEach(b -> configs.add("b" + b));
        Arrays.stream(conc).forEach(k -> configs.add("c" + k));
        return configs;
    }

    /** The first {@code n} test recordings (takes 0-4, name order) of a directory in FSDD's layout. */
    private static List<byte[]> recordings(Path dir, int n) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir.resolve("recordings"))) {
            files = s.filter(p -> p.getFileName().toString().matches("[0-9]_[A-Za-z0-9-]+_[0-4]\\.wav")).sorted().limit(n).toList();
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException(dir + "/recordings has no test recordings ({digit}_{speaker}_{0-4}.wav)");
        }
        List<byte[]> out = new ArrayList<>();
        for (Path f : files) {
            out.add(Files.readAllBytes(f));
        }
        return out;
    }

    private Window measureInProcess(int b, double seconds) {
        List<Long> lat = new ArrayList<>();
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        int i = 0;
        while (System.nanoTime() < end) {
            long t = System.nanoTime();
            inProcess(i, b);
            lat.add(System.nanoTime() - t);
            i += b;
        }
        double s = (System.nanoTime() - start) / 1e9;
        return new Window("b" + b, 0, s, lat.size(), (long) lat.size() * b, lat.stream().mapToLong(Long::longValue).toArray());
    }

    /** {@code k} threads, each with one blocking call in flight, on one channel. */
    private Window closedLoop(ManagedChannel channel, String model, int k, double seconds) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        List<List<Long>> lats = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        long start = System.nanoTime();
        for (int t = 0; t < k; t++) {
            List<Long> lat = new ArrayList<>();
            lats.add(lat);
            int offset = t * 7;
            Thread th = new Thread(() -> {
                DecoderGrpc.DecoderBlockingStub stub = DecoderGrpc.newBlockingStub(channel);
                int i = offset;
                try {
                    while (!stop.get()) {
                        DecodeRequest r = request(model, i++);
                        long t0 = System.nanoTime();
                        stub.withDeadlineAfter(60, TimeUnit.SECONDS).decode(r);
                        lat.add(System.nanoTime() - t0);
                    }
                } catch (RuntimeException e) {
                    errors.add(e);
                }
            });
            threads.add(th);
            th.start();
        }
        // the measured window itself: how long the closed loop runs (not an assertion)
        Thread.sleep((long) (seconds * 1000));
        stop.set(true);
        for (Thread th : threads) {
            th.join();
        }
        if (!errors.isEmpty()) {
            throw new IllegalStateException("calls failed: " + errors.get(0), errors.get(0));
        }
        double s = (System.nanoTime() - start) / 1e9;
        long[] all = lats.stream().flatMap(List::stream).mapToLong(Long::longValue).toArray();
        return new Window("c" + k, 0, s, all.length, all.length, all);
    }

    private int startServer(Path registryDir, String model) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.http.port=" + port, "-Dcrossmodal.registry.dir=" + registryDir, "-Dcrossmodal.models=" + model));
        String props = opts.getOrDefault("server-props", "");
        if (!props.isBlank()) {
            cmd.addAll(List.of(props.trim().split("\\s+")));
        }
        cmd.addAll(List.of("-jar", Path.of(opt("app", null), "quarkus-run.jar").toString()));
        server = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(Path.of(opt("server-log", null)).toFile()).start();
        return port;
    }

    private void waitReady(String base) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new IllegalStateException("decoder-service exited (" + server.exitValue() + "); see " + opt("server-log", null));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("decoder-service not ready after 180 s");
    }

    private String report(Bundle bundle, int version, List<Window> ws, double[] load0, double[] load1, String checked,
            int[] batches, int[] conc) {
        StringBuilder sb = new StringBuilder();
        sb.append("# ").append(title()).append("\n\n");
        sb.append("Run ").append(Instant.now()).append(" by `").append(command()).append('`')
                .append(opts.containsKey("note") ? " (" + opts.get("note") + ")" : "").append(".\n\n");
        sb.append(String.format(Locale.ROOT, "- bundle %s/%d (%s), %d recordings from %s%n",
                bundle.model(), version, bundle.directory(), wavs.size(), opt("speech-dir", null)));
        for (String line : describe(bundle)) {
            sb.append("- ").append(line).append('\n');
        }
        sb.append(String.format(Locale.ROOT, "- machine: %d CPUs (%s); load average %.2f at start, %.2f at end; java %s%n",
                Runtime.getRuntime().availableProcessors(), cpuModel(), load0[0], load1[0], System.getProperty("java.version")));
        sb.append("- ").append(checked).append("\n");
        sb.append(String.format(Locale.ROOT, "- %s s measured per configuration in %s rounds (ABBA), %s s warm-up before each%n%n",
                opt("duration", "10"), opt("rounds", "2"), opt("warmup", "3")));
        sb.append("| path | config | recordings/s | p50 ms | p99 ms | per round (recordings/s) |\n|---|---|---|---|---|---|\n");
        Map<String, Window> pooled = new HashMap<>();
        for (String cfg : configs(batches, conc)) {
            List<Window> mine = ws.stream().filter(w -> w.config().equals(cfg)).toList();
            long calls = mine.stream().mapToLong(Window::calls).sum();
            long recs = mine.stream().mapToLong(Window::recordings).sum();
            double secs = mine.stream().mapToDouble(Window::seconds).sum();
            long[] lat = mine.stream().flatMapToLong(w -> Arrays.stream(w.latNanos())).sorted().toArray();
            Window p = new Window(cfg, -1, secs, calls, recs, lat);
            pooled.put(cfg, p);
            sb.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %.2f | %.2f | %s |%n", cfg.startsWith("b") ? "in-process" : "gRPC",
                    cfg.startsWith("b") ? "batch " + cfg.substring(1) : cfg.substring(1) + " in flight", p.rate(), pct(lat, 0.5),
                    pct(lat, 0.99), String.join(" / ", mine.stream().map(w -> String.format(Locale.ROOT, "%.1f", w.rate())).toList())));
        }
        String bBig = "b" + batches[batches.length - 1];
        String cBig = "c" + conc[conc.length - 1];
        String b1 = "b" + batches[0];
        String c1 = "c" + conc[0];
        sb.append(String.format(Locale.ROOT, "%nService %s / in-process %s throughput: %.0f %%; service %s p50 - in-process %s p50: %.2f ms%n",
                cBig, bBig, 100 * pooled.get(cBig).rate() / pooled.get(bBig).rate(), c1, b1,
                pct(pooled.get(c1).latNanos(), 0.5) - pct(pooled.get(b1).latNanos(), 0.5)));
        return sb.toString();
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        long[] s = sorted.clone();
        Arrays.sort(s);
        return s[(int) Math.min(s.length - 1, Math.floor(p * s.length))] / 1e6;
    }

    private static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
    }

    private static double[] loadAvg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2])};
        } catch (IOException | RuntimeException e) {
            return new double[] {Double.NaN, Double.NaN, Double.NaN};
        }
    }

    private static String cpuModel() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst()
                    .orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
