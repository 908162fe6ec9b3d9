package konaplate.crypto;

import java.util.Map;
import java.util.Objects;

/**
 * A server's side of the exchange: {@link #accept} verifies a request (its route, every {@code
 * X-KM-*} header, the token over the body as received, the replay guard) and opens its body;
 * {@link #respond} protects the answer as the route says. Thread-safe: one server serves every
 * thread.
 *
 * <pre>{@code
 * KonaServer server = KonaServer.builder(signer, keys, routes).replayGuard(1_000_000).build();
 * try (AcceptedRequest request = server.accept(method, path, headers, body)) {
 *     PreparedResponse answer = server.respond(request, handle(request.body()));
 *     // send answer.headers() and answer.body()
 * }
 * }</pre>
 */
public final class KonaServer extends NativeObject {
    private KonaServer(long address) {
        super(address, Native::serverFree, "KonaServer");
    }

    /** A builder for a server over these keys and routes. */
    public static Builder builder(TokenSigner signer, Keyring keyring, RouteTable routes) {
        return new Builder(signer, keyring, routes);
    }

    /**
     * Verifies a request now and opens its body as its route says.
     *
     * @param headers the request's headers: values a {@code String} or a list of them
     * @throws KonaException the refusal, whose {@link KonaException#httpStatus()} is the answer's
     */
    public AcceptedRequest accept(String method, String path, Map<String, ?> headers,
            byte[] body) {
        Objects.requireNonNull(method, "method is null");
        Objects.requireNonNull(path, "path is null");
        byte[] pairs = Wire.pairs(headers);
        Objects.requireNonNull(body, "body is null");
        long[] out = new long[1];
        byte[] clear;
        long server = handle.acquire();
        try {
            clear = Native.serverAccept(server, Wire.utf8(method), Wire.utf8(path), pairs, body,
                    out);
        } finally {
            handle.release();
        }
        return new AcceptedRequest(out[0], clear);
    }

    /**
     * Checks all of a request that needs no body (route, headers, token time, key), so that a
     * front end refuses it before reading the body; {@link #acceptBody} finishes.
     *
     * @throws KonaException the refusal
     */
    public RequestHead checkHead(String method, String path, Map<String, ?> headers) {
        Objects.requireNonNull(method, "method is null");
        Objects.requireNonNull(path, "path is null");
        byte[] pairs = Wire.pairs(headers);
        long server = handle.acquire();
        try {
            return new RequestHead(
                    Native.serverCheckHead(server, Wire.utf8(method), Wire.utf8(path), pairs));
        } finally {
            handle.release();
        }
    }

    /**
     * Finishes accepting a request whose head passed {@link #checkHead}: the token's MAC over
     * {@code body}, the body opened, the replay guard.
     *
     * @throws KonaException the refusal
     */
    public AcceptedRequest acceptBody(RequestHead head, byte[] body) {
        Objects.requireNonNull(head, "head is null");
        Objects.requireNonNull(body, "body is null");
        long[] out = new long[1];
        byte[] clear;
        long server = handle.acquire();
        try {
            long h = head.handle.acquire();
            try {
                clear = Native.serverAcceptBody(server, h, body, out);
            } finally {
                head.handle.release();
            }
        } finally {
            handle.release();
        }
        return new AcceptedRequest(out[0], clear);
    }

    /**
     * The answer to {@code request}: {@code body} protected as the route says under the key the
     * request named, with {@code X-KM-Correlation-Id} echoed and {@code X-KM-Crypto-Key-Id}.
     *
     * @throws KonaException if the body cannot be protected (a route with marked fields and a
     *     body that is not JSON, say): answer a bare 500, never the clear body
     */
    public PreparedResponse respond(AcceptedRequest request, byte[] body) {
        Objects.requireNonNull(request, "request is null");
        Objects.requireNonNull(body, "body is null");
        byte[] sent;
        long server = handle.acquire();
        try {
            long accepted = request.handle.acquire();
            try {
                sent = Native.serverRespond(server, accepted, body);
            } finally {
                request.handle.release();
            }
        } finally {
            handle.release();
        }
        Wire.Reader in = new Wire.Reader(sent);
        byte[] answer = in.bytes();
        return new PreparedResponse(in.headers(), answer);
    }

    @Override
    public String toString() {
        return "KonaServer";
    }

    /** Builds a {@link KonaServer}. */
    public static final class Builder {
        private final TokenSigner signer;
        private final Keyring keyring;
        private final RouteTable routes;
        private long maxSkewSeconds = 300;
        private boolean strict;
        private boolean exactTranTime;
        private int replayGuard = -1;

        private Builder(TokenSigner signer, Keyring keyring, RouteTable routes) {
            this.signer = Objects.requireNonNull(signer, "signer is null");
            this.keyring = Objects.requireNonNull(keyring, "keyring is null");
            this.routes = Objects.requireNonNull(routes, "routes is null");
        }

        /** The token time window either side of now, in seconds (300 by default). */
        public Builder maxSkewSeconds(long seconds) {
            if (seconds < 0) {
                throw new IllegalArgumentException("maxSkewSeconds is negative: " + seconds);
            }
            this.maxSkewSeconds = seconds;
            return this;
        }

        /** Refuses the padded 67-character token form. */
        public Builder strict(boolean strict) {
            this.strict = strict;
            return this;
        }

        /**
         * Requires {@code X-KM-Tran-Time} to be exactly the token's time (by default it may be
         * one second later: the platform's own clients stamp it after signing).
         */
        public Builder exactTranTime(boolean exact) {
            this.exactTranTime = exact;
            return this;
        }

        /**
         * Refuses a request seen before within the window, remembering up to {@code capacity}
         * requests ({@link ErrorKind#REPLAY_GUARD_FULL}, 503, beyond that); from 1 to 2<sup>24</sup>
         * ({@link ErrorKind#INVALID_CAPACITY} at {@link #build()} otherwise).
         */
        public Builder replayGuard(int capacity) {
            if (capacity < 0) {
                throw new IllegalArgumentException("replayGuard capacity is negative: " + capacity);
            }
            this.replayGuard = capacity;
            return this;
        }

        /** The server. */
        public KonaServer build() {
            return new KonaServer(over(signer, keyring, routes, (s, k, r) -> Native.serverNew(
                    s, k, r, maxSkewSeconds, strict, exactTranTime, replayGuard)));
        }
    }
}
