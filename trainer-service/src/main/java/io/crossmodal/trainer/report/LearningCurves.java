package io.crossmodal.trainer.report;

import io.crossmodal.trainer.train.ComponentTrainer.EpochStats;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Learning curves (train NLL and dev metric per epoch, one series per component) as a PNG. */
public final class LearningCurves {
    private LearningCurves() {}

    public static void write(Map<String, List<EpochStats>> histories, Map<String, String> devNames, Path png)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYSeriesCollection loss = new XYSeriesCollection();
        XYSeriesCollection per = new XYSeriesCollection();
        XYSeriesCollection nll = new XYSeriesCollection();
        histories.forEach((component, history) -> {
            XYSeries l = new XYSeries(component + " train NLL/token");
            XYSeries d = new XYSeries(component + " dev " + devNames.getOrDefault(component, "metric"));
            for (EpochStats s : history) {
                l.add(s.epoch(), s.trainLoss());
                d.add(s.epoch(), s.dev());
            }
            loss.addSeries(l);
            // PER and NLL live on different scales: one panel each
            (devNames.getOrDefault(component, "").contains("PER") ? per : nll).addSeries(d);
        });
        NumberAxis epochs = new NumberAxis("epoch");
        epochs.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(epochs);
        plot.add(subplot(loss, "train NLL per token"), 1);
        if (per.getSeriesCount() > 0) {
            plot.add(subplot(per, "dev PER (greedy)"), 1);
        }
        if (nll.getSeriesCount() > 0) {
            plot.add(subplot(nll, "dev NLL per char"), 1);
        }
        JFreeChart chart = new JFreeChart("Learning curves", JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        Files.createDirectories(png.toAbsolutePath().getParent());
        Path tmp = png.resolveSibling(png.getFileName() + ".tmp");
        ChartUtils.saveChartAsPNG(tmp.toFile(), chart, 900, 700);
        Files.move(tmp, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static XYPlot subplot(XYSeriesCollection data, String label) {
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        Color[] palette = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd)};
        for (int i = 0; i < data.getSeriesCount(); i++) {
            r.setSeriesStroke(i, new BasicStroke(2f));
            r.setSeriesPaint(i, palette[i % palette.length]);
        }
        XYPlot p = new XYPlot(data, null, new NumberAxis(label), r);
        p.setBackgroundPaint(Color.WHITE);
        p.setDomainGridlinePaint(Color.LIGHT_GRAY);
        p.setRangeGridlinePaint(Color.LIGHT_GRAY);
        ((NumberAxis) p.getRangeAxis()).setAutoRangeIncludesZero(false);
        return p;
    }

}
