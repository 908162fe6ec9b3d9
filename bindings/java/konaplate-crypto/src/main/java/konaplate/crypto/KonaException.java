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

    /**
     * The refusal a server answers with for this failure, in the documented shape: {@code
     * {"code":"...","message":"..."}} (UTF-8 JSON), sent with {@link #httpStatus()}. A failure of
     * the server's own set-up (status 500) says no more than a generic message, as the Rust layer
     * does.
     */
    public byte[] refusalBody() {
        String message = httpStatus() == 500 ? INTERNAL : getMessage();
        return refusal(code(), message);
    }

    /**
     * The bare 500 a server answers with for a fault that is no failure of the library (a handler
     * that failed, an answer its route cannot protect): {@code {"code":"internal_error",...}}.
     */
    public static byte[] internalErrorBody() {
        return refusal("internal_error", INTERNAL);
    }

    /** What a server says of a fault of its own: no more than this. */
    private static final String INTERNAL = "the server cannot process this request";

    private static byte[] refusal(String code, String message) {
        return ("{\"code\":" + jsonString(code) + ",\"message\":" + jsonString(message) + "}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** {@code s} as a JSON string (RFC 8259, section 7). */
    private static String jsonString(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    @Override
    public String toString() {
        return "KonaException[" + kind.code() + "]: " + getMessage();
    }
}
