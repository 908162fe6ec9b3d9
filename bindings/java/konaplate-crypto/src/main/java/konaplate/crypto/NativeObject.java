package konaplate.crypto;

import java.util.function.LongConsumer;

/**
 * A Java object over one native value: {@link #close()} frees it, and so does a {@link
 * java.lang.ref.Cleaner} once the object is unreachable, as a safety net. Immutable and safe to
 * share between threads; closing while other threads use it is safe too (they finish, new calls
 * throw {@link IllegalStateException}).
 */
public abstract class NativeObject implements AutoCloseable {
    final NativeHandle handle;

    NativeObject(long address, LongConsumer free, String what) {
        this.handle = new NativeHandle(this, address, free, what);
    }

    /** Frees the native value now (idempotent); later calls throw {@link IllegalStateException}. */
    @Override
    public void close() {
        handle.close();
    }

    /** Whether this object was closed. */
    public boolean isClosed() {
        return handle.isClosed();
    }

    /** Makes a native value from the addresses of a signer, a keyring and a route table. */
    @FunctionalInterface
    interface Make {
        long make(long signer, long keyring, long routes);
    }

    /**
     * What {@code make} returns, called with the three objects' addresses, each counted as in use
     * for the call: a client or a server is built over them (it keeps copies of its own).
     */
    static long over(TokenSigner signer, Keyring keyring, RouteTable routes, Make make) {
        long s = signer.handle.acquire();
        try {
            long k = keyring.handle.acquire();
            try {
                long r = routes.handle.acquire();
                try {
                    return make.make(s, k, r);
                } finally {
                    routes.handle.release();
                }
            } finally {
                keyring.handle.release();
            }
        } finally {
            signer.handle.release();
        }
    }
}
