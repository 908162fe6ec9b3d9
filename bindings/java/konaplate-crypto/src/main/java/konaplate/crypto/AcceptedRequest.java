package konaplate.crypto;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A verified request: its clear body, its verified {@code X-KM-*} headers, the key its body and
 * answer are protected with, and the route it matched. Give it to {@link KonaServer#respond},
 * then close it.
 */
public final class AcceptedRequest extends NativeObject {
    private final byte[] body;
    private volatile Route route;
    private volatile Map<String, String> headers;

    AcceptedRequest(long address, byte[] body) {
        super(address, Native::acceptedFree, "AcceptedRequest");
        this.body = body;
    }

    /** The clear body: a copy. */
    public byte[] body() {
        return body.clone();
    }

    /** The verified {@code X-KM-*} headers, in order (unmodifiable). */
    public Map<String, String> headers() {
        Map<String, String> h = headers;
        if (h == null) {
            long accepted = handle.acquire();
            try {
                h = new Wire.Reader(Native.acceptedHeaders(accepted)).headers();
            } finally {
                handle.release();
            }
            headers = h;
        }
        return h;
    }

    /** The key the request's body and its answer are protected with, if any. */
    public Optional<String> keyId() {
        String id = route().keyId;
        return id.isEmpty() ? Optional.empty() : Optional.of(id);
    }

    /** The request's {@code X-KM-Correlation-Id}. */
    public String correlationId() {
        return route().correlationId;
    }

    /** The route that matched: its method, template and the template's parameters. */
    public Route route() {
        Route r = route;
        if (r == null) {
            long accepted = handle.acquire();
            try {
                List<String> items = Wire.strings(Native.acceptedRoute(accepted));
                r = new Route(items);
            } finally {
                handle.release();
            }
            route = r;
        }
        return r;
    }

    @Override
    public String toString() {
        return "AcceptedRequest[route=" + route() + "]";
    }

    /**
     * The route a request matched. Its parameters come from the path, which the token does not
     * cover: treat them as unauthenticated.
     */
    public static final class Route {
        private final String keyId;
        private final String correlationId;
        private final String method;
        private final String template;
        private final Map<String, String> params;

        private Route(List<String> items) {
            this.keyId = items.get(0);
            this.correlationId = items.get(1);
            this.method = items.get(2);
            this.template = items.get(3);
            java.util.LinkedHashMap<String, String> p = new java.util.LinkedHashMap<>();
            for (int i = 4; i + 1 < items.size(); i += 2) {
                p.put(items.get(i), items.get(i + 1));
            }
            this.params = java.util.Collections.unmodifiableMap(p);
        }

        /** The route's method, as {@code "POST"}. */
        public String method() {
            return method;
        }

        /** The route's template, as {@code "/api/v1/cards/{cardId}"}. */
        public String template() {
            return template;
        }

        /** The template's parameters by name (unmodifiable). */
        public Map<String, String> params() {
            return params;
        }

        @Override
        public String toString() {
            return method + " " + template + (params.isEmpty() ? "" : " " + params);
        }
    }
}
