package io.crossmodal.trainer.study;

import io.crossmodal.runtime.io.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * The study's figures: error rate against paired size per system (mean with min-max bars over
 * seeds, the all-pairs ceiling as a dashed line), and per paired size the learning curves of the
 * noisy-channel runs (ELBO, losses, dev PER against the supervised runs' dev PER), from each run's
 * {@code semi-history.json}.
 */
final class StudyPlots {
    private static final ObjectMapper JSON = Json.MAPPER;

    /** One colour per system, the same in every panel and figure. */
    /** One colour per system of a study config (ten, so a seven-system grid never repeats one). */
    private static final Color[] PALETTE = {new Color(0xD62728), new Color(0x1F77B4), new Color(0x2CA02C), new Color(0xFF7F0E),
        new Color(0x9467BD), new Color(0x8C564B), new Color(0xE377C2), new Color(0x7F7F7F), new Color(0xBCBD22),
        new Color(0x17BECF)};

    private StudyPlots() {}

    private static Color colour(StudyConfig cfg, String system) {
        int i = new ArrayList<>(cfg.systems().keySet()).indexOf(system);
        return PALETTE[Math.floorMod(i, PALETTE.length)];
    }

    static void write(StudyConfig cfg, StudyReport report, Path dir) throws IOException {
        List<RunResult> results = report.runs();
        System.setProperty("java.awt.headless", "true");
        for (String kind : new String[] {"per", "wer"}) {
            errorVsPaired(cfg, report, kind, dir.resolve(kind + "_vs_paired.png"));
        }
        Map<String, List<RunResult>> byGroup = new LinkedHashMap<>();
        results.forEach(r -> byGroup.computeIfAbsent(r.group(), k -> new ArrayList<>()).add(r));
        for (Map.Entry<String, List<RunResult>> e : byGroup.entrySet()) {
            if (!e.getKey().equals("all")) {
                curves(cfg, e.getKey(), e.getValue(), dir.resolve("curves_" + e.getKey() + ".png"));
            }
        }
    }

    private static void errorVsPaired(StudyConfig cfg, StudyReport report, String kind, Path png) throws IOException {
        LogAxis x = new LogAxis("paired words (log scale)");
        x.setBase(10);
        x.setSmallestValue(10);
        // ticks at the decades, labelled as plain numbers (100, 1000), with the log minor ticks between them
        x.setTickUnit(new org.jfree.chart.axis.NumberTickUnit(1));
        x.setNumberFormatOverride(java.text.NumberFormat.getIntegerInstance(java.util.Locale.ROOT));
        x.setMinorTickCount(9);
        x.setMinorTickMarksVisible(true);
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(x);
        org.jfree.chart.LegendItemCollection legend = null;
        for (String dir : new String[] {"g2p", "p2g"}) {
            String metric = dir + "." + kind;
            YIntervalSeriesCollection data = new YIntervalSeriesCollection();
            for (String system : cfg.systems().keySet()) {
                YIntervalSeries s = new YIntervalSeries(system);
                for (StudyReport.Row r : report.rows()) {
                    if (r.system().equals(system) && r.paired() > 0) {
                        Stats st = r.test().get(metric);
                        s.add(r.paired(), 100 * st.mean(), 100 * st.min(), 100 * st.max());
                    }
                }
                if (s.getItemCount() > 0) {
                    data.addSeries(s);
                }
            }
            XYErrorRenderer renderer = new XYErrorRenderer();
            renderer.setDefaultLinesVisible(true);
            renderer.setDefaultShapesVisible(true);
            for (int i = 0; i < data.getSeriesCount(); i++) {
                Color c = colour(cfg, data.getSeriesKey(i).toString());
                renderer.setSeriesPaint(i, c);
                renderer.setSeriesStroke(i, new BasicStroke(2f));
            }
            renderer.setErrorPaint(Color.GRAY);
            XYPlot sub = new XYPlot(data, null, new NumberAxis(dir.toUpperCase() + " test " + kind.toUpperCase() + " %"), renderer);
            for (StudyReport.Row r : report.rows()) {
                if (r.paired() <= 0) {
                    ValueMarker m = new ValueMarker(100 * r.test().get(metric).mean());
                    m.setPaint(r.paired() < 0 ? Color.DARK_GRAY : Color.RED);
                    m.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
                    m.setLabel(r.paired() < 0 ? "all pairs (supervised)" : "0 paired, " + r.group().substring(3) + " attention");
                    sub.addRangeMarker(m);
                }
            }
            sub.setBackgroundPaint(Color.WHITE);
            sub.setRangeGridlinePaint(Color.LIGHT_GRAY);
            plot.add(sub, 1);
            if (legend == null) {
                legend = sub.getLegendItems();
            }
        }
        plot.setFixedLegendItems(legend);
        save(new JFreeChart(cfg.name() + ": test " + kind.toUpperCase() + " vs paired words (mean, bars = min..max over seeds)",
                JFreeChart.DEFAULT_TITLE_FONT, plot, true), png, 900, 800);
    }

    private static void curves(StudyConfig cfg, String group, List<RunResult> runs, Path png) throws IOException {
        XYSeriesCollection elbo = new XYSeriesCollection();
        XYSeriesCollection losses = new XYSeriesCollection();
        XYSeriesCollection dev = new XYSeriesCollection();
        long firstSeed = runs.stream().mapToLong(RunResult::seed).min().orElse(0);
        for (RunResult r : runs) {
            if (r.seed() != firstSeed) {
                continue; // one seed per system keeps the figure readable; the table has the spread
            }
            Path hist = Path.of(cfg.outDir(), "runs", r.id(), "semi-history.json");
            if (!Files.isRegularFile(hist)) {
                continue;
            }
            JsonNode h = JSON.readTree(hist.toFile());
            boolean nc = r.system().equals("noisy-channel");
            boolean sup = r.system().equals(StudyConfig.SUPERVISED);
            if (!nc && !sup) {
                continue;
            }
            String tag = r.system() + " s" + r.seed();
            if (nc) {
                add(elbo, h, "dev", "elbo", tag + " ELBO");
                add(elbo, h, "dev", "iw_elbo", tag + " IW-ELBO");
                for (String term : new String[] {"supervised", "prior", "wake", "sleep"}) {
                    add(losses, h, "losses", term, tag + " " + term);
                }
            }
            add(dev, h, "dev", "g2p.per", tag + " G2P", 100);
            add(dev, h, "dev", "p2g.per", tag + " P2G", 100);
        }
        NumberAxis epochs = new NumberAxis("semi-supervised epoch (0 = after the supervised warm-up)");
        epochs.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(epochs);
        if (elbo.getSeriesCount() > 0) {
            plot.add(sub(elbo, "dev ELBO (nats/word)"), 1);
        }
        if (losses.getSeriesCount() > 0) {
            plot.add(sub(losses, "train loss (NLL/token)"), 1);
        }
        XYPlot devPlot = sub(dev, "dev PER % (greedy)");
        XYLineAndShapeRenderer dr = (XYLineAndShapeRenderer) devPlot.getRenderer();
        for (int i = 0; i < dev.getSeriesCount(); i++) {
            String key = dev.getSeriesKey(i).toString();
            dr.setSeriesPaint(i, colour(cfg, key.substring(0, key.indexOf(' '))));
            dr.setSeriesStroke(i, key.endsWith("P2G")
                    ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f)
                    : new BasicStroke(2f));
        }
        plot.add(devPlot, 1);
        save(new JFreeChart(cfg.name() + " " + group + ": noisy channel vs supervised over training (seed " + firstSeed + ")",
                JFreeChart.DEFAULT_TITLE_FONT, plot, true), png, 1000, 1000);
    }

    private static void add(XYSeriesCollection c, JsonNode history, String section, String key, String name) {
        add(c, history, section, key, name, 1);
    }

    private static void add(XYSeriesCollection c, JsonNode history, String section, String key, String name, double scale) {
        XYSeries s = new XYSeries(name);
        for (JsonNode e : history) {
            JsonNode v = e.path(section).path(key);
            if (v.isNumber()) {
                s.add(e.path("epoch").asInt(), scale * v.asDouble());
            }
        }
        if (s.getItemCount() > 0) {
            c.addSeries(s);
        }
    }

    private static XYPlot sub(XYSeriesCollection data, String label) {
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        NumberAxis y = new NumberAxis(label);
        y.setAutoRangeIncludesZero(false);
        XYPlot p = new XYPlot(data, null, y, r);
        p.setBackgroundPaint(Color.WHITE);
        p.setRangeGridlinePaint(Color.LIGHT_GRAY);
        return p;
    }

    private static void save(JFreeChart chart, Path png, int w, int h) throws IOException {
        chart.setBackgroundPaint(Color.WHITE);
        Path tmp = png.resolveSibling(png.getFileName() + ".tmp");
        ChartUtils.saveChartAsPNG(tmp.toFile(), chart, w, h);
        Files.move(tmp, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
