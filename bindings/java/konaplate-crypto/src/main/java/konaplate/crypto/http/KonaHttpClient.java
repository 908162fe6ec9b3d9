package konaplate.crypto.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import javax.net.ssl.SSLSession;
import konaplate.crypto.ErrorKind;
import konaplate.crypto.KonaClient;
import konaplate.crypto.KonaException;
import konaplate.crypto.PreparedRequest;

/**
 * {@code java.net.http.HttpClient} with the exchange: {@link #send} signs the request and
 * protects its body as its route says, sends it, checks the answer and hands its clear body to
 * the caller's {@code BodyHandler}.
 *
 * <pre>{@code
 * KonaHttpClient http = new KonaHttpClient(HttpClient.newHttpClient(), client);
 * HttpResponse<String> answer = http.send(
 *         HttpRequest.newBuilder(uri).POST(BodyPublishers.ofString(json)).build(),
 *         BodyHandlers.ofString());
 * }</pre>
 *
 * A body of unknown length ({@code BodyPublishers.ofInputStream}, say) is refused before anything
 * is sent ({@link ErrorKind#STREAMING_BODY}): the token signs the whole body. A failure of the
 * library is thrown as the {@link KonaException} itself.
 */
public final class KonaHttpClient {
    private final HttpClient http;
    private final KonaClient client;

    /** Sends through {@code http}, with {@code client}'s signer, keys and routes. */
    public KonaHttpClient(HttpClient http, KonaClient client) {
        this.http = Objects.requireNonNull(http, "http is null");
        this.client = Objects.requireNonNull(client, "client is null");
    }

    /**
     * Sends {@code request} signed and protected, and hands the answer's clear body to {@code
     * handler}.
     *
     * @throws KonaException if the request cannot be prepared or the answer is refused
     */
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        Objects.requireNonNull(request, "request is null");
        Objects.requireNonNull(handler, "handler is null");
        byte[] body = body(request);
        try (PreparedRequest prepared = client.prepare(request.method(), Hook.target(request.uri()),
                body)) {
            HttpRequest.Builder signed = HttpRequest.newBuilder(request.uri())
                    .method(request.method(), body.length == 0 && request.bodyPublisher().isEmpty()
                            ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(prepared.body()))
                    .expectContinue(request.expectContinue());
            request.timeout().ifPresent(signed::timeout);
            request.version().ifPresent(signed::version);
            request.headers().map().forEach((name, values) -> {
                for (String value : values) {
                    signed.header(name, value);
                }
            });
            prepared.headers().forEach(signed::setHeader);
            HttpResponse<byte[]> response = http.send(signed.build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            byte[] answer = response.body();
            if (Hook.fromPlatform(response.statusCode(), response.headers().map())) {
                answer = client.finish(prepared, response.headers().map(), answer);
            }
            return new Answer<>(response, opened(response.headers()), deliver(handler, response, answer));
        }
    }

    /** The whole body a request would send. */
    private static byte[] body(HttpRequest request) throws IOException, InterruptedException {
        Optional<HttpRequest.BodyPublisher> publisher = request.bodyPublisher();
        if (publisher.isEmpty()) {
            return new byte[0];
        }
        if (publisher.get().contentLength() < 0) {
            throw new KonaException(ErrorKind.STREAMING_BODY,
                    "a request body of unknown length cannot be signed: the token covers the "
                            + "whole body; use BodyPublishers.ofByteArray or ofString");
        }
        CompletableFuture<byte[]> whole = new CompletableFuture<>();
        publisher.get().subscribe(new Flow.Subscriber<ByteBuffer>() {
            private final ByteArrayOutputStream out = new ByteArrayOutputStream();

            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(ByteBuffer item) {
                byte[] chunk = new byte[item.remaining()];
                item.get(chunk);
                out.write(chunk, 0, chunk.length);
            }

            @Override
            public void onError(Throwable e) {
                whole.completeExceptionally(e);
            }

            @Override
            public void onComplete() {
                whole.complete(out.toByteArray());
            }
        });
        try {
            return whole.get();
        } catch (ExecutionException e) {
            throw new IOException("the request body could not be read", e.getCause());
        }
    }

    /** The answer's headers, less those that no longer hold for its clear body. */
    private static HttpHeaders opened(HttpHeaders received) {
        Map<String, List<String>> kept = new LinkedHashMap<>();
        received.map().forEach((name, values) -> {
            if (!Hook.STALE.contains(name.toLowerCase(Locale.ROOT))) {
                kept.put(name, values);
            }
        });
        return HttpHeaders.of(kept, (name, value) -> true);
    }

    /** {@code body} through the caller's handler, as {@code HttpClient} would have. */
    private static <T> T deliver(HttpResponse.BodyHandler<T> handler, HttpResponse<byte[]> response,
            byte[] body) throws IOException, InterruptedException {
        HttpResponse.ResponseInfo info = new HttpResponse.ResponseInfo() {
            @Override
            public int statusCode() {
                return response.statusCode();
            }

            @Override
            public HttpHeaders headers() {
                return opened(response.headers());
            }

            @Override
            public HttpClient.Version version() {
                return response.version();
            }
        };
        HttpResponse.BodySubscriber<T> subscriber = handler.apply(info);
        subscriber.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {}

            @Override
            public void cancel() {}
        });
        if (body.length > 0) {
            subscriber.onNext(List.of(ByteBuffer.wrap(body)));
        }
        subscriber.onComplete();
        try {
            return subscriber.getBody().toCompletableFuture().get();
        } catch (ExecutionException e) {
            throw new IOException("the body handler failed", e.getCause());
        }
    }

    /** The answer, with the body the caller's handler made. */
    private static final class Answer<T> implements HttpResponse<T> {
        private final HttpResponse<byte[]> received;
        private final HttpHeaders headers;
        private final T body;

        Answer(HttpResponse<byte[]> received, HttpHeaders headers, T body) {
            this.received = received;
            this.headers = headers;
            this.body = body;
        }

        @Override
        public int statusCode() {
            return received.statusCode();
        }

        @Override
        public HttpRequest request() {
            return received.request();
        }

        @Override
        public Optional<HttpResponse<T>> previousResponse() {
            return Optional.empty();
        }

        @Override
        public HttpHeaders headers() {
            return headers;
        }

        @Override
        public T body() {
            return body;
        }

        @Override
        public Optional<SSLSession> sslSession() {
            return received.sslSession();
        }

        @Override
        public URI uri() {
            return received.uri();
        }

        @Override
        public HttpClient.Version version() {
            return received.version();
        }
    }
}
