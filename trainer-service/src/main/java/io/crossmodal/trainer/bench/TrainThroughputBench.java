package io.crossmodal.trainer.bench;

import io.crossmodal.runtime.io.Json;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.crossmodal.datasets.cmudict.Lexicon;
import io.crossmodal.datasets.split.DataSplit;
import io.crossmodal.datasets.split.SplitName;
import io.crossmodal.datasets.split.Splitter;
import io.crossmodal.trainer.config.JobConfig;
import io.crossmodal.trainer.job.Seq2SeqData;
import io.crossmodal.trainer.job.Seq2SeqJob;
import io.crossmodal.trainer.model.Seq2SeqBatch;
import io.crossmodal.trainer.model.Seq2SeqBlock;
import io.crossmodal.trainer.model.Seq2SeqSpec;
import io.crossmodal.trainer.progress.ProgressEvent;
import io.crossmodal.trainer.progress.ProgressListener;
import io.crossmodal.trainer.train.Batches;
import io.crossmodal.trainer.train.ComponentTrainer;
import io.crossmodal.trainer.train.Example;
import io.crossmodal.trainer.train.TrainSettings;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Training-throughput benchmark of the DJL trainer (the counterpart of
 * {@code benchmarks/train_throughput.py}, which trains the same architecture in plain PyTorch).
 *
 * <p>Two modes:
 * <ul>
 *   <li>{@code --write-pairs FILE [--config job.json] [--batch 64] [--batches 400]}: loads the
 *       lexicon, split and G2P paired examples exactly as {@link Seq2SeqJob} does, cuts them with
 *       {@link Batches#make} using the seed the real trainer uses for the g2p component's first
 *       epoch, and writes the first full batches in batch order: one pair per line,
 *       {@code src ids<TAB>tgt ids}, {@code batch} consecutive lines per batch. The vocabulary
 *       sizes go to {@code FILE.json}.</li>
 *   <li>{@code --pairs FILE --src-vocab V --tgt-vocab V [sizes] --warmup W --steps N --threads T}:
 *       trains a fresh {@link Seq2SeqBlock} with {@link ComponentTrainer} itself (Adam, global-norm
 *       clipping, summed NLL / tokens) for W + N steps over the file's batches in order (wrapping
 *       around if the file has fewer), times the last N steps and prints one JSON line (wall and
 *       process CPU time). {@code --lockstep K} lets a coordinator alternate this process with the
 *       PyTorch one every K timed steps (see {@code benchmarks/train-throughput.sh}).</li>
 * </ul>
 *
 * <p>The trainer is driven through its public API: its {@link ComponentTrainer.BatchEncoder} is
 * handed the file's next batch instead of the batch {@link ComponentTrainer} cut itself (it is
 * given placeholder examples, one batch each), so every timed step is the real training step:
 * padding, forward, backward, clipping, the Adam update and the progress event.
 */
public final class TrainThroughputBench {
    private static final ObjectMapper JSON = Json.MAPPER;

    private TrainThroughputBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = parse(args);
        if (opt.containsKey("write-pairs")) {
            writePairs(opt);
            return;
        }
        // PyTorch reads its thread counts once, when the engine loads: set them before any DJL call.
        int threads = intOpt(opt, "threads", 2);
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", opt.getOrDefault("interop-threads", "1"));
        System.setProperty("ai.djl.offline", "true");
        System.exit(train(opt, threads));
    }

    private static void writePairs(Map<String, String> opt) throws IOException {
        Path out = Path.of(opt.get("write-pairs"));
        JobConfig cfg = opt.containsKey("config") ? JobConfig.read(Path.of(opt.get("config")))
                : JobConfig.parse("{\"components\":[\"g2p\"]}");
        int batch = intOpt(opt, "batch", cfg.train().batchSize());
        int maxBatches = intOpt(opt, "batches", 400);
        Lexicon lexicon = Seq2SeqJob.loadLexicon(cfg);
        DataSplit split = Splitter.split(lexicon, cfg.splitConfig());
        Seq2SeqData data = new Seq2SeqData(lexicon, split);
        List<Example> train = data.g2p(SplitName.PAIRED);
        // The seeds Seq2SeqJob and ComponentTrainer use for the g2p component's first epoch, so the
        // file holds the batches the real trainer starts with (unless --seed overrides it).
        long componentSeed = cfg.seed() * 31 + "g2p".hashCode();
        long seed = opt.containsKey("seed") ? Long.parseLong(opt.get("seed")) : componentSeed;
        List<List<Example>> batches = Batches.make(train, batch, new Random(seed * 1_000_003L + 1), true);
        // Only full batches, so that "batch consecutive lines = one batch" holds for every reader.
        List<List<Example>> kept = batches.stream().filter(b -> b.size() == batch).limit(maxBatches).toList();
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            for (List<Example> b : kept) {
                for (Example e : b) {
                    w.write(ids(e.src()));
                    w.write('\t');
                    w.write(ids(e.tgt()));
                    w.write('\n');
                }
            }
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("src_vocab", data.graphemes.size());
        meta.put("tgt_vocab", data.phonemes.size());
        meta.put("batch", batch);
        meta.put("batches", kept.size());
        meta.put("pairs", kept.size() * batch);
        meta.put("paired_examples", train.size());
        meta.put("batches_seed", seed);
        meta.put("direction", "g2p");
        meta.put("config", opt.getOrDefault("config", "(defaults)"));
        JSON.writeValue(Path.of(out + ".json").toFile(), meta);
        System.out.println(JSON.writeValueAsString(meta));
    }

    private static int train(Map<String, String> opt, int threads) throws IOException {
        Path pairs = Path.of(require(opt, "pairs"));
        int batch = intOpt(opt, "batch", 64);
        int warmup = intOpt(opt, "warmup", 20);
        int steps = intOpt(opt, "steps", 100);
        long seed = Long.parseLong(opt.getOrDefault("seed", "1"));
        float lr = Float.parseFloat(opt.getOrDefault("lr", "0.002"));
        float clip = Float.parseFloat(opt.getOrDefault("clip", "5"));
        int lockstep = intOpt(opt, "lockstep", 0);
        if (warmup < 1 || steps < 1 || lockstep < 0) {
            throw new IllegalArgumentException("need --warmup >= 1, --steps >= 1 and --lockstep >= 0");
        }
        Seq2SeqSpec spec = new Seq2SeqSpec(intOpt(opt, "src-vocab", -1), intOpt(opt, "tgt-vocab", -1),
                intOpt(opt, "embed", 64), intOpt(opt, "enc-hidden", 128), intOpt(opt, "dec-hidden", 256));
        List<List<Example>> fileBatches = readBatches(pairs, batch);
        if (fileBatches.isEmpty()) {
            throw new IllegalArgumentException(pairs + ": no full batch of " + batch + " pairs");
        }
        int total = warmup + steps;
        // The pairs, tokens (targets + </s>) and loss of step k (1-based) of the run.
        long[] pairsAt = new long[total + 1];
        double[] tokensAt = new double[total + 1];
        for (int k = 1; k <= total; k++) {
            List<Example> b = fileBatches.get((k - 1) % fileBatches.size());
            pairsAt[k] = b.size();
            tokensAt[k] = b.stream().mapToLong(e -> e.tgt().length + 1L).sum();
        }

        Engine.getInstance().setRandomSeed((int) seed);
        Path ckpt = Files.createTempDirectory("train-throughput-");
        try (Model model = Model.newInstance("g2p")) {
            Seq2SeqBlock block = new Seq2SeqBlock(spec);
            model.setBlock(block);
            block.initializeAll(model.getNDManager());
            long params = 0;
            for (Pair<String, Parameter> p : block.getParameters()) {
                params += p.getValue().getArray().getShape().size();
            }

            // ComponentTrainer cuts its own batches from these placeholders (total batches of equal
            // length); the encoder substitutes the file's batches in order.
            List<Example> placeholders = new ArrayList<>();
            for (int i = 0; i < total * batch; i++) {
                placeholders.add(new Example(new long[] {4}, new long[] {4}));
            }
            int[] next = {0};
            ComponentTrainer.BatchEncoder encoder = (m, ignored) -> {
                List<Example> b = fileBatches.get(next[0]++ % fileBatches.size());
                return Seq2SeqBatch.pairs(m, b.stream().map(Example::src).toList(), b.stream().map(Example::tgt).toList());
            };

            double[] cumNll = new double[total + 1];
            Clock clock = new Clock(warmup, total, lockstep, pairsAt);
            ProgressListener listener = (ProgressEvent e) -> {
                if (e.phase().equals("train") && e.step() >= 1 && e.step() <= total) {
                    cumNll[(int) e.step()] = e.losses().get("nll");
                    clock.afterStep((int) e.step());
                }
            };
            TrainSettings settings = new TrainSettings(batch, lr, 1, total, 1, clip, 0.5f, seed);
            new ComponentTrainer(listener, () -> false).train("g2p", model, placeholders, encoder, true, settings,
                    () -> 0.0, "none", ckpt);
            if (next[0] != total) {
                throw new IllegalStateException("expected " + total + " steps, ran " + next[0]);
            }

            // Per-step loss (summed NLL / tokens) from the trainer's running epoch average.
            double[] stepLoss = new double[total + 1];
            double cumTokens = 0;
            double prevSum = 0;
            for (int k = 1; k <= total; k++) {
                cumTokens += tokensAt[k];
                double sum = cumNll[k] * cumTokens;
                stepLoss[k] = (sum - prevSum) / tokensAt[k];
                prevSum = sum;
            }
            long timedPairs = 0;
            for (int k = warmup + 1; k <= total; k++) {
                timedPairs += pairsAt[k];
            }
            double seconds = clock.seconds;
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("engine", "djl");
            r.put("words_per_sec", timedPairs / seconds);
            r.put("steps", steps);
            r.put("warmup", warmup);
            r.put("seconds", seconds);
            r.put("pairs", timedPairs);
            r.put("cpu_seconds", clock.cpuSeconds);
            r.put("words_per_cpu_sec", timedPairs / clock.cpuSeconds);
            r.put("lockstep_block", lockstep);
            r.put("initial_loss", stepLoss[1]);
            r.put("final_loss", stepLoss[total]);
            r.put("final_loss_avg10", mean(stepLoss, Math.max(1, total - 9), total));
            r.put("loss_first10", mean(stepLoss, 1, Math.min(10, total)));
            r.put("params", params);
            r.put("threads", threads);
            r.put("interop_threads", Integer.parseInt(System.getProperty("ai.djl.pytorch.num_interop_threads")));
            r.put("engine_version", "DJL " + Engine.getDjlVersion() + " / PyTorch " + Engine.getInstance().getVersion());
            r.put("batch", batch);
            r.put("sizes", Map.of("src_vocab", spec.srcVocab(), "tgt_vocab", spec.tgtVocab(), "embed", spec.embed(),
                    "enc_hidden", spec.encHidden(), "dec_hidden", spec.decHidden()));
            r.put("losses", Arrays.stream(stepLoss, 1, total + 1).mapToObj(v -> Math.round(v * 1e5) / 1e5).toList());
            System.out.println(JSON.writeValueAsString(r));
        } finally {
            deleteTree(ckpt);
        }
        return 0;
    }

    /**
     * Times the steps after warm-up: wall and process CPU time. With {@code lockstep = K > 0} the run
     * is driven by a coordinator that alternates engines every K steps: after warm-up it prints
     * {@code {"ready":true}} and waits for a line on stdin, then after every K timed steps it prints
     * the block's time and waits again, so only the time spent running steps is counted.
     */
    private static final class Clock {
        private final int warmup;
        private final int total;
        private final int block;
        private final long[] pairsAt;
        private final com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        private final java.io.BufferedReader in =
                new java.io.BufferedReader(new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8));
        private long wall0;
        private long cpu0;
        private int blockStart;
        private int blocks;
        double seconds;
        double cpuSeconds;

        Clock(int warmup, int total, int block, long[] pairsAt) {
            this.warmup = warmup;
            this.total = total;
            this.block = block;
            this.pairsAt = pairsAt;
        }

        void afterStep(int step) {
            if (step == warmup) {
                if (block > 0) {
                    emit("{\"ready\":true}");
                    await();
                }
                start(step);
            } else if (step > warmup && (step == total || (block > 0 && (step - warmup) % block == 0))) {
                double wall = (System.nanoTime() - wall0) / 1e9;
                double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
                seconds += wall;
                cpuSeconds += cpu;
                if (block > 0) {
                    long pairs = 0;
                    for (int k = blockStart + 1; k <= step; k++) {
                        pairs += pairsAt[k];
                    }
                    emit("{\"block\":" + blocks++ + ",\"steps\":" + (step - blockStart) + ",\"pairs\":" + pairs
                            + ",\"seconds\":" + wall + ",\"cpu_seconds\":" + cpu + "}");
                    if (step < total) {
                        await();
                    }
                }
                start(step);
            }
        }

        private void start(int step) {
            blockStart = step;
            cpu0 = os.getProcessCpuTime();
            wall0 = System.nanoTime();
        }

        private static void emit(String line) {
            System.out.println(line);
            System.out.flush();
        }

        private void await() {
            try {
                if (in.readLine() == null) {
                    throw new IllegalStateException("lockstep: coordinator closed stdin");
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    static List<List<Example>> readBatches(Path file, int batch) throws IOException {
        List<Example> all = new ArrayList<>();
        try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
            lines.filter(l -> !l.isBlank() && !l.startsWith("#")).forEach(l -> {
                String[] cols = l.split("\t");
                if (cols.length != 2) {
                    throw new IllegalArgumentException(file + ": expected 'src ids<TAB>tgt ids', got '" + l + "'");
                }
                all.add(new Example(parseIds(cols[0]), parseIds(cols[1])));
            });
        }
        List<List<Example>> out = new ArrayList<>();
        for (int i = 0; i + batch <= all.size(); i += batch) {
            out.add(List.copyOf(all.subList(i, i + batch)));
        }
        return out;
    }

    private static long[] parseIds(String s) {
        return Arrays.stream(s.trim().split(" +")).mapToLong(Long::parseLong).toArray();
    }

    private static String ids(long[] v) {
        return Arrays.stream(v).mapToObj(Long::toString).collect(Collectors.joining(" "));
    }

    private static double mean(double[] v, int from, int to) {
        double s = 0;
        for (int i = from; i <= to; i++) {
            s += v[i];
        }
        return s / (to - from + 1);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got '" + args[i] + "'");
            }
            out.put(args[i].substring(2), args[++i]);
        }
        return out;
    }

    private static String require(Map<String, String> opt, String name) {
        String v = opt.get(name);
        if (v == null) {
            throw new IllegalArgumentException("missing required option --" + name);
        }
        return v;
    }

    private static int intOpt(Map<String, String> opt, String name, int dflt) {
        String v = opt.get(name);
        return v == null ? dflt : Integer.parseInt(v);
    }
}
