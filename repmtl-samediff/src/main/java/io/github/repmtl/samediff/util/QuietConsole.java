package io.github.repmtl.samediff.util;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * Keeps SameDiff M2.1's unconditional {@code System.out} noise ("Added differentiated op ...", printed for
 * every op while a gradient function is built) out of the console, passing every other line through.
 *
 * <p>Safe to use from several threads at once (e.g. trainings running as Spark tasks of one local JVM): the first
 * caller installs one filter in front of {@code System.out}, the last one to leave puts the original stream back
 * (unless someone else has replaced {@code System.out} meanwhile); the original stream is never closed.
 */
public final class QuietConsole {
    private static final String NOISE = "Added differentiated op ";
    private static final Object LOCK = new Object();
    private static int active;
    private static PrintStream original;
    private static PrintStream filtered;

    private QuietConsole() {}

    public static <T> T call(Supplier<T> action) {
        enter();
        try {
            return action.get();
        } finally {
            exit();
        }
    }

    public static void run(Runnable action) {
        call(() -> {
            action.run();
            return null;
        });
    }

    private static void enter() {
        synchronized (LOCK) {
            if (active++ == 0) {
                original = System.out;
                filtered = new PrintStream(new LineFilter(original), true, StandardCharsets.UTF_8);
                System.setOut(filtered);
            }
        }
    }

    private static void exit() {
        synchronized (LOCK) {
            if (--active == 0) {
                filtered.close();                               // forwards a pending partial line; the original stays open
                if (System.out == filtered) System.setOut(original);
                original = null;
                filtered = null;
            }
        }
    }

    /** Buffers one line at a time and forwards it unless it is SameDiff noise. */
    private static final class LineFilter extends OutputStream {
        private final PrintStream target;
        private final StringBuilder line = new StringBuilder();

        LineFilter(PrintStream target) { this.target = target; }

        @Override
        public void write(int b) {
            if (b == '\n') {
                String l = line.toString();
                line.setLength(0);
                if (!l.startsWith(NOISE)) target.println(l);
            } else {
                line.append((char) b);
            }
        }

        @Override
        public void flush() {
            target.flush();         // a partial line stays buffered until its newline decides its fate
        }

        @Override
        public void close() {
            if (line.length() > 0 && !line.toString().startsWith(NOISE)) target.print(line);
            line.setLength(0);
        }
    }
}
