package konaplate.crypto;

import java.util.Map;

/**
 * A request ready to send: its {@code X-KM-*} headers and its body exactly as signed. It keeps
 * what {@link KonaClient#finish} needs to check and open the answer (the route, the key, the
 * keys as they were); close it once the answer is finished (the HTTP hooks do).
 */
public final class PreparedRequest extends NativeObject {
    private final Map<String, String> headers;
    private final byte[] body;

    PreparedRequest(long address, byte[] sent) {
        super(address, Native::requestFree, "PreparedRequest");
        Wire.Reader in = new Wire.Reader(sent);
        this.body = in.bytes();
        this.headers = in.headers();
    }

    /** The {@code X-KM-*} headers to send, in order (unmodifiable). */
    public Map<String, String> headers() {
        return headers;
    }

    /** The body to send, as signed (sealed if the route says so): a copy. */
    public byte[] body() {
        return body.clone();
    }

    /** The body's length in bytes. */
    public int bodyLength() {
        return body.length;
    }

    /** The request's {@code X-KM-Correlation-Id}. */
    public String correlationId() {
        return headers.get("X-KM-Correlation-Id");
    }

    @Override
    public String toString() {
        return "PreparedRequest[correlationId=" + correlationId() + "]";
    }
}
