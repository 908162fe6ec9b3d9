package konaplate.crypto;

import static org.junit.jupiter.api.Assertions.*;

import java.net.URL;
import org.junit.jupiter.api.Test;

/** The jar packs the native library where NativeLoader looks, and loads that copy. */
class PackagingTest {
    @Test
    void theNativeLibraryIsPackedForLinuxX8664() {
        URL packed = NativeLoader.class.getResource("/konaplate/crypto/native/linux-x86-64/libkonaplate_jni.so");
        assertNotNull(packed, "the native library is not packed: build it first (cargo build --release "
                + "--target x86_64-unknown-linux-gnu -p konaplate-crypto-jni), or name its directory "
                + "with -Dkonaplate.native.dir=DIR");
        assertNull(System.getProperty(NativeLoader.PROPERTY), "the tests load the packed copy");
        // Loaded from it: a call into the library works.
        assertEquals(43, ErrorKind.values().length);
        assertTrue(CorrelationIds.next().matches("\\d{12}-[0-9a-f]{7}"));
    }
}
