package konaplate.crypto;

import static konaplate.crypto.Support.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Handles: closed twice, used after close, closed while in use, left to the Cleaner. */
class HandlesTest {
    @Test
    void closingTwiceIsHarmlessAndUseAfterCloseIsIllegalState() {
        Parties p = new Parties();
        p.signer.close();
        p.signer.close();
        assertTrue(p.signer.isClosed());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.signer.sign(new byte[0]));
        assertEquals("this TokenSigner is closed", e.getMessage());
        // The client made its own copy of the signer: it still works.
        PreparedRequest request = p.client.prepare("POST", CANCEL, utf8(SEED_REQUEST));
        request.close();
        e = assertThrows(IllegalStateException.class, () -> p.client.finish(request, java.util.Map.of(), new byte[0]));
        assertEquals("this PreparedRequest is closed", e.getMessage());
        p.keyring.close();
        e = assertThrows(IllegalStateException.class,
                () -> Envelope.seal(new byte[0], p.keyring, KEY_B));
        assertEquals("this Keyring is closed", e.getMessage());
        p.close();
        p.close();
    }

    @Test
    void closingWhileOtherThreadsUseItLetsThemFinish() throws Exception {
        try (Parties p = new Parties()) {
            byte[] body = new byte[1 << 20];
            int threads = 4;
            CountDownLatch started = new CountDownLatch(threads);
            AtomicInteger signed = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            Thread[] pool = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                pool[t] = new Thread(() -> {
                    started.countDown();
                    for (int i = 0; i < 200; i++) {
                        try {
                            assertEquals(66, p.signer.sign(body).length());
                            signed.incrementAndGet();
                        } catch (IllegalStateException closed) {
                            refused.incrementAndGet();
                        }
                    }
                });
                pool[t].start();
            }
            started.await();
            Thread.sleep(20);
            p.signer.close();
            for (Thread t : pool) {
                t.join();
            }
            assertEquals(threads * 200, signed.get() + refused.get());
            assertTrue(refused.get() > 0, "calls after close were refused");
        }
    }

    @Test
    void unclosedObjectsAreFreedByTheCleanerWithTheHeapBounded() throws Exception {
        assertTrue(Runtime.getRuntime().maxMemory() <= 256L << 20, "the heap is bounded (surefire's -Xmx)");
        try (Parties p = new Parties()) {
            long before = NativeHandle.live();
            byte[] body = new byte[1024];
            for (int i = 0; i < 100_000; i++) {
                PreparedRequest request = p.client.prepare("POST", CANCEL, body);
                assertEquals(1024, request.bodyLength());
                new Fields(java.util.List.of("par"));
            }
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (NativeHandle.live() > before + 1_000 && System.nanoTime() < deadline) {
                System.gc();
                Thread.sleep(50);
            }
            long left = NativeHandle.live() - before;
            assertTrue(left <= 1_000, left + " of 200,000 unclosed objects still held");
        }
    }
}
