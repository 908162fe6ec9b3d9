package konaplate.crypto;

import java.util.List;
import java.util.Objects;

/**
 * The fields of a JSON document that travel encrypted, by path ({@code "mobileCardNo"}, {@code
 * "cards[].par"}): each is sealed as a compact JWE under a key of a {@link Keyring}, and opened
 * again. A document is never half processed: a failure leaves no output.
 *
 * <pre>{@code
 * try (Fields fields = new Fields(List.of("mobileCardNo", "par"))) {
 *     byte[] sealed = fields.encrypt(response, keys, keyId);
 *     byte[] clear = fields.decrypt(sealed, keys, keyId);
 * }
 * }</pre>
 */
public final class Fields extends NativeObject {
    private final List<String> paths;

    /** The fields at {@code paths}; a document may lack some of them. */
    public Fields(List<String> paths) {
        this(paths, false);
    }

    /**
     * The fields at {@code paths}; if {@code strict}, a document without one of them is refused
     * ({@link ErrorKind#FIELD_NOT_FOUND}).
     *
     * @throws KonaException {@link ErrorKind#INVALID_FIELD_PATH} for a path that is not one
     */
    public Fields(List<String> paths, boolean strict) {
        super(Native.fieldsNew(Wire.list(copy(paths)), strict), Native::fieldsFree, "Fields");
        this.paths = copy(paths);
    }

    private static List<String> copy(List<String> paths) {
        Objects.requireNonNull(paths, "paths is null");
        for (String path : paths) {
            Objects.requireNonNull(path, "a path is null");
        }
        return List.copyOf(paths);
    }

    /** The paths, as given. */
    public List<String> paths() {
        return paths;
    }

    /** {@code doc} with each marked field sealed as a JWE under the key {@code keyId}. */
    public byte[] encrypt(byte[] doc, Keyring keyring, String keyId) {
        Objects.requireNonNull(doc, "doc is null");
        Objects.requireNonNull(keyring, "keyring is null");
        Objects.requireNonNull(keyId, "keyId is null");
        long fields = handle.acquire();
        try {
            long ring = keyring.handle.acquire();
            try {
                return Native.fieldsEncrypt(fields, doc, ring, Wire.utf8(keyId));
            } finally {
                keyring.handle.release();
            }
        } finally {
            handle.release();
        }
    }

    /** {@code doc} with each marked field opened with the first-issued key. */
    public byte[] decrypt(byte[] doc, Keyring keyring) {
        return decrypt(doc, keyring, null);
    }

    /**
     * {@code doc} with each marked field opened with the key {@code keyId} (null: the
     * first-issued key); the key named wins over a JWE's own {@code kid}.
     */
    public byte[] decrypt(byte[] doc, Keyring keyring, String keyId) {
        Objects.requireNonNull(doc, "doc is null");
        Objects.requireNonNull(keyring, "keyring is null");
        long fields = handle.acquire();
        try {
            long ring = keyring.handle.acquire();
            try {
                return Native.fieldsDecrypt(fields, doc, ring, Wire.utf8OrNull(keyId));
            } finally {
                keyring.handle.release();
            }
        } finally {
            handle.release();
        }
    }

    @Override
    public String toString() {
        return "Fields" + paths;
    }
}
