package io.github.repmtl.examples.plots;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * PNG charts (XChart, styled as {@link TrainingPlots}) of a multi-seed comparison ({@code repmtl compare}): per
 * method the mean test Delta-p with +- one standard deviation over seeds ({@code delta_p.png}), the paired
 * difference of Delta-p against the reference method with its 95 % paired-t interval as error bars
 * ({@code delta_p_difference.png}), and the mean +- sd of every test metric ({@code metrics.png}).
 */
public final class ComparisonPlots {
    private ComparisonPlots() {}

    /**
     * @param deltaP     method -> {mean, sd} of Delta-p
     * @param difference method -> {mean difference, half width of the paired-t interval} (every method but the reference)
     * @param metrics    "task/metric" -> method -> {mean, sd}
     * @param seeds      the number of seeds, for the titles
     * @return the files written
     */
    public static List<Path> write(Map<String, double[]> deltaP, Map<String, double[]> difference, String reference,
                                   Map<String, Map<String, double[]>> metrics, int seeds, Path out) {
        System.setProperty("java.awt.headless", "true");
        List<Path> files = new ArrayList<>();
        try {
            Files.createDirectories(out);
            CategoryChart dp = chart("Test Delta-p (%), mean +- sd over " + seeds + " seeds", "Delta-p (%)");
            add(dp, "Delta-p", deltaP);
            files.add(save(dp, out.resolve("delta_p.png")));
            if (!difference.isEmpty()) {
                CategoryChart diff = chart("Delta-p minus " + reference + "'s, paired over " + seeds + " seeds: mean and 95 % paired-t interval",
                        "difference (points)");
                add(diff, "vs " + reference, difference);
                files.add(save(diff, out.resolve("delta_p_difference.png")));
            }
            if (!metrics.isEmpty()) {
                CategoryChart m = chart("Test metrics, mean +- sd over " + seeds + " seeds", "metric");
                metrics.forEach((name, values) -> add(m, name, values));
                files.add(save(m, out.resolve("metrics.png")));
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write plots into " + out, e);
        }
    }

    private static CategoryChart chart(String title, String y) {
        CategoryChart c = new CategoryChartBuilder().width(900).height(560).title(title).xAxisTitle("method").yAxisTitle(y).build();
        c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        c.getStyler().setDefaultSeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Bar);
        c.getStyler().setErrorBarsColor(java.awt.Color.BLACK);
        c.getStyler().setXAxisLabelRotation(20);
        return c;
    }

    private static void add(CategoryChart chart, String name, Map<String, double[]> values) {
        List<String> x = new ArrayList<>(values.keySet());
        List<Double> y = new ArrayList<>(), err = new ArrayList<>();
        for (double[] v : values.values()) {
            y.add(v[0]);
            err.add(Double.isFinite(v[1]) ? v[1] : 0.0);
        }
        chart.addSeries(name, x, y, err);
    }

    private static Path save(CategoryChart chart, Path file) throws IOException {
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        return file;
    }
}
