package konaplate.crypto;

import java.util.Map;

/** An answer ready to send: its headers and its body, protected as the route says. */
public final class PreparedResponse {
    private final Map<String, String> headers;
    private final byte[] body;

    PreparedResponse(Map<String, String> headers, byte[] body) {
        this.headers = headers;
        this.body = body;
    }

    /** The headers to send ({@code X-KM-Correlation-Id}, {@code X-KM-Crypto-Key-Id}). */
    public Map<String, String> headers() {
        return headers;
    }

    /** The body to send: a copy. */
    public byte[] body() {
        return body.clone();
    }

    @Override
    public String toString() {
        return "PreparedResponse" + headers;
    }
}
