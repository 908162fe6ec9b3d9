package konaplate.crypto.http;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** What the client hooks share: the target a route is found by, and which answers to open. */
final class Hook {
    private Hook() {}

    /** Headers of the received answer that no longer hold once its body is the clear one. */
    static final Set<String> STALE = Set.of("content-length", "content-encoding");

    /** The path and query a route is found by, as sent (not decoded). */
    static String target(URI uri) {
        String path = uri.getRawPath();
        if (path == null || path.isEmpty()) {
            path = "/";
        }
        String query = uri.getRawQuery();
        return query == null ? path : path + "?" + query;
    }

    /**
     * Whether an answer is the platform's, to check and open: a success, or any answer that
     * carries {@code X-KM-Correlation-Id} (a refusal of the platform's own).
     */
    static boolean fromPlatform(int status, Map<String, List<String>> headers) {
        if (status >= 200 && status < 300) {
            return true;
        }
        for (String name : headers.keySet()) {
            if (name != null && name.toLowerCase(Locale.ROOT).equals("x-km-correlation-id")) {
                return true;
            }
        }
        return false;
    }
}
