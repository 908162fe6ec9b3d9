package konaplate.crypto;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The kinds of failure a {@link KonaException} reports, one per stable error code of the
 * library, in the library's own order. Each has its {@linkplain #code() code} and the {@linkplain
 * #httpStatus() HTTP status} a server answers with, both read from the native library.
 */
public enum ErrorKind {
    /** {@code missing_header}. */
    MISSING_HEADER("missing_header"),
    /** {@code duplicate_header}. */
    DUPLICATE_HEADER("duplicate_header"),
    /** {@code invalid_header}. */
    INVALID_HEADER("invalid_header"),
    /** {@code invalid_correlation_id}. */
    INVALID_CORRELATION_ID("invalid_correlation_id"),
    /** {@code invalid_time}. */
    INVALID_TIME("invalid_time"),
    /** {@code unknown_time_zone}. */
    UNKNOWN_TIME_ZONE("unknown_time_zone"),
    /** {@code malformed_token}. */
    MALFORMED_TOKEN("malformed_token"),
    /** {@code token_mismatch}. */
    TOKEN_MISMATCH("token_mismatch"),
    /** {@code token_time_outside_window}. */
    TOKEN_TIME_OUTSIDE_WINDOW("token_time_outside_window"),
    /** {@code padded_token_refused}. */
    PADDED_TOKEN_REFUSED("padded_token_refused"),
    /** {@code invalid_json}. */
    INVALID_JSON("invalid_json"),
    /** {@code invalid_field_path}. */
    INVALID_FIELD_PATH("invalid_field_path"),
    /** {@code field_not_found}. */
    FIELD_NOT_FOUND("field_not_found"),
    /** {@code invalid_field}. */
    INVALID_FIELD("invalid_field"),
    /** {@code invalid_key}. */
    INVALID_KEY("invalid_key"),
    /** {@code unknown_key_id}. */
    UNKNOWN_KEY_ID("unknown_key_id"),
    /** {@code key_id_mismatch}. */
    KEY_ID_MISMATCH("key_id_mismatch"),
    /** {@code no_key_id}. */
    NO_KEY_ID("no_key_id"),
    /** {@code key_mismatch}. */
    KEY_MISMATCH("key_mismatch"),
    /** {@code malformed_jwe}. */
    MALFORMED_JWE("malformed_jwe"),
    /** {@code unsupported_jwe}. */
    UNSUPPORTED_JWE("unsupported_jwe"),
    /** {@code decryption_failed}. */
    DECRYPTION_FAILED("decryption_failed"),
    /** {@code too_large}. */
    TOO_LARGE("too_large"),
    /** {@code invalid_envelope}. */
    INVALID_ENVELOPE("invalid_envelope"),
    /** {@code buffer_too_small}. */
    BUFFER_TOO_SMALL("buffer_too_small"),
    /** {@code invalid_secret}. */
    INVALID_SECRET("invalid_secret"),
    /** {@code invalid_routes}. */
    INVALID_ROUTES("invalid_routes"),
    /** {@code route_not_found}. */
    ROUTE_NOT_FOUND("route_not_found"),
    /** {@code correlation_id_mismatch}. */
    CORRELATION_ID_MISMATCH("correlation_id_mismatch"),
    /** {@code io}. */
    IO("io"),
    /** {@code replayed}. */
    REPLAYED("replayed"),
    /** {@code replay_guard_full}. */
    REPLAY_GUARD_FULL("replay_guard_full"),
    /** {@code unreadable_body}. */
    UNREADABLE_BODY("unreadable_body"),
    /** {@code streaming_body}. */
    STREAMING_BODY("streaming_body"),
    /** {@code too_deep}. */
    TOO_DEEP("too_deep"),
    /** {@code key_unusable}. */
    KEY_UNUSABLE("key_unusable"),
    /** {@code query_not_allowed}. */
    QUERY_NOT_ALLOWED("query_not_allowed"),
    /** {@code invalid_capacity}. */
    INVALID_CAPACITY("invalid_capacity"),
    /** {@code replay_store_unavailable}: the shared replay store did not answer (503). */
    REPLAY_STORE_UNAVAILABLE("replay_store_unavailable"),
    /** {@code unknown_asp_id}: no service provider with this ASP id is served (401). */
    UNKNOWN_ASP_ID("unknown_asp_id"),
    /** {@code unknown_access_key}: the access key was not issued to this ASP id (401). */
    UNKNOWN_ACCESS_KEY("unknown_access_key"),
    /** {@code invalid_instance}: a correlation id instance number or width out of range. */
    INVALID_INSTANCE("invalid_instance"),
    /** {@code invalid_tenants}: a tenant registry does not load. */
    INVALID_TENANTS("invalid_tenants");

    private final String code;

    ErrorKind(String code) {
        this.code = code;
    }

    /** The stable code, as {@code "token_mismatch"}: what the wire's {@code "code"} carries. */
    public String code() {
        return code;
    }

    /**
     * The status a server answers with for this kind: 400, 401, 404, 413, 500 (the caller's own
     * set-up) or 503.
     */
    public int httpStatus() {
        return Table.STATUS[ordinal()];
    }

    /**
     * The kind whose code is {@code code}.
     *
     * @throws IllegalArgumentException if no kind has that code
     */
    public static ErrorKind fromCode(String code) {
        ErrorKind kind = Table.BY_CODE.get(code);
        if (kind == null) {
            throw new IllegalArgumentException("no error kind has the code \"" + code + "\"");
        }
        return kind;
    }

    /** The native library's table of kinds, read once; checked against this enum. */
    private static final class Table {
        static final int[] STATUS;
        static final Map<String, ErrorKind> BY_CODE = new HashMap<>();

        static {
            List<String> table = Wire.strings(Native.errorKinds());
            ErrorKind[] kinds = values();
            if (table.size() != 2 * kinds.length) {
                throw new IllegalStateException(
                        "the native library has " + table.size() / 2 + " error kinds, this enum "
                                + kinds.length + ": the jar and its native library do not match");
            }
            STATUS = new int[kinds.length];
            for (ErrorKind kind : kinds) {
                String code = table.get(2 * kind.ordinal());
                if (!code.equals(kind.code)) {
                    throw new IllegalStateException(
                            "error kind " + kind.ordinal() + " is \"" + code + "\" in the native "
                                    + "library and \"" + kind.code + "\" here");
                }
                STATUS[kind.ordinal()] = Integer.parseInt(table.get(2 * kind.ordinal() + 1));
                BY_CODE.put(kind.code, kind);
            }
        }
    }
}
