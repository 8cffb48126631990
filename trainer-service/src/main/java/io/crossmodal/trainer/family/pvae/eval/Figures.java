package io.crossmodal.trainer.family.pvae.eval;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The study's PNGs: inertia curves and 2-D projections (JFreeChart), image grids (java.awt). */
public final class Figures {

    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c),
        new Color(0xd62728), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
        new Color(0xbcbd22), new Color(0x17becf)};

    private Figures() {
    }

    /** One line per latent: inertia against k. */
    public static void inertia(Map<String, double[]> curves, int firstK, String title, Path png) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        curves.forEach((name, values) -> {
            XYSeries s = new XYSeries(name);
            for (int i = 0; i < values.length; i++) {
                s.add(firstK + i, values[i] / values[0]);
            }
            data.addSeries(s);
        });
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            r.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
            r.setSeriesStroke(i, new BasicStroke(2f));
        }
        NumberAxis k = new NumberAxis("k (clusters)");
        k.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        XYPlot plot = new XYPlot(data, k, new NumberAxis("inertia / inertia at k=" + firstK), r);
        save(new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true), png, 800, 550);
    }

    /** Points coloured by label (one series per label value), on t-SNE axes. */
    public static void scatter(double[][] xy, int[] labels, List<String> labelNames, String title, Path png) throws IOException {
        scatter(xy, labels, labelNames, title, "t-SNE 1", "t-SNE 2", png);
    }

    /** Points coloured by label (one series per label value), on the named axes. */
    public static void scatter(double[][] xy, int[] labels, List<String> labelNames, String title, String xAxis, String yAxis,
            Path png) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        for (int l = 0; l < labelNames.size(); l++) {
            XYSeries s = new XYSeries(labelNames.get(l));
            for (int i = 0; i < xy.length; i++) {
                if (labels[i] == l) {
                    s.add(xy[i][0], xy[i][1]);
                }
            }
            data.addSeries(s);
        }
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(false, true);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            r.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
            r.setSeriesShape(i, new java.awt.geom.Ellipse2D.Double(-2.5, -2.5, 5, 5));
        }
        XYPlot plot = new XYPlot(data, new NumberAxis(xAxis), new NumberAxis(yAxis), r);
        ((NumberAxis) plot.getDomainAxis()).setAutoRangeIncludesZero(false);
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        save(new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true), png, 700, 650);
    }

    /**
     * A grid of 28x28 images [rows][cols][784] scaled 3x, with an optional first column of row
     * headers (e.g. the spoken digit's filterbank or the content image) separated by a gap.
     */
    public static void imageGrid(float[][][] cells, float[][] rowHeaders, float[][] colHeaders, Path png) throws IOException {
        int scale = 3;
        int cell = 28 * scale + 4;
        int rows = cells.length;
        int cols = cells[0].length;
        int offX = rowHeaders == null ? 0 : cell + 8;
        int offY = colHeaders == null ? 0 : cell + 8;
        BufferedImage img = new BufferedImage(offX + cols * cell, offY + rows * cell, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.dispose();
        for (int r = 0; r < rows; r++) {
            if (rowHeaders != null) {
                draw(img, rowHeaders[r], 28, 28, 2, offY + r * cell + 2, scale, true);
            }
            for (int c = 0; c < cols; c++) {
                draw(img, cells[r][c], 28, 28, offX + c * cell + 2, offY + r * cell + 2, scale, false);
            }
        }
        if (colHeaders != null) {
            for (int c = 0; c < cols; c++) {
                draw(img, colHeaders[c], 28, 28, offX + c * cell + 2, 2, scale, true);
            }
        }
        write(img, png);
    }

    /** Draws grey levels (0 black background, 1 white stroke; headers in blue tint). */
    private static void draw(BufferedImage img, float[] px, int h, int w, int x0, int y0, int scale, boolean header) {
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = Math.round(255 * Math.max(0, Math.min(1, px[y * w + x])));
                int rgb = header ? (v << 16 | v << 8 | Math.min(255, v + 60)) : (v << 16 | v << 8 | v);
                for (int dy = 0; dy < scale; dy++) {
                    for (int dx = 0; dx < scale; dx++) {
                        img.setRGB(x0 + x * scale + dx, y0 + y * scale + dy, rgb);
                    }
                }
            }
        }
    }

    /** A spoken digit's log-mel frames [T][M] as a 28x28 thumbnail (time across, frequency up), scaled to [0, 1]. */
    public static float[] thumbnail(float[][] frames) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float[] f : frames) {
            for (float v : f) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        float[] out = new float[784];
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                int t = x * frames.length / 28;
                int m = (27 - y) * frames[0].length / 28;
                out[y * 28 + x] = (frames[t][m] - min) / Math.max(max - min, 1e-6f);
            }
        }
        return out;
    }

    private static void save(JFreeChart chart, Path png, int w, int h) throws IOException {
        System.setProperty("java.awt.headless", "true");
        chart.setBackgroundPaint(Color.WHITE);
        chart.getXYPlot().setBackgroundPaint(Color.WHITE);
        chart.getXYPlot().setDomainGridlinePaint(Color.LIGHT_GRAY);
        chart.getXYPlot().setRangeGridlinePaint(Color.LIGHT_GRAY);
        Files.createDirectories(png.toAbsolutePath().getParent());
        Path tmp = png.resolveSibling(png.getFileName() + ".tmp");
        ChartUtils.saveChartAsPNG(tmp.toFile(), chart, w, h);
        Files.move(tmp, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void write(BufferedImage img, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Files.createDirectories(png.toAbsolutePath().getParent());
        Path tmp = png.resolveSibling(png.getFileName() + ".tmp");
        ImageIO.write(img, "png", tmp.toFile());
        Files.move(tmp, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
