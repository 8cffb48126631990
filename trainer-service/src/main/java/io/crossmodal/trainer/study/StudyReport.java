package io.crossmodal.trainer.study;

import io.crossmodal.runtime.io.Json;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import io.crossmodal.family.seq2seq.eval.WordScore;
import io.crossmodal.lifecycle.gate.PairedBootstrap;
import io.crossmodal.trainer.family.seq2seq.Seq2SeqScores;

/**
 * The study's results: per (group, system) the mean, spread and range over seeds of test PER and
 * WER in both directions, the noisy-channel-vs-supervised comparison per paired size, and every
 * run with its seed and bundle. Written as {@code results.json} and {@code results.md}.
 */
public record StudyReport(String study, String command, String createdAt, String sourceCommit,
        List<Row> rows, List<Comparison> comparisons, List<RunResult> runs) {

    public static final List<String> METRICS = List.of("g2p.per", "g2p.wer", "p2g.per", "p2g.wer");
    /** Test metrics after noisy-channel reranking (runs with {@code semi.rerank}). */
    public static final List<String> RERANKED = List.of("g2p.rerank.per", "g2p.rerank.wer", "p2g.rerank.per", "p2g.rerank.wer");
    private static final ObjectMapper JSON = Json.MAPPER;

    /** One (group, system) cell: metric -> stats over its seeds. */
    public record Row(String group, int paired, String system, List<Long> seeds, Map<String, Stats> test,
            double meanSeconds) {}

    /**
     * A system against the supervised baseline at one paired size: relative change of each metric's
     * mean ((system - supervised) / supervised; negative = better), whether it is better beyond
     * the seed spread ({@link Stats#beatsBeyondSpread}, the old rule, kept for comparison), and the
     * robust rule: a paired bootstrap over test words ({@link PairedBootstrap}, as the promotion gate
     * uses), each seed of the system paired with the same seed of supervised on the same words, all
     * seeds pooled; {@code better} when the whole 95 % interval of (system - supervised) is below 0.
     * The bootstrap is absent for runs without per-word scores (made before they were recorded).
     */
    public record Comparison(int paired, String system, Map<String, Double> relativeChange,
            Map<String, Boolean> beyondSpread, Map<String, PairedBootstrap.Interval> bootstrap,
            Map<String, Boolean> better) {
        public Comparison(int paired, String system, Map<String, Double> relativeChange, Map<String, Boolean> beyondSpread) {
            this(paired, system, relativeChange, beyondSpread, Map.of(), Map.of());
        }
    }

    static final int BOOTSTRAP_SAMPLES = 2000;
    static final long BOOTSTRAP_SEED = 1;

    public static StudyReport of(StudyConfig cfg, List<RunResult> results) {
        Map<String, List<RunResult>> cells = new LinkedHashMap<>();
        for (RunResult r : results) {
            cells.computeIfAbsent(r.group() + "\u0000" + r.system(), k -> new ArrayList<>()).add(r);
        }
        List<Row> rows = new ArrayList<>();
        for (List<RunResult> cell : cells.values()) {
            Map<String, Stats> test = new LinkedHashMap<>();
            for (String m : METRICS) {
                test.put(m, Stats.of(cell.stream().map(r -> r.test().get(m)).toList()));
            }
            for (String m : RERANKED) {
                if (cell.stream().allMatch(r -> r.test().containsKey(m))) {
                    test.put(m, Stats.of(cell.stream().map(r -> r.test().get(m)).toList()));
                }
            }
            RunResult first = cell.get(0);
            rows.add(new Row(first.group(), first.paired(), first.system(), cell.stream().map(RunResult::seed).toList(), test,
                    cell.stream().mapToDouble(RunResult::seconds).average().orElse(0)));
        }
        rows.sort(java.util.Comparator.comparingInt((Row r) -> r.paired() < 0 ? Integer.MAX_VALUE : r.paired())
                .thenComparing(Row::group)
                .thenComparingInt(r -> new ArrayList<>(cfg.systems().keySet()).indexOf(r.system())));
        List<Comparison> comparisons = new ArrayList<>();
        for (Row base : rows) {
            if (!base.system().equals(StudyConfig.SUPERVISED) || base.paired() <= 0) {
                continue;
            }
            for (Row other : rows) {
                if (other.group().equals(base.group()) && !other.system().equals(StudyConfig.SUPERVISED)) {
                    Map<String, Double> rel = new LinkedHashMap<>();
                    Map<String, Boolean> beyond = new LinkedHashMap<>();
                    Map<String, PairedBootstrap.Interval> boot = new LinkedHashMap<>();
                    Map<String, Boolean> better = new LinkedHashMap<>();
                    for (String m : METRICS) {
                        Stats s = other.test().get(m);
                        Stats b = base.test().get(m);
                        rel.put(m, (s.mean() - b.mean()) / b.mean());
                        beyond.put(m, s.n() > 1 && b.n() > 1 && s.beatsBeyondSpread(b));
                        PairedBootstrap.Interval iv = bootstrap(cfg, results, base, other, m);
                        if (iv != null) {
                            boot.put(m, iv);
                            better.put(m, iv.upper() < 0);
                        }
                    }
                    comparisons.add(new Comparison(base.paired(), other.system(), rel, beyond, boot, better));
                }
            }
        }
        return new StudyReport(cfg.name(), "scripts/crossmodal study --config <study config>", Instant.now().toString(),
                gitCommit(), rows, comparisons, results);
    }

    /**
     * Paired bootstrap of (system - supervised) for one metric ({@code g2p.per}, {@code p2g.wer}, ...)
     * over the test words of every seed both systems ran, or null when a run lacks per-word scores
     * (the seq2seq family's per-word {@code per} / {@code wer}, {@link Seq2SeqScores}).
     */
    static PairedBootstrap.Interval bootstrap(StudyConfig cfg, List<RunResult> results, Row base, Row other, String metric) {
        String component = metric.substring(0, 3);
        boolean wer = metric.endsWith(".wer");
        List<WordScore> a = new ArrayList<>();
        List<WordScore> b = new ArrayList<>();
        for (long seed : other.seeds()) {
            if (!base.seeds().contains(seed)) {
                continue;
            }
            List<WordScore> sa = scores(cfg, find(results, other, seed), component);
            List<WordScore> sb = scores(cfg, find(results, base, seed), component);
            if (sa == null || sb == null) {
                return null;
            }
            a.addAll(sa);
            b.addAll(sb);
        }
        if (a.isEmpty()) {
            return null;
        }
        return PairedBootstrap.difference(wer ? "wer" : "per", Seq2SeqScores.of(a), Seq2SeqScores.of(b), BOOTSTRAP_SAMPLES,
                0.95, BOOTSTRAP_SEED);
    }

    private static RunResult find(List<RunResult> results, Row row, long seed) {
        return results.stream().filter(r -> r.group().equals(row.group()) && r.system().equals(row.system())
                && r.seed() == seed).findFirst().orElseThrow();
    }

    private static List<WordScore> scores(StudyConfig cfg, RunResult r, String component) {
        Path f = Path.of(cfg.outDir(), "runs", r.id(), "scores-" + component + ".json");
        if (!Files.isRegularFile(f)) {
            return null;
        }
        try {
            return JSON.readValue(f.toFile(), new com.fasterxml.jackson.core.type.TypeReference<List<WordScore>>() {});
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("unreadable per-word scores " + f, e);
        }
    }

    private static String gitCommit() {
        String env = System.getenv("CROSSMODAL_SOURCE_COMMIT");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").redirectErrorStream(true).start();
            String s = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor() == 0 ? s : "unknown";
        } catch (IOException | InterruptedException e) {
            return "unknown";
        }
    }

    /** The same report naming the command that produced it. */
    public StudyReport withCommand(String cmd) {
        return new StudyReport(study, cmd, createdAt, sourceCommit, rows, comparisons, runs);
    }

    /** Writes {@code results.json} and {@code results.md}, each atomically (a crash leaves the previous file). */
    public void write(Path dir, Map<String, RunResult> best) throws IOException {
        writeAtomically(dir.resolve("results.json"), JSON.writeValueAsString(this));
        writeAtomically(dir.resolve("results.md"), markdown(best));
    }

    private static void writeAtomically(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    String markdown(Map<String, RunResult> best) {
        StringBuilder md = new StringBuilder();
        md.append("# Noisy-channel study: ").append(study).append("\n\n");
        md.append("Generated ").append(createdAt).append(" at commit `").append(sourceCommit)
                .append("` by `").append(command).append("`. Test metrics: beam search over the exported ONNX")
                .append(" graphs on the same test words for every run; mean ± sample sd [min, max] over the seeds listed.\n\n");
        md.append("| paired | system | seeds | G2P PER % | G2P WER % | P2G PER % | P2G WER % | s/run |\n");
        md.append("|---:|---|---|---|---|---|---|---:|\n");
        for (Row r : rows) {
            md.append("| ").append(r.paired() < 0 ? "all" : r.paired() == 0 ? "0 (" + r.group().substring(3) + ")" : r.paired())
                    .append(" | ").append(r.system()).append(" | ").append(r.seeds().toString().replace(" ", ""));
            for (String m : METRICS) {
                md.append(" | ").append(fmt(r.test().get(m)));
            }
            md.append(String.format(Locale.ROOT, " | %.0f |%n", r.meanSeconds()));
        }
        if (rows.stream().anyMatch(r -> r.test().containsKey(RERANKED.get(0)))) {
            md.append("\n## With noisy-channel reranking at test time\n\n")
                    .append("The beam n-best of each direction rescored with the other models (λ chosen on dev per run;")
                    .append(" docs/NOISY_CHANNEL.md), same test words.\n\n");
            md.append("| paired | system | seeds | G2P PER % | G2P WER % | P2G PER % | P2G WER % |\n");
            md.append("|---:|---|---|---|---|---|---|\n");
            for (Row r : rows) {
                if (!r.test().containsKey(RERANKED.get(0))) {
                    continue;
                }
                md.append("| ").append(r.paired()).append(" | ").append(r.system()).append(" | ")
                        .append(r.seeds().toString().replace(" ", ""));
                for (String m : RERANKED) {
                    md.append(" | ").append(r.test().containsKey(m) ? fmt(r.test().get(m)) : "-");
                }
                md.append(" |\n");
            }
        }
        if (!comparisons.isEmpty()) {
            md.append("\n## Against supervised-only at the same paired size\n\n");
            md.append("Relative change of the mean (negative = fewer errors). The decision is a paired bootstrap over")
                    .append(" test words (each seed paired with the same supervised seed, seeds pooled, 2,000 resamples):")
                    .append(" ✓ = the whole 95 % interval of the difference (points, in brackets) is below 0. Where a run")
                    .append(" lacks per-word scores, the old seed-spread rule decides instead (marked s✓/s✗: every seed")
                    .append(" better than every supervised seed, and the mean gap larger than either sd).\n\n");
            md.append("| paired | system | G2P PER | G2P WER | P2G PER | P2G WER |\n|---:|---|---|---|---|---|\n");
            for (Comparison c : comparisons) {
                md.append("| ").append(c.paired()).append(" | ").append(c.system());
                for (String m : METRICS) {
                    PairedBootstrap.Interval iv = c.bootstrap().get(m);
                    String mark = iv != null
                            ? String.format(Locale.ROOT, "%s [%+.2f, %+.2f]", c.better().get(m) ? "✓" : "✗",
                                    100 * iv.lower(), 100 * iv.upper())
                            : (c.beyondSpread().get(m) ? "s✓" : "s✗");
                    md.append(String.format(Locale.ROOT, " | %+.1f%% %s", 100 * c.relativeChange().get(m), mark));
                }
                md.append(" |\n");
            }
        }
        java.util.Set<String> machines = new java.util.TreeSet<>();
        runs.forEach(r -> machines.add(r.machine() == null ? "not recorded" : r.machine()));
        md.append("\nMachines (CPU model; runs are deterministic per machine, not across processors): ")
                .append(String.join("; ", machines)).append(".\n");
        md.append("\n## Runs\n\n| run | seed | G2P PER % | G2P WER % | P2G PER % | P2G WER % | dev PER G2P/P2G % | bundle | s |")
                .append(" non-finite skips (warm-up g2p/p2g/prior, semi) |\n");
        md.append("|---|---:|---:|---:|---:|---:|---|---|---:|---|\n");
        for (RunResult r : runs) {
            boolean isBest = best.containsKey(r.group()) && best.get(r.group()).id().equals(r.id());
            md.append(String.format(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f / %.2f | %s | %.0f |%n", r.id(),
                    r.seed(), 100 * r.test().get("g2p.per"), 100 * r.test().get("g2p.wer"), 100 * r.test().get("p2g.per"),
                    100 * r.test().get("p2g.wer"), 100 * r.dev().get("g2p.per"), 100 * r.dev().get("p2g.per"),
                    r.version() == null ? "-" : study + "-" + r.group() + "/" + r.version() + (isBest ? " **best**" : ""),
                    r.seconds()).replaceFirst("\\|\\n$", "| " + skips(r) + " |\n"));
        }
        return md.toString();
    }

    private static String skips(RunResult r) {
        if (r.nonFinite() == null) {
            return "not recorded";
        }
        Map<String, Object> n = r.nonFinite();
        String first = n.containsKey("semi.nonfinite_first") ? " (first: " + n.get("semi.nonfinite_first") + ")" : "";
        return n.getOrDefault("g2p.train.nonfinite_skips", "?") + "/" + n.getOrDefault("p2g.train.nonfinite_skips", "?") + "/"
                + n.getOrDefault("prior.train.nonfinite_skips", "?") + ", " + n.getOrDefault("semi.nonfinite_skips", "-") + first;
    }

    private static String fmt(Stats s) {
        if (s.n() == 1) {
            return String.format(Locale.ROOT, "%.2f", 100 * s.mean());
        }
        return String.format(Locale.ROOT, "%.2f ± %.2f [%.2f, %.2f]", 100 * s.mean(), 100 * s.sd(), 100 * s.min(), 100 * s.max());
    }
}
