package konaplate.crypto;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Keys by {@code X-KM-Crypto-Key-Id}: read once, held in native memory (wiped when closed or
 * collected), never shown ({@link #toString()} lists the ids only).
 *
 * <pre>{@code
 * Keyring keys = Keyring.fromJwks(Files.readString(Path.of("keyring.json")));
 * Keyring ours = Keyring.load(Files.readAllBytes(Path.of("client.p12")), password, "KEY-ID...");
 * }</pre>
 */
public final class Keyring extends NativeObject {
    private final List<String> keyIds;

    private Keyring(long address) {
        super(address, Native::keyringFree, "Keyring");
        long ring = handle.acquire();
        try {
            this.keyIds = List.copyOf(Wire.strings(Native.keyringIds(ring)));
        } finally {
            handle.release();
        }
    }

    /**
     * A keyring from a JWK Set (or one JWK) as JSON text.
     *
     * @throws KonaException {@link ErrorKind#INVALID_KEY} if it is not one
     */
    public static Keyring fromJwks(String jwks) {
        Objects.requireNonNull(jwks, "jwks is null");
        return new Keyring(Native.keyringFromJwks(Wire.utf8(jwks)));
    }

    /** {@link #load(byte[], char[], String)} without a password or a key id (a JWK Set). */
    public static Keyring load(byte[] data) {
        return load(data, null, null);
    }

    /**
     * A keyring from the bytes of any key file the library reads: a JWK Set or JWK, a PEM (any
     * line length, as Java's {@code Base64.getMimeEncoder()} writes too) or DER certificate, SPKI
     * public key, PKCS#8 or PKCS#1 private key, or a PKCS#12 store (as {@code keytool} makes).
     * An RSA key is known by {@code keyId}; a key set names its own.
     *
     * @param password the PKCS#12 store's password, or null; the library wipes its copy, the
     *     caller may wipe this array
     * @param keyId the id an RSA key is known by, or null for a key set
     * @throws KonaException {@link ErrorKind#INVALID_KEY} naming what is wrong with the file
     */
    public static Keyring load(byte[] data, char[] password, String keyId) {
        Objects.requireNonNull(data, "data is null");
        byte[] secret = password == null ? null : utf8(password);
        try {
            return new Keyring(Native.keyringLoad(data, secret, Wire.utf8OrNull(keyId)));
        } finally {
            if (secret != null) {
                Arrays.fill(secret, (byte) 0);
            }
        }
    }

    /**
     * As {@link #load(byte[], char[], String)}, reading the file at {@code path}.
     *
     * @throws UncheckedIOException if the file cannot be read
     */
    public static Keyring read(Path path, char[] password, String keyId) {
        Objects.requireNonNull(path, "path is null");
        byte[] data;
        try {
            data = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the key file " + path, e);
        }
        try {
            return load(data, password, keyId);
        } finally {
            Arrays.fill(data, (byte) 0);
        }
    }

    /** The ids of the keys, first-issued first. */
    public List<String> keyIds() {
        return keyIds;
    }

    /** The number of keys. */
    public int size() {
        return keyIds.size();
    }

    @Override
    public String toString() {
        return "Keyring[keyIds=" + keyIds + "]";
    }

    private static byte[] utf8(char[] password) {
        ByteBuffer encoded;
        try {
            encoded = StandardCharsets.UTF_8.newEncoder().encode(CharBuffer.wrap(password));
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("the password is not valid text (a lone surrogate)");
        }
        byte[] out = new byte[encoded.remaining()];
        encoded.get(out);
        Arrays.fill(encoded.array(), (byte) 0);
        return out;
    }
}
