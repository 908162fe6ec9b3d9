package konaplate.crypto;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * One native value, held by the address the native library gave it. Calls that use it are counted:
 * {@link #acquire()} before, {@link #release()} after. Closing (by {@link #close()}, or by the
 * {@link Cleaner} once its owner is unreachable) refuses new calls at once and frees the value
 * when the last running call ends, exactly once. So no call ever sees freed memory, whichever
 * thread closes.
 */
final class NativeHandle implements Runnable {
    private static final Cleaner CLEANER = Cleaner.create();
    /** The state's closed bit; below it, the number of calls using the value. */
    private static final long CLOSED = 1L << 62;
    /** Handles made and not yet freed, process-wide: the tests watch it for leaks. */
    private static final AtomicLong LIVE = new AtomicLong();

    private final long address;
    private final LongConsumer free;
    private final String what;
    private final AtomicLong state = new AtomicLong();
    private final Cleaner.Cleanable cleanable;

    /**
     * Holds {@code address} for {@code owner}; {@code free} frees it; {@code what} names it in
     * messages.
     */
    NativeHandle(Object owner, long address, LongConsumer free, String what) {
        if (address == 0) {
            throw new IllegalStateException("konaplate-crypto: the native library returned no " + what);
        }
        this.address = address;
        this.free = free;
        this.what = what;
        this.cleanable = CLEANER.register(owner, this);
        LIVE.incrementAndGet();
    }

    /** The number of handles made and not yet freed. */
    static long live() {
        return LIVE.get();
    }

    /**
     * The address, for one call: {@link #release()} must follow.
     *
     * @throws IllegalStateException if closed
     */
    long acquire() {
        for (; ; ) {
            long s = state.get();
            if ((s & CLOSED) != 0) {
                throw new IllegalStateException("this " + what + " is closed");
            }
            if (state.compareAndSet(s, s + 1)) {
                return address;
            }
        }
    }

    /** Ends a call begun by {@link #acquire()}; frees the value if it was the last of a closed one. */
    void release() {
        if (state.decrementAndGet() == CLOSED) {
            free();
        }
    }

    /** Closes: at once for new calls; the value is freed when no call uses it. Idempotent. */
    void close() {
        cleanable.clean();
    }

    /** Whether {@link #close()} ran (or the Cleaner did). */
    boolean isClosed() {
        return (state.get() & CLOSED) != 0;
    }

    /** The Cleaner's action, run at most once (by {@link #close()} or the Cleaner). */
    @Override
    public void run() {
        if (state.getAndAdd(CLOSED) == 0) {
            free();
        }
    }

    private void free() {
        free.accept(address);
        LIVE.decrementAndGet();
    }
}
