package io.github.repmtl.examples.plots;

import io.github.repmtl.samediff.analysis.ConvWeightLayout;
import io.github.repmtl.samediff.analysis.EigenSpectrum;
import io.github.repmtl.samediff.analysis.LayerPowerLaw;
import io.github.repmtl.samediff.analysis.PowerLawFit;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.nd4j.linalg.api.ndarray.INDArray;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A PNG of the empirical spectral density (eigenvalues of {@code W^T W}, pooled over the taps of a kernel, as
 * {@link io.github.repmtl.samediff.analysis.PowerLawAnalyzer} computes them) of a few layers on log-log axes, each
 * with its fitted power-law tail {@code p(x) ~ x^-alpha} for {@code x >= xMin}; one XChart panel per layer, two
 * panels per row.
 */
public final class SpectralDensityPlots {
    private static final int PANEL_WIDTH = 640;
    private static final int PANEL_HEIGHT = 440;

    private SpectralDensityPlots() {}

    /**
     * @param weights the analysed weights by layer name
     * @param layers  the fitted layers to draw (each must be in {@code weights})
     * @param layout  the kernel layout the analysis used
     * @param file    the PNG to write
     */
    public static Path write(Map<String, INDArray> weights, List<LayerPowerLaw> layers, ConvWeightLayout layout, Path file) {
        if (layers.isEmpty()) throw new IllegalArgumentException("no fitted layer to plot");
        System.setProperty("java.awt.headless", "true");
        List<BufferedImage> panels = new ArrayList<>();
        for (LayerPowerLaw layer : layers) {
            INDArray w = weights.get(layer.layer());
            if (w == null) throw new IllegalArgumentException("no weights for layer '" + layer.layer() + "'");
            panels.add(BitmapEncoder.getBufferedImage(chart(layer, spectrum(w, layout))));
        }
        int columns = Math.min(2, panels.size()), rows = (panels.size() + columns - 1) / columns;
        BufferedImage figure = new BufferedImage(columns * PANEL_WIDTH, rows * PANEL_HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = figure.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, figure.getWidth(), figure.getHeight());
        for (int i = 0; i < panels.size(); i++) g.drawImage(panels.get(i), (i % columns) * PANEL_WIDTH, (i / columns) * PANEL_HEIGHT, null);
        g.dispose();
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            ImageIO.write(figure, "png", file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }

    /** The pooled positive eigenvalues of a weight, ascending. */
    static double[] spectrum(INDArray weight, ConvWeightLayout layout) {
        return EigenSpectrum.pooled(weight.rank() == 4 ? layout.taps(weight) : List.of(weight));
    }

    private static XYChart chart(LayerPowerLaw layer, double[] eigenvalues) {
        PowerLawFit fit = layer.fit();
        int n = eigenvalues.length;
        double lo = eigenvalues[0], hi = eigenvalues[n - 1];
        int bins = (int) Math.max(8, Math.min(60, 2 * Math.sqrt(n)));
        double logLo = Math.log(lo), step = (Math.log(hi) - logLo) / bins;
        double[] counts = new double[bins];
        for (double e : eigenvalues) counts[Math.min(bins - 1, step == 0 ? 0 : (int) ((Math.log(e) - logLo) / step))]++;
        List<Double> x = new ArrayList<>(), y = new ArrayList<>();
        double yMin = Double.POSITIVE_INFINITY, yMax = 0;
        for (int i = 0; i < bins; i++) {
            if (counts[i] == 0) continue;
            double left = Math.exp(logLo + i * step), right = Math.exp(logLo + (i + 1) * step);
            double density = counts[i] / (n * (right - left));
            x.add(Math.sqrt(left * right));
            y.add(density);
            yMin = Math.min(yMin, density);
            yMax = Math.max(yMax, density);
        }
        XYChart c = new XYChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT)
                .title(String.format(Locale.ROOT, "%s (%s)", layer.layer(), layer.group()))
                .xAxisTitle("eigenvalue of W^T W").yAxisTitle("density").build();
        c.getStyler().setXAxisLogarithmic(true);
        c.getStyler().setYAxisLogarithmic(true);
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSW);
        c.getStyler().setPlotGridVerticalLinesVisible(false);                   // log axes draw a line per minor tick
        c.getStyler().setXAxisDecimalPattern("0.#E0");
        c.getStyler().setYAxisDecimalPattern("0.#E0");
        c.getStyler().setXAxisMin(Math.pow(10, Math.floor(Math.log10(lo))));      // whole decades, so a log axis always shows labels
        c.getStyler().setXAxisMax(Math.pow(10, Math.ceil(Math.log10(hi))));
        c.addSeries(String.format(Locale.ROOT, "ESD (%d eigenvalues%s)", n, layer.matrices() > 1 ? ", " + layer.matrices() + " taps" : ""), x, y)
                .setMarker(SeriesMarkers.CIRCLE);
        double tailShare = (double) fit.tailSize() / fit.sampleSize();
        int points = 32;
        double[] fx = new double[points], fy = new double[points];
        for (int i = 0; i < points; i++) {
            fx[i] = fit.xMin() * Math.pow(hi / fit.xMin(), i / (points - 1.0));
            fy[i] = tailShare * (fit.alpha() - 1) / fit.xMin() * Math.pow(fx[i] / fit.xMin(), -fit.alpha());
        }
        c.addSeries(String.format(Locale.ROOT, "power law: alpha %.2f, KS %.3f, tail %d", fit.alpha(), fit.ksDistance(), fit.tailSize()), fx, fy)
                .setMarker(SeriesMarkers.NONE);
        for (double v : fy) yMin = Math.min(yMin, v);
        c.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(yMin))));
        c.getStyler().setYAxisMax(Math.pow(10, Math.ceil(Math.log10(yMax))));
        c.addSeries(String.format(Locale.ROOT, "xMin %.3g", fit.xMin()), new double[]{fit.xMin(), fit.xMin()}, new double[]{yMin, yMax})
                .setMarker(SeriesMarkers.NONE);
        return c;
    }
}
