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

/**
 * The study's results: per (group, system) the mean, spread and range over seeds of test PER and
 * WER in both directions, the noisy-channel-vs-supervised comparison per paired size, and every
 * run with its seed and bundle. Written as {@code results.json} and {@code results.md}.
 */
public record StudyReport(String study, String command, String createdAt, String sourceCommit,
        List<Row> rows, List<Comparison> comparisons, List<RunResult> runs) {

    public static final List<String> METRICS = List.of("g2p.per", "g2p.wer", "p2g.per", "p2g.wer");
    private static final ObjectMapper JSON = Json.MAPPER;

    /** One (group, system) cell: metric -> stats over its seeds. */
    public record Row(String group, int paired, String system, List<Long> seeds, Map<String, Stats> test,
            double meanSeconds) {}

    /**
     * A system against the supervised baseline at one paired size: relative change of each metric's
     * mean ((system - supervised) / supervised; negative = better) and whether it is better beyond
     * the seed spread ({@link Stats#beatsBeyondSpread}).
     */
    public record Comparison(int paired, String system, Map<String, Double> relativeChange,
            Map<String, Boolean> beyondSpread) {}

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
                    for (String m : METRICS) {
                        Stats s = other.test().get(m);
                        Stats b = base.test().get(m);
                        rel.put(m, (s.mean() - b.mean()) / b.mean());
                        beyond.put(m, s.n() > 1 && b.n() > 1 && s.beatsBeyondSpread(b));
                    }
                    comparisons.add(new Comparison(base.paired(), other.system(), rel, beyond));
                }
            }
        }
        return new StudyReport(cfg.name(), "scripts/crossmodal study --config <study config>", Instant.now().toString(),
                gitCommit(), rows, comparisons, results);
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
        if (!comparisons.isEmpty()) {
            md.append("\n## Against supervised-only at the same paired size\n\n");
            md.append("Relative change of the mean (negative = fewer errors); ✓ = better than supervised beyond the seed")
                    .append(" spread (every seed better than every supervised seed, and the mean gap larger than either sd).\n\n");
            md.append("| paired | system | G2P PER | G2P WER | P2G PER | P2G WER |\n|---:|---|---|---|---|---|\n");
            for (Comparison c : comparisons) {
                md.append("| ").append(c.paired()).append(" | ").append(c.system());
                for (String m : METRICS) {
                    md.append(String.format(Locale.ROOT, " | %+.1f%% %s", 100 * c.relativeChange().get(m),
                            c.beyondSpread().get(m) ? "✓" : "✗"));
                }
                md.append(" |\n");
            }
        }
        md.append("\n## Runs\n\n| run | seed | G2P PER % | G2P WER % | P2G PER % | P2G WER % | dev PER G2P/P2G % | bundle | s |\n");
        md.append("|---|---:|---:|---:|---:|---:|---|---|---:|\n");
        for (RunResult r : runs) {
            boolean isBest = best.containsKey(r.group()) && best.get(r.group()).id().equals(r.id());
            md.append(String.format(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f / %.2f | %s | %.0f |%n", r.id(),
                    r.seed(), 100 * r.test().get("g2p.per"), 100 * r.test().get("g2p.wer"), 100 * r.test().get("p2g.per"),
                    100 * r.test().get("p2g.wer"), 100 * r.dev().get("g2p.per"), 100 * r.dev().get("p2g.per"),
                    r.version() == null ? "-" : study + "-" + r.group() + "/" + r.version() + (isBest ? " **best**" : ""),
                    r.seconds()));
        }
        return md.toString();
    }

    private static String fmt(Stats s) {
        if (s.n() == 1) {
            return String.format(Locale.ROOT, "%.2f", 100 * s.mean());
        }
        return String.format(Locale.ROOT, "%.2f ± %.2f [%.2f, %.2f]", 100 * s.mean(), 100 * s.sd(), 100 * s.min(), 100 * s.max());
    }
}
