package konaplate.crypto;

import java.util.Objects;

/**
 * Signs and verifies {@code X-KM-Tran-Token}s with the project secret: {@code KMV1:}, the
 * token's time, and the HMAC-SHA256 of the body. The secret is copied into native memory, wiped
 * there when this signer is closed or collected, and never shown ({@link #toString()} redacts it).
 *
 * <pre>{@code
 * try (TokenSigner signer = new TokenSigner(secret)) {
 *     String token = signer.sign(body);
 *     signer.verify(body, token);            // throws KonaException if it does not match
 * }
 * }</pre>
 */
public final class TokenSigner extends NativeObject {
    /**
     * A signer for the project secret's bytes (the caller may wipe its array afterwards).
     *
     * @throws KonaException {@link ErrorKind#INVALID_SECRET} if the secret is empty or too long
     */
    public TokenSigner(byte[] secret) {
        super(Native.signerNew(Objects.requireNonNull(secret, "secret is null")),
                Native::signerFree, "TokenSigner");
    }

    /** The token of {@code body} now, in KST, unpadded. */
    public String sign(byte[] body) {
        return sign(body, SignOptions.DEFAULT);
    }

    /** The token of {@code body} with {@code options} (a time, a zone, the padded form). */
    public String sign(byte[] body, SignOptions options) {
        Objects.requireNonNull(body, "body is null");
        Objects.requireNonNull(options, "options is null");
        long signer = handle.acquire();
        try {
            return Wire.text(Native.sign(signer, body, Wire.utf8OrNull(options.time()),
                    Wire.utf8OrNull(options.zone()), options.padded()));
        } finally {
            handle.release();
        }
    }

    /**
     * Checks {@code token} against {@code body} now, with the default window (300 seconds).
     *
     * @throws KonaException if the token is malformed, its MAC does not match or its time is
     *     outside the window
     */
    public void verify(byte[] body, String token) {
        verify(body, token, VerifyOptions.DEFAULT);
    }

    /** Checks {@code token} against {@code body} with {@code options}. */
    public void verify(byte[] body, String token, VerifyOptions options) {
        Objects.requireNonNull(body, "body is null");
        Objects.requireNonNull(token, "token is null");
        Objects.requireNonNull(options, "options is null");
        long signer = handle.acquire();
        try {
            Native.verify(signer, body, Wire.utf8(token), Wire.utf8OrNull(options.now()),
                    Wire.utf8OrNull(options.zone()), options.maxSkewSeconds(), options.strict());
        } finally {
            handle.release();
        }
    }

    @Override
    public String toString() {
        return "TokenSigner[secret=redacted]";
    }
}
