package konaplate.crypto;

import java.util.Objects;

/**
 * Whole payloads sealed as {@code {"encData":"<JWE>"}}.
 *
 * <pre>{@code
 * byte[] sealed = Envelope.seal(body, keys, keyId);
 * byte[] clear = Envelope.open(sealed, keys, keyId);
 * }</pre>
 */
public final class Envelope {
    private Envelope() {}

    /** {@code body} sealed whole under the key {@code keyId}. */
    public static byte[] seal(byte[] body, Keyring keyring, String keyId) {
        Objects.requireNonNull(body, "body is null");
        Objects.requireNonNull(keyring, "keyring is null");
        Objects.requireNonNull(keyId, "keyId is null");
        long ring = keyring.handle.acquire();
        try {
            return Native.envelopeSeal(body, ring, Wire.utf8(keyId));
        } finally {
            keyring.handle.release();
        }
    }

    /** The clear body of an envelope, opened with the first-issued key. */
    public static byte[] open(byte[] doc, Keyring keyring) {
        return open(doc, keyring, null);
    }

    /** The clear body of an envelope, opened with the key {@code keyId} (null: the first-issued). */
    public static byte[] open(byte[] doc, Keyring keyring, String keyId) {
        Objects.requireNonNull(doc, "doc is null");
        Objects.requireNonNull(keyring, "keyring is null");
        long ring = keyring.handle.acquire();
        try {
            return Native.envelopeOpen(doc, ring, Wire.utf8OrNull(keyId));
        } finally {
            keyring.handle.release();
        }
    }
}
