package io.crossmodal.trainer.progress;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * A one-line progress bar with ETA on a terminal (carriage return), or one line every few
 * seconds when the output is not a terminal (CI logs, files).
 */
public final class ConsoleProgress implements ProgressListener {
    private final PrintStream out;
    private final boolean tty;
    private long lastPrint;

    public ConsoleProgress(PrintStream out) {
        this.out = out;
        this.tty = System.console() != null;
    }

    @Override
    public void onProgress(ProgressEvent e) {
        long now = System.nanoTime();
        boolean milestone = e.phase().equals("eval") || e.phase().equals("done") || e.step() == e.totalSteps();
        if (!milestone && now - lastPrint < (tty ? 200_000_000L : 10_000_000_000L)) {
            return;
        }
        lastPrint = now;
        double frac = e.totalSteps() > 0 ? Math.min(1.0, (double) e.step() / e.totalSteps()) : 0;
        int width = 30;
        int filled = (int) Math.round(frac * width);
        String bar = "#".repeat(filled) + "-".repeat(width - filled);
        String line = String.format(Locale.ROOT, "[%s] %-6s %3.0f%% ep %d/%d step %d/%d %s%s elapsed %s eta %s%s",
                bar, e.component(), 100 * frac, e.epoch(), e.epochs(), e.step(), e.totalSteps(),
                fmt(e.losses()), fmt(e.devMetrics()), hms(e.elapsedSeconds()), hms(e.etaSeconds()),
                e.message() == null || e.message().isEmpty() ? "" : " " + e.message());
        if (tty && !milestone) {
            out.print("\r" + line);
        } else {
            out.println((tty ? "\r" : "") + line);
        }
        out.flush();
    }

    private static String fmt(Map<String, Double> m) {
        StringBuilder sb = new StringBuilder();
        m.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "%s=%.4f ", k, v)));
        return sb.toString();
    }

    static String hms(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) {
            return "?";
        }
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }
}
