package konaplate.crypto;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Loads the native library once: the file the system property {@value #PROPERTY} (or else the
 * environment variable {@value #VARIABLE}) names, or else the copy packed in this jar for the
 * platform, copied to a private temporary directory first (a JVM cannot load a library from
 * inside a jar).
 */
final class NativeLoader {
    /** The system property naming another copy of the library. */
    static final String PROPERTY = "konaplate.crypto.library";
    /** The environment variable naming another copy of the library. */
    static final String VARIABLE = "KONAPLATE_CRYPTO_LIBRARY";

    private static final String LIBRARY = "libkonaplate_jni.so";

    private NativeLoader() {}

    static void load() {
        String named = System.getProperty(PROPERTY);
        if (named == null || named.isEmpty()) {
            named = System.getenv(VARIABLE);
        }
        if (named != null && !named.isEmpty()) {
            System.load(Path.of(named).toAbsolutePath().toString());
            return;
        }
        String platform = platform();
        String resource = "/konaplate/crypto/native/" + platform + "/" + LIBRARY;
        try (InputStream in = NativeLoader.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new UnsatisfiedLinkError(
                        "konaplate-crypto: this jar has no native library for " + platform
                                + (platform.equals("linux-x86-64")
                                        ? " (it was built before the native library was: run cargo "
                                                + "build --release --target x86_64-unknown-linux-gnu -p "
                                                + "konaplate-crypto-jni, then mvn install again)"
                                        : " (it packs linux-x86-64 only)")
                                + "; or name a copy with -D" + PROPERTY + "=PATH or " + VARIABLE);
            }
            Path dir = Files.createTempDirectory("konaplate-crypto");
            Path file = dir.resolve(LIBRARY);
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            System.load(file.toString());
            // Loaded: the file can go at once (the mapping stays), and the directory with it.
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            UnsatisfiedLinkError error = new UnsatisfiedLinkError(
                    "konaplate-crypto: could not copy the native library out of the jar: " + e);
            error.initCause(e);
            throw error;
        }
    }

    /** The platform's name as the jar's resources name it: {@code linux-x86-64}. */
    private static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String osName = os.startsWith("linux") ? "linux" : os.replace(' ', '-');
        String archName = arch.equals("amd64") || arch.equals("x86_64") ? "x86-64" : arch;
        return osName + "-" + archName;
    }
}
