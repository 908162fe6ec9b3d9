package konaplate.crypto.http;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import konaplate.crypto.KonaClient;
import konaplate.crypto.PreparedRequest;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpRequest;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;

/**
 * A Spring {@link ClientHttpRequestInterceptor} for {@code RestClient} and {@code RestTemplate}
 * (Spring Framework 6.1 and 6.2): signs each request and protects its body as its route says,
 * then checks the answer and hands it back with its clear body.
 *
 * <pre>{@code
 * RestClient rest = RestClient.builder()
 *         .baseUrl("https://api.example")
 *         .requestInterceptor(new KonaRestInterceptor(client))
 *         .build();
 * }</pre>
 *
 * Spring buffers a request body for its interceptors, so every body can be signed. A failure of
 * the library is thrown as the {@link konaplate.crypto.KonaException} itself.
 */
public final class KonaRestInterceptor implements ClientHttpRequestInterceptor {
    private final KonaClient client;

    /** An interceptor for {@code client}. */
    public KonaRestInterceptor(KonaClient client) {
        this.client = Objects.requireNonNull(client, "client is null");
    }

    @Override
    public ClientHttpResponse intercept(HttpRequest request, byte[] body,
            ClientHttpRequestExecution execution) throws IOException {
        try (PreparedRequest prepared = client.prepare(request.getMethod().name(),
                Hook.target(request.getURI()), body)) {
            HttpHeaders headers = request.getHeaders();
            prepared.headers().forEach(headers::set);
            headers.setContentLength(prepared.bodyLength());
            ClientHttpResponse response = execution.execute(request, prepared.body());
            Map<String, List<String>> received = new LinkedHashMap<>();
            response.getHeaders().forEach(received::put);
            if (!Hook.fromPlatform(response.getStatusCode().value(), received)) {
                return response;
            }
            byte[] clear;
            try (InputStream in = response.getBody()) {
                clear = client.finish(prepared, received, in.readAllBytes());
            } catch (RuntimeException | IOException e) {
                response.close();
                throw e;
            }
            HttpHeaders opened = new HttpHeaders();
            received.forEach((name, values) -> {
                if (!Hook.STALE.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                    opened.addAll(name, values);
                }
            });
            opened.setContentLength(clear.length);
            return new Opened(response, opened, clear);
        }
    }

    /** The answer with its clear body. */
    private static final class Opened implements ClientHttpResponse {
        private final ClientHttpResponse received;
        private final HttpHeaders headers;
        private final byte[] body;

        Opened(ClientHttpResponse received, HttpHeaders headers, byte[] body) {
            this.received = received;
            this.headers = headers;
            this.body = body;
        }

        @Override
        public HttpStatusCode getStatusCode() throws IOException {
            return received.getStatusCode();
        }

        @Override
        public String getStatusText() throws IOException {
            return received.getStatusText();
        }

        @Override
        public HttpHeaders getHeaders() {
            return headers;
        }

        @Override
        public InputStream getBody() {
            return new ByteArrayInputStream(body);
        }

        @Override
        public void close() {
            received.close();
        }
    }
}
