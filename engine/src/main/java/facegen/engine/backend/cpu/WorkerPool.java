package facegen.engine.backend.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A parallel for-loop over task indices {@code 0..count-1} on a fixed set of threads owned by one backend.
 *
 * <p>The calling thread works too, so a pool of {@code T} threads starts {@code T - 1} workers. Tasks are
 * handed out one index at a time from a shared counter (dynamic scheduling), so uneven tasks still balance.
 * Workers spin for {@link #SPIN_NANOS} after a loop before they park: backend ops arrive in quick succession
 * and waking a parked thread costs tens of microseconds, as much as a whole 256x256 matmul (OpenMP's
 * GOMP_SPINCOUNT plays the same role in libtorch).
 *
 * <p>Only one loop runs at a time. A loop started while another runs (a nested loop inside a task, or a
 * second caller thread) runs inline on its caller, so the pool never deadlocks and kernels may call each
 * other freely.
 */
final class WorkerPool implements AutoCloseable {

    /** How long an idle worker spins before parking; ~0.2 ms covers the gap between consecutive ops. */
    private static final long SPIN_NANOS = 200_000;

    /** The body of a parallel loop. */
    @FunctionalInterface
    interface Body {
        /** Runs task {@code task} of the loop. */
        void run(int task);
    }

    /** One published loop: its body, the next unclaimed index and the count of finished ones. */
    private static final class Loop {
        final Body body;
        final int count;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger finished = new AtomicInteger();
        volatile Throwable failure;

        Loop(Body body, int count) {
            this.body = body;
            this.count = count;
        }
    }

    private final Thread[] workers;
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile Loop current;
    private volatile boolean closed;

    /** A pool running loops on {@code threads} threads in all (the caller plus {@code threads - 1} workers). */
    WorkerPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("a worker pool needs at least 1 thread, got " + threads);
        }
        workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = Thread.ofPlatform().daemon().name("facegen-cpu-worker-" + (i + 1)).start(this::work);
        }
    }

    /** Number of threads a loop can use, the caller included. */
    int threads() {
        return workers.length + 1;
    }

    /**
     * Runs {@code body} for every index in {@code [0, count)} and returns when all have finished; with
     * {@code inParallel} false (work too small to repay a wake-up) the caller runs them alone, in order.
     */
    void forEach(int count, boolean inParallel, Body body) {
        if (count <= 0) {
            return;
        }
        if (!inParallel || count == 1 || workers.length == 0 || closed || !busy.compareAndSet(false, true)) {
            for (int i = 0; i < count; i++) {
                body.run(i);
            }
            return;
        }
        try {
            Loop loop = new Loop(body, count);
            current = loop;
            for (Thread w : workers) {
                LockSupport.unpark(w);
            }
            runTasks(loop);
            while (loop.finished.get() < count) {
                Thread.onSpinWait();
            }
            rethrow(loop.failure);
        } finally {
            busy.set(false);
        }
    }

    private static void runTasks(Loop loop) {
        int i;
        while ((i = loop.next.getAndIncrement()) < loop.count) {
            try {
                loop.body.run(i);
            } catch (Throwable t) {
                if (loop.failure == null) {
                    loop.failure = t;
                }
            } finally {
                loop.finished.incrementAndGet();
            }
        }
    }

    private static void rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t != null) {
            throw new IllegalStateException("parallel task failed", t);
        }
    }

    private void work() {
        Loop seen = null;
        while (true) {
            Loop loop = awaitLoopAfter(seen);
            if (loop == null) {
                return;
            }
            seen = loop;
            runTasks(loop);
        }
    }

    /** Spins, then parks, until a loop other than {@code seen} is published; null once the pool is closed. */
    private Loop awaitLoopAfter(Loop seen) {
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        while (true) {
            Loop loop = current;
            if (loop != seen) {
                return loop;
            }
            if (closed) {
                return null;
            }
            if (System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
            } else {
                LockSupport.park(this);
            }
        }
    }

    /** Stops the workers after the loop in progress, if any; later loops run on the caller alone. */
    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
    }
}
