package io.github.repmtl.samediff.util;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** QuietConsole drops SameDiff's noise lines, also when several threads use it at once, and leaves System.out as it found it. */
class QuietConsoleTest {
    @Test
    void overlappingCallsFromTwoThreadsKeepTheConsoleOpenAndRestoreIt() throws Exception {
        PrintStream saved = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream console = new PrintStream(captured, true, StandardCharsets.UTF_8);
        System.setOut(console);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch bothInside = new CountDownLatch(2), firstLeft = new CountDownLatch(1);
            // thread a enters first and leaves first while b is still inside: the order that closed the console before
            Future<?> a = pool.submit(() -> QuietConsole.run(() -> {
                System.out.println("Added differentiated op relu");
                System.out.println("kept a");
                bothInside.countDown();
                await(bothInside);
            }));
            Future<?> b = pool.submit(() -> QuietConsole.run(() -> {
                bothInside.countDown();
                await(bothInside);
                await(firstLeft);
                System.out.println("Added differentiated op conv2d");
                System.out.println("kept b");
            }));
            a.get(10, TimeUnit.SECONDS);
            firstLeft.countDown();
            b.get(10, TimeUnit.SECONDS);
            assertSame(console, System.out, "System.out is the stream it was before");
            System.out.println("after");
            assertFalse(console.checkError(), "the console was not closed");
            String text = captured.toString(StandardCharsets.UTF_8);
            assertTrue(text.contains("kept a") && text.contains("kept b") && text.contains("after"), text);
            assertFalse(text.contains("Added differentiated op"), text);
            assertEquals(3, text.lines().count(), text);
        } finally {
            pool.shutdownNow();
            System.setOut(saved);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) throw new IllegalStateException("timed out");
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
