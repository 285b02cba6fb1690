package io.github.repmtl.datavec.iterator;

import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Loads the batches of another {@link MultiDataSetIterator} on a background daemon thread, keeping up
 * to {@code capacity} batches ready. The order of batches is exactly that of the wrapped iterator.
 *
 * <p>Unlike ND4J's {@code AsyncMultiDataSetIterator} it uses no workspaces, starts its thread only
 * when the first batch is requested, and rethrows an exception of the loading thread (for instance an
 * {@code InvalidDataException} naming a corrupt file) in the caller's thread instead of blocking.
 * {@link #close()} (or exhausting an epoch) ends the thread.
 */
public final class PrefetchingIterator implements MultiDataSetIterator, AutoCloseable {
    private static final long serialVersionUID = 1L;
    private static final Object END_OF_EPOCH = new Object();

    private final transient MultiDataSetIterator source;
    private final int capacity;
    private final String threadName;
    private transient BlockingQueue<Object> queue;
    private transient Thread worker;
    private transient Object nextItem;
    private boolean exhausted;

    /** The failure of the loading thread, carried through the queue. */
    private record Failure(Throwable cause) {
    }

    /**
     * @param source     the iterator producing the batches
     * @param capacity   how many batches to keep ready, at least 1
     * @param threadName name of the loading thread (shown in thread dumps)
     */
    public PrefetchingIterator(MultiDataSetIterator source, int capacity, String threadName) {
        if (source == null) {
            throw new IllegalArgumentException("source iterator must not be null");
        }
        if (capacity < 1) {
            throw new IllegalArgumentException("prefetch capacity must be >= 1, got " + capacity);
        }
        this.source = source;
        this.capacity = capacity;
        this.threadName = threadName;
    }

    @Override
    public boolean hasNext() {
        if (exhausted) {
            return false;
        }
        if (nextItem == null) {
            startIfIdle();
            try {
                nextItem = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the next batch", e);
            }
        }
        if (nextItem == END_OF_EPOCH) {
            finishEpoch();
            return false;
        }
        if (nextItem instanceof Failure failure) {
            finishEpoch();
            Throwable cause = failure.cause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException("loading a batch failed", cause);
        }
        return true;
    }

    @Override
    public MultiDataSet next() {
        if (!hasNext()) {
            throw new NoSuchElementException("epoch exhausted; call reset()");
        }
        MultiDataSet batch = (MultiDataSet) nextItem;
        nextItem = null;
        return batch;
    }

    /** Not supported: the batch size is fixed by the wrapped iterator while batches are prefetched. */
    @Override
    public MultiDataSet next(int num) {
        throw new UnsupportedOperationException("next(int) is not supported while prefetching; the batch size is"
                + " set when the iterator is created");
    }

    @Override
    public void setPreProcessor(MultiDataSetPreProcessor preProcessor) {
        source.setPreProcessor(preProcessor);
    }

    @Override
    public MultiDataSetPreProcessor getPreProcessor() {
        return source.getPreProcessor();
    }

    @Override
    public boolean resetSupported() {
        return source.resetSupported();
    }

    /** False: this iterator already loads in the background. */
    @Override
    public boolean asyncSupported() {
        return false;
    }

    /** Stops loading, discards prefetched batches and resets the wrapped iterator (the next epoch). */
    @Override
    public void reset() {
        stopWorker();
        source.reset();
        exhausted = false;
    }

    /** Stops the loading thread; the iterator can still be {@link #reset()} and used again. */
    @Override
    public void close() {
        stopWorker();
        exhausted = true;
    }

    private void startIfIdle() {
        if (worker != null) {
            return;
        }
        BlockingQueue<Object> batches = new ArrayBlockingQueue<>(capacity + 1);
        queue = batches;
        worker = new Thread(() -> load(batches), threadName);
        worker.setDaemon(true);
        worker.start();
    }

    private void load(BlockingQueue<Object> batches) {
        try {
            while (source.hasNext()) {
                batches.put(source.next());
            }
            batches.put(END_OF_EPOCH);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            try {
                batches.put(new Failure(t));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void finishEpoch() {
        exhausted = true;
        nextItem = null;
        joinWorker();
    }

    private void stopWorker() {
        if (worker != null) {
            worker.interrupt();
            joinWorker();
        }
        nextItem = null;
    }

    private void joinWorker() {
        if (worker == null) {
            return;
        }
        try {
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the prefetch thread", e);
        }
        worker = null;
        queue = null;
    }
}
