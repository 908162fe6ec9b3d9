package konaplate.crypto;

import java.util.Map;
import java.util.Objects;

/**
 * A client of the platform for one ASP: {@link #prepare} signs a request and protects its body as
 * its route says; {@link #finish} checks the answer and opens its body. Thread-safe: one client
 * serves every thread. It keeps its own copies of the signer, keys and routes it was built with.
 *
 * <pre>{@code
 * try (KonaClient client = KonaClient.builder(aspId, signer, keys, routes)
 *         .accessKey(accessKey).cryptoKeyId(keyId).build();
 *      PreparedRequest request = client.prepare("POST", "/api/v1/...", body)) {
 *     // send request.headers() and request.body(), then:
 *     byte[] clear = client.finish(request, responseHeaders, responseBody);
 * }
 * }</pre>
 */
public final class KonaClient extends NativeObject {
    private KonaClient(long address) {
        super(address, Native::clientFree, "KonaClient");
    }

    /** A builder for a client of the ASP {@code aspId}. */
    public static Builder builder(String aspId, TokenSigner signer, Keyring keyring,
            RouteTable routes) {
        return new Builder(aspId, signer, keyring, routes);
    }

    /**
     * The request for {@code method} and {@code path} with {@code body}, now: send its {@link
     * PreparedRequest#headers() headers} and {@link PreparedRequest#body() body}, then give the
     * answer to {@link #finish}.
     *
     * @throws KonaException {@link ErrorKind#ROUTE_NOT_FOUND} if no route serves it, or the
     *     failure of protecting the body
     */
    public PreparedRequest prepare(String method, String path, byte[] body) {
        Objects.requireNonNull(method, "method is null");
        Objects.requireNonNull(path, "path is null");
        Objects.requireNonNull(body, "body is null");
        long[] out = new long[1];
        byte[] sent;
        long client = handle.acquire();
        try {
            sent = Native.clientPrepare(client, Wire.utf8(method), Wire.utf8(path), body, out);
        } finally {
            handle.release();
        }
        return new PreparedRequest(out[0], sent);
    }

    /**
     * The clear body of the answer to {@code request}: its {@code X-KM-Correlation-Id} must be
     * the request's; its body is opened as the route says.
     *
     * @param headers the answer's headers: values a {@code String} or a list of them (as {@code
     *     java.net.http.HttpHeaders.map()} or Spring's {@code HttpHeaders} give)
     * @throws KonaException {@link ErrorKind#CORRELATION_ID_MISMATCH} for another request's
     *     answer, or the failure of opening it
     */
    public byte[] finish(PreparedRequest request, Map<String, ?> headers, byte[] body) {
        Objects.requireNonNull(request, "request is null");
        byte[] pairs = Wire.pairs(headers);
        Objects.requireNonNull(body, "body is null");
        long client = handle.acquire();
        try {
            long sent = request.handle.acquire();
            try {
                return Native.clientFinish(client, sent, pairs, body);
            } finally {
                request.handle.release();
            }
        } finally {
            handle.release();
        }
    }

    @Override
    public String toString() {
        return "KonaClient";
    }

    /** Builds a {@link KonaClient}. */
    public static final class Builder {
        private final String aspId;
        private final TokenSigner signer;
        private final Keyring keyring;
        private final RouteTable routes;
        private String accessKey;
        private String cryptoKeyId;
        /** The instance number and width, if given. */
        private int[] instance;

        private Builder(String aspId, TokenSigner signer, Keyring keyring, RouteTable routes) {
            this.aspId = Objects.requireNonNull(aspId, "aspId is null");
            this.signer = Objects.requireNonNull(signer, "signer is null");
            this.keyring = Objects.requireNonNull(keyring, "keyring is null");
            this.routes = Objects.requireNonNull(routes, "routes is null");
        }

        /** The {@code X-KM-Access-Key} to send (none: the client sends callbacks). */
        public Builder accessKey(String accessKey) {
            this.accessKey = Objects.requireNonNull(accessKey, "accessKey is null");
            return this;
        }

        /** The {@code X-KM-Crypto-Key-Id} to send: the key requests and answers use. */
        public Builder cryptoKeyId(String cryptoKeyId) {
            this.cryptoKeyId = Objects.requireNonNull(cryptoKeyId, "cryptoKeyId is null");
            return this;
        }

        /**
         * Draws correlation ids as instance {@code number} (0 to 15) of a fleet: the number takes
         * the top 4 bits of each id's suffix, so instances with distinct numbers never send the
         * same id.
         */
        public Builder instance(int number) {
            return instance(number, 4);
        }

        /**
         * As {@link #instance(int)}, in a split of {@code bits} bits (1 to 16; {@code number}
         * below 2<sup>bits</sup>): each instance makes 2<sup>28 - bits</sup> ids a second.
         * Checked by {@link #build()} ({@link ErrorKind#INVALID_INSTANCE}).
         */
        public Builder instance(int number, int bits) {
            this.instance = new int[] {number, bits};
            return this;
        }

        /**
         * The client.
         *
         * @throws KonaException if the ASP id, access key or key id is malformed, or the
         *     instance out of range
         */
        public KonaClient build() {
            // -1: no instance; a negative number given is out of range.
            int number = instance == null ? -1 : CorrelationIds.checkedNumber(instance[0], instance[1]);
            int bits = instance == null ? 0 : instance[1];
            return new KonaClient(over(signer, keyring, routes, (s, k, r) -> Native.clientNew(
                    Wire.utf8(aspId), s, k, r, Wire.utf8OrNull(accessKey),
                    Wire.utf8OrNull(cryptoKeyId), number, bits)));
        }
    }
}
