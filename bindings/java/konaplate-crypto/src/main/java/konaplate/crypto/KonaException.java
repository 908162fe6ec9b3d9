package konaplate.crypto;

/**
 * A failure of the library: a message refused (a bad token, an unknown key id, a malformed JWE),
 * or a set-up the library cannot work with (a bad key file, a bad route table). Unchecked, like
 * the JDK's own {@code UncheckedIOException}: {@link #kind()} says which failure, {@link #code()}
 * is its stable code and {@link #httpStatus()} the status a server answers with. The message
 * names what was wrong and never holds a secret, a key or clear data.
 */
public final class KonaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorKind kind;

    /**
     * A failure of kind {@code kind}, for code that reports one of the library's failures itself
     * (the HTTP hooks refuse a streaming body with {@link ErrorKind#STREAMING_BODY}).
     */
    public KonaException(ErrorKind kind, String message) {
        super(message);
        this.kind = java.util.Objects.requireNonNull(kind, "kind is null");
    }

    /** Made by the native library: a kind's code and the library's message. */
    KonaException(String code, String message) {
        super(message);
        this.kind = ErrorKind.fromCode(code);
    }

    /** Which failure this is. */
    public ErrorKind kind() {
        return kind;
    }

    /** The kind's stable code, as {@code "token_mismatch"}. */
    public String code() {
        return kind.code();
    }

    /** The HTTP status a server answers with: 400, 401, 404, 413, 500 or 503. */
    public int httpStatus() {
        return kind.httpStatus();
    }

    @Override
    public String toString() {
        return "KonaException[" + kind.code() + "]: " + getMessage();
    }
}
