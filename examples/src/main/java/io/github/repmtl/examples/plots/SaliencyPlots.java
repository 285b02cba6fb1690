package io.github.repmtl.examples.plots;

import io.github.repmtl.examples.analysis.SaliencyMaps;
import io.github.repmtl.samediff.model.MultiTaskModel;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * PNG figures of the task saliencies of a dense model ({@link SaliencyMaps}): for each of the first samples of
 * a batch, {@code saliency-<i>.png} shows the input image, the channel-mean saliency {@code Sh_t} of every task
 * (diverging colours, white = 0, each map on its own symmetric scale) and the per-position TSR entropy (0 = one
 * task dominates, {@code ln T} = all tasks equally salient); {@code tsr-entropy-histogram.png} shows the
 * distribution of that entropy over all positions of the batch, whose mean is the batch's {@code L_tsr}.
 */
public final class SaliencyPlots {
    private static final int PANEL_WIDTH = 256;
    private static final int MARGIN = 16;
    private static final int CAPTION = 22;
    private static final int BAR = 12;
    private static final int BAR_LABELS = 18;
    private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 15);
    private static final Font FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);

    private SaliencyPlots() {}

    /**
     * Computes the saliencies of {@code batch} and writes the figures of its first {@code images} samples into
     * {@code out}; returns the files written (per-sample maps, then the histogram).
     */
    public static List<Path> write(MultiTaskModel model, MultiDataSet batch, int images, Path out) {
        return write(SaliencyMaps.compute(model, batch), images, out);
    }

    /** Writes the figures of already computed saliencies. */
    public static List<Path> write(SaliencyMaps maps, int images, Path out) {
        if (images < 1) throw new IllegalArgumentException("number of images must be >= 1, got " + images);
        System.setProperty("java.awt.headless", "true");
        List<Path> files = new ArrayList<>();
        try {
            Files.createDirectories(out);
            for (int b = 0; b < Math.min(images, maps.size()); b++) {
                Path f = out.resolve(String.format(Locale.ROOT, "saliency-%d.png", b));
                ImageIO.write(sampleFigure(maps, b), "png", f.toFile());
                files.add(f);
            }
            Path histogram = out.resolve("tsr-entropy-histogram.png");
            BitmapEncoder.saveBitmap(entropyHistogram(maps), histogram.toString(), BitmapEncoder.BitmapFormat.PNG);
            files.add(histogram);
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write saliency plots into " + out, e);
        }
    }

    private static BufferedImage sampleFigure(SaliencyMaps maps, int b) {
        INDArray image = maps.images().slice(b);                           // [C, H, W]
        long imageH = image.size(1), imageW = image.size(2);
        int panelH = (int) Math.max(1, Math.round((double) PANEL_WIDTH * imageH / imageW));
        int panels = maps.tasks().size() + 2;
        int width = MARGIN + panels * (PANEL_WIDTH + MARGIN);
        int top = MARGIN + 24;
        int height = top + CAPTION + panelH + 6 + BAR + BAR_LABELS + MARGIN;
        BufferedImage fig = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = fig.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(TITLE_FONT);
        g.drawString(String.format(Locale.ROOT, "Sample %d: channel-mean task saliency Sh_t at Z (%dx%d) and per-position TSR entropy",
                b, maps.entropy().size(1), maps.entropy().size(2)), MARGIN, MARGIN + 12);

        int x = MARGIN;
        drawPanel(g, inputImage(image), "input", x, top, panelH);
        for (String task : maps.tasks()) {
            x += PANEL_WIDTH + MARGIN;
            INDArray m = maps.channelMean(task).slice(b);
            double limit = Math.max(m.amaxNumber().doubleValue(), Double.MIN_NORMAL);
            drawPanel(g, colour(m, v -> diverging(v / limit)), "task " + task, x, top, panelH);
            drawColourBar(g, x, top + CAPTION + panelH + 6, v -> diverging(2 * v - 1), -limit, 0.0, limit);
        }
        x += PANEL_WIDTH + MARGIN;
        double lnT = Math.log(maps.tasks().size());
        INDArray h = maps.entropy().slice(b);
        drawPanel(g, colour(h, v -> sequential(v / lnT)), String.format(Locale.ROOT, "TSR entropy (mean %.3f)", h.meanNumber().doubleValue()),
                x, top, panelH);
        drawColourBar(g, x, top + CAPTION + panelH + 6, SaliencyPlots::sequential, 0.0, Double.NaN, lnT);
        g.dispose();
        return fig;
    }

    private static void drawPanel(Graphics2D g, BufferedImage content, String caption, int x, int y, int panelH) {
        g.setColor(Color.BLACK);
        g.setFont(FONT);
        g.drawString(caption, x, y + CAPTION - 7);
        g.drawImage(content, x, y + CAPTION, PANEL_WIDTH, panelH, null);
        g.setColor(Color.GRAY);
        g.setStroke(new BasicStroke(1));
        g.drawRect(x, y + CAPTION, PANEL_WIDTH - 1, panelH - 1);
    }

    private static void drawColourBar(Graphics2D g, int x, int y, java.util.function.DoubleFunction<Color> colours, double min, double mid, double max) {
        for (int i = 0; i < PANEL_WIDTH; i++) {
            g.setColor(colours.apply(i / (PANEL_WIDTH - 1.0)));
            g.drawLine(x + i, y, x + i, y + BAR);
        }
        g.setColor(Color.BLACK);
        g.setFont(FONT);
        int base = y + BAR + 14;
        g.drawString(label(min), x, base);
        String maxLabel = label(max);
        g.drawString(maxLabel, x + PANEL_WIDTH - g.getFontMetrics().stringWidth(maxLabel), base);
        if (!Double.isNaN(mid)) {
            String midLabel = label(mid);
            g.drawString(midLabel, x + PANEL_WIDTH / 2 - g.getFontMetrics().stringWidth(midLabel) / 2, base);
        }
    }

    private static String label(double v) {
        if (v == 0) return "0";
        double a = Math.abs(v);
        return a >= 0.01 && a < 1000 ? String.format(Locale.ROOT, "%.3f", v) : String.format(Locale.ROOT, "%.2e", v);
    }

    /** An image {@code [C, H, W]} scaled to [0, 255] by its own range (RGB for 3 channels, grey otherwise). */
    private static BufferedImage inputImage(INDArray image) {
        int c = (int) image.size(0), h = (int) image.size(1), w = (int) image.size(2);
        double min = image.minNumber().doubleValue(), max = image.maxNumber().doubleValue();
        double scale = max > min ? 255.0 / (max - min) : 0;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < w; j++) {
                int r = (int) Math.round((image.getDouble(0, i, j) - min) * scale);
                int gr = c == 3 ? (int) Math.round((image.getDouble(1, i, j) - min) * scale) : r;
                int bl = c == 3 ? (int) Math.round((image.getDouble(2, i, j) - min) * scale) : r;
                img.setRGB(j, i, new Color(r, gr, bl).getRGB());
            }
        }
        return img;
    }

    private static BufferedImage colour(INDArray map, java.util.function.DoubleFunction<Color> colours) {
        int h = (int) map.size(0), w = (int) map.size(1);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < h; i++) for (int j = 0; j < w; j++) img.setRGB(j, i, colours.apply(map.getDouble(i, j)).getRGB());
        return img;
    }

    /** Blue (-1) - white (0) - red (+1). */
    static Color diverging(double v) {
        double t = Math.max(-1, Math.min(1, v));
        int[] end = t < 0 ? new int[]{59, 76, 192} : new int[]{180, 4, 38};
        double a = Math.abs(t);
        return new Color((int) Math.round(255 + (end[0] - 255) * a), (int) Math.round(255 + (end[1] - 255) * a), (int) Math.round(255 + (end[2] - 255) * a));
    }

    private static final int[][] VIRIDIS = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};

    /** A viridis-like sequential map of {@code [0, 1]}. */
    static Color sequential(double v) {
        double t = Math.max(0, Math.min(1, v)) * (VIRIDIS.length - 1);
        int i = Math.min((int) t, VIRIDIS.length - 2);
        double f = t - i;
        int[] a = VIRIDIS[i], b = VIRIDIS[i + 1];
        return new Color((int) Math.round(a[0] + (b[0] - a[0]) * f), (int) Math.round(a[1] + (b[1] - a[1]) * f), (int) Math.round(a[2] + (b[2] - a[2]) * f));
    }

    private static XYChart entropyHistogram(SaliencyMaps maps) {
        int tasks = maps.tasks().size();
        double lnT = Math.log(tasks);
        int bins = 40;
        double[] edges = new double[bins + 1], share = new double[bins + 1];           // step plot: bin i spans edges i..i+1
        double[] values = maps.entropy().dup().data().asDouble();
        for (double v : values) share[Math.min(bins - 1, (int) (Math.max(0, v) / lnT * bins))] += 1.0 / values.length;
        share[bins] = share[bins - 1];
        for (int i = 0; i <= bins; i++) edges[i] = i * lnT / bins;
        double peak = 0;
        for (double s : share) peak = Math.max(peak, s);
        XYChart c = new org.knowm.xchart.XYChartBuilder().width(900).height(520)
                .title(String.format(Locale.ROOT, "TSR: entropy of the task saliency distribution per position (%d positions, %d tasks)", values.length, tasks))
                .xAxisTitle("entropy (nats); 0 = one task dominates, ln T = all tasks equal").yAxisTitle("share of positions").build();
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
        c.getStyler().setXAxisMin(0.0);
        c.getStyler().setXAxisMax(lnT * 1.02);
        XYSeries hist = c.addSeries("share of positions", edges, share);
        hist.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
        hist.setMarker(SeriesMarkers.NONE);
        double mean = maps.meanEntropy();
        c.addSeries(String.format(Locale.ROOT, "mean = L_tsr = %.4f", mean), new double[]{mean, mean}, new double[]{0, peak})
                .setMarker(SeriesMarkers.NONE);
        c.addSeries(String.format(Locale.ROOT, "ln T = %.4f", lnT), new double[]{lnT, lnT}, new double[]{0, peak}).setMarker(SeriesMarkers.NONE);
        return c;
    }
}
