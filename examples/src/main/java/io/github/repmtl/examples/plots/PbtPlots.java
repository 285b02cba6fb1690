package io.github.repmtl.examples.plots;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.markers.SeriesMarkers;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The hyperparameter schedules of a population-based training as one PNG: three panels, {@code lambda_tsr},
 * {@code lambda_csa} and {@code tau} over epochs, one line per member, read from its {@code schedules.csv}
 * ({@code member,epoch,lambda_tsr,lambda_csa,tau}: the schedule each member's final weights were trained with).
 */
public final class PbtPlots {
    private static final String[] COLUMNS = {"lambda_tsr", "lambda_csa", "tau"};

    private PbtPlots() {}

    /** Writes {@code file} from {@code schedulesCsv}; returns the file. */
    public static Path write(Path schedulesCsv, Path file) {
        System.setProperty("java.awt.headless", "true");
        Map<Integer, List<double[]>> byMember = new TreeMap<>();
        try {
            List<String> lines = Files.readAllLines(schedulesCsv, StandardCharsets.UTF_8);
            if (lines.isEmpty() || !lines.get(0).equals("member,epoch,lambda_tsr,lambda_csa,tau"))
                throw new IllegalArgumentException(schedulesCsv + " is not a PBT schedules.csv (header member,epoch,lambda_tsr,lambda_csa,tau)");
            for (String line : lines.subList(1, lines.size())) {
                if (line.isBlank()) continue;
                String[] c = line.split(",");
                byMember.computeIfAbsent(Integer.parseInt(c[0]), k -> new ArrayList<>())
                        .add(new double[]{Double.parseDouble(c[1]), Double.parseDouble(c[2]), Double.parseDouble(c[3]), Double.parseDouble(c[4])});
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + schedulesCsv, e);
        }
        List<BufferedImage> panels = new ArrayList<>();
        for (int k = 0; k < COLUMNS.length; k++) {
            XYChart chart = TrainingPlots.chart(COLUMNS[k] + " per member (the schedule of its final weights)", "epoch", COLUMNS[k]);
            chart.getStyler().setYAxisDecimalPattern("#0.###");
            for (Map.Entry<Integer, List<double[]>> m : byMember.entrySet()) {
                int col = k + 1;
                double[] x = m.getValue().stream().mapToDouble(p -> p[0]).toArray(), y = m.getValue().stream().mapToDouble(p -> p[col]).toArray();
                chart.addSeries("member " + m.getKey(), x, y).setMarker(SeriesMarkers.CIRCLE);
            }
            if (!byMember.isEmpty()) panels.add(BitmapEncoder.getBufferedImage(chart));
        }
        if (panels.isEmpty()) throw new IllegalArgumentException(schedulesCsv + " has no trained epoch to plot");
        int width = panels.get(0).getWidth(), height = panels.get(0).getHeight();
        BufferedImage figure = new BufferedImage(width, height * panels.size(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = figure.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, figure.getWidth(), figure.getHeight());
        for (int i = 0; i < panels.size(); i++) g.drawImage(panels.get(i), 0, i * height, null);
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
}
