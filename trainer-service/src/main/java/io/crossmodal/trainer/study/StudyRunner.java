package io.crossmodal.trainer.study;

import io.crossmodal.runtime.bundle.ModelRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a {@link StudyConfig}: each run is a separate trainer process ({@code TrainerCli train}) so a
 * crash or a leak in one run cannot touch the others, its log goes to {@code <runDir>/train.log},
 * and a finished run records {@code study-result.json}; a re-started study skips finished runs, so
 * an interrupted study resumes where it stopped. Then it writes the results table, the plots, and
 * points the {@code best} and {@code production} aliases of each group's model at its best run
 * (lowest dev PER, both directions summed: chosen on dev, never on test).
 */
public final class StudyRunner {
    private static final Pattern BUNDLE = Pattern.compile("^bundle: (\\S+)/(\\d+) in ", Pattern.MULTILINE);

    private final StudyConfig cfg;
    private final java.io.PrintStream out;
    private final String command;

    public StudyRunner(StudyConfig cfg, java.io.PrintStream out) {
        this(cfg, out, "scripts/crossmodal study --config <study config>");
    }

    /** {@code command} is recorded in the results as what produced them. */
    public StudyRunner(StudyConfig cfg, java.io.PrintStream out, String command) {
        this.cfg = cfg;
        this.out = out;
        this.command = command;
    }

    /** Runs what is not finished yet (matching {@code only}, a regex on run ids, or all), then reports. */
    public List<RunResult> run(String only, boolean dryRun) throws IOException, InterruptedException {
        java.util.regex.Pattern filter;
        try {
            filter = only == null ? null : java.util.regex.Pattern.compile(only);
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new IllegalArgumentException("--only is not a valid regular expression: " + e.getDescription());
        }
        List<StudyConfig.Run> plan = cfg.plan();
        List<StudyConfig.Run> todo = new ArrayList<>();
        int finished = 0;
        for (StudyConfig.Run r : plan) {
            boolean isDone = RunResult.load(runDir(r)) != null;
            finished += isDone ? 1 : 0;
            if (!isDone && (filter == null || filter.matcher(r.id()).matches())) {
                todo.add(r);
            }
        }
        out.printf(Locale.ROOT, "study %s: %d runs planned, %d finished, %d to run now (parallel %d) -> %s%n", cfg.name(),
                plan.size(), finished, todo.size(), cfg.parallel(), cfg.outDir());
        if (dryRun) {
            todo.forEach(r -> out.println("  would run " + r.id()));
            return List.of();
        }
        Files.createDirectories(Path.of(cfg.outDir()));
        long start = System.nanoTime();
        AtomicInteger done = new AtomicInteger();
        List<String> failed = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(cfg.parallel());
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (StudyConfig.Run r : todo) {
                fs.add(pool.submit(() -> {
                    try {
                        RunResult res = execute(r);
                        int k = done.incrementAndGet();
                        double elapsed = (System.nanoTime() - start) / 1e9;
                        double eta = elapsed / k * (todo.size() - k);
                        out.printf(Locale.ROOT, "[%d/%d] %-32s %5.0f s  G2P PER %5.2f%% WER %5.2f%%  P2G PER %5.2f%% WER %5.2f%%"
                                        + "  elapsed %s eta %s%n", k, todo.size(), r.id(), res.seconds(),
                                100 * res.test().get("g2p.per"), 100 * res.test().get("g2p.wer"),
                                100 * res.test().get("p2g.per"), 100 * res.test().get("p2g.wer"), hms(elapsed), hms(eta));
                    } catch (Exception e) {
                        done.incrementAndGet();
                        failed.add(r.id());
                        out.printf("[FAILED] %s: %s (log: %s)%n", r.id(), e.getMessage(), runDir(r).resolve("train.log"));
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        List<RunResult> results = collect(plan);
        report(results);
        if (!failed.isEmpty()) {
            throw new IllegalStateException(failed.size() + " study runs failed: " + failed);
        }
        return results;
    }

    /**
     * Runs the plan's run number {@code index} (0-based, plan order) unless it has finished: one pod of the
     * study's Kubernetes Indexed Job ({@link StudyJobManifest}). No report: the runs of the other indexes are
     * not done yet; {@code --report-only} gathers them all from the shared volume afterwards.
     */
    public RunResult runIndex(int index) throws IOException, InterruptedException {
        List<StudyConfig.Run> plan = cfg.plan();
        if (index < 0 || index >= plan.size()) {
            throw new IllegalArgumentException("study " + cfg.name() + " has runs 0.." + (plan.size() - 1) + ", got index " + index);
        }
        StudyConfig.Run r = plan.get(index);
        RunResult done = RunResult.load(runDir(r));
        if (done != null) {
            out.printf(Locale.ROOT, "study %s run %d (%s): already finished%n", cfg.name(), index, r.id());
            return done;
        }
        out.printf(Locale.ROOT, "study %s run %d of %d: %s -> %s%n", cfg.name(), index, plan.size(), r.id(), runDir(r));
        Files.createDirectories(Path.of(cfg.outDir()));
        RunResult res = execute(r);
        out.printf(Locale.ROOT, "%s finished in %.0f s%n", r.id(), res.seconds());
        return res;
    }

    /** Results of every finished run of the plan. */
    public List<RunResult> collect(List<StudyConfig.Run> plan) throws IOException {
        List<RunResult> results = new ArrayList<>();
        for (StudyConfig.Run r : plan) {
            RunResult res = RunResult.load(runDir(r));
            if (res != null) {
                results.add(res);
            }
        }
        return results;
    }

    /** Writes the table and plots and moves each group's {@code best} alias. */
    public void report(List<RunResult> results) throws IOException {
        if (results.isEmpty()) {
            out.println("no finished runs to report");
            return;
        }
        Path resultsDir = Path.of(cfg.resultsDir());
        Files.createDirectories(resultsDir);
        StudyReport report = StudyReport.of(cfg, results).withCommand(command);
        Map<String, RunResult> best = bestPerGroup(results);
        promoteBest(best);
        report.write(resultsDir, best);
        StudyPlots.write(cfg, report, resultsDir);
        out.println("results: " + resultsDir.resolve("results.md").toAbsolutePath());
    }

    private Path runDir(StudyConfig.Run r) {
        return Path.of(r.job().runDir());
    }

    private RunResult execute(StudyConfig.Run r) throws IOException, InterruptedException {
        Path dir = runDir(r);
        Files.createDirectories(dir);
        Path jobFile = dir.resolve("job.json");
        Files.writeString(jobFile, r.job().toJson());
        Path log = dir.resolve("train.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = List.of(java, "-Xmx3g", "-Djava.awt.headless=true", "-Dai.djl.offline=true",
                "-cp", System.getProperty("java.class.path"), "io.crossmodal.trainer.cli.TrainerCli", "train",
                "--config", jobFile.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putIfAbsent("OMP_WAIT_POLICY", "PASSIVE");
        long t0 = System.nanoTime();
        Process p = pb.start();
        int rc;
        try {
            rc = p.waitFor();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            throw e;
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (rc != 0) {
            throw new IllegalStateException("trainer exited with " + rc);
        }
        Matcher m = BUNDLE.matcher(Files.readString(log));
        Integer version = null;
        while (m.find()) {
            version = Integer.parseInt(m.group(2));
        }
        RunResult res = RunResult.read(r, dir, version, seconds);
        res.save(dir);
        return res;
    }

    /** Per group, the run with the lowest summed dev PER of both directions. */
    static Map<String, RunResult> bestPerGroup(List<RunResult> results) {
        Map<String, RunResult> best = new LinkedHashMap<>();
        Comparator<RunResult> byDev = Comparator.comparingDouble(r -> r.dev().get("g2p.per") + r.dev().get("p2g.per"));
        for (RunResult r : results) {
            best.merge(r.group(), r, (a, b) -> byDev.compare(b, a) < 0 ? b : a);
        }
        return best;
    }

    private void promoteBest(Map<String, RunResult> best) {
        ModelRegistry registry = new ModelRegistry(Path.of(cfg.outDir(), "registry"));
        best.forEach((group, r) -> {
            if (r.version() != null) {
                String model = cfg.name() + "-" + group;
                registry.setAlias(model, "best", r.version());
                out.printf("best of %s: %s (dev PER g2p %.4f p2g %.4f) = %s/%d (alias 'best')%n", group, r.id(),
                        r.dev().get("g2p.per"), r.dev().get("p2g.per"), model, r.version());
            }
        });
    }

    static String hms(double seconds) {
        if (!Double.isFinite(seconds)) {
            return "?";
        }
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }
}
