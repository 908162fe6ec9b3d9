package konaplate.crypto.http;

import static org.junit.jupiter.api.Assertions.*;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import konaplate.crypto.PreparedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The servlet filter in an embedded Jetty over loopback, driven by the library's own {@link
 * konaplate.crypto.KonaClient} and a plain {@code HttpClient}: the exchange, and every refusal.
 */
class ServletTest {
    static Parties parties;
    static Jetty jetty;

    @BeforeAll
    static void start() throws Exception {
        parties = new Parties();
        jetty = new Jetty(parties.server, 64 * 1024);
    }

    @AfterAll
    static void stop() throws Exception {
        jetty.close();
        parties.close();
    }

    @BeforeEach
    void reset() {
        jetty.handled.set(0);
    }

    static HttpResponse<byte[]> send(String path, Map<String, String> headers, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(jetty.uri(path)).POST(BodyPublishers.ofByteArray(body));
        headers.forEach(b::header);
        return fresh().send(b.build(), BodyHandlers.ofByteArray());
    }

    /**
     * A client with no pooled connection: a refusal that does not read the body closes its
     * connection, and a shared client may race to reuse it.
     */
    static HttpClient fresh() {
        return HttpClient.newHttpClient();
    }

    static void assertRefused(HttpResponse<byte[]> response, int status, String code) throws Exception {
        assertEquals(status, response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
        Map<String, Object> body = JSONObjectUtils.parse(new String(response.body(), StandardCharsets.UTF_8));
        assertEquals(code, body.get("code"));
        assertTrue(body.get("message") instanceof String m && !m.isEmpty());
        assertEquals(2, body.size(), "only code and message");
        assertEquals(0, jetty.handled.get(), "the handler never ran");
    }

    @Test
    void theSeedFlowThroughTheFilter() throws Exception {
        try (PreparedRequest request = parties.client.prepare("POST", Parties.CANCEL,
                Parties.SEED_REQUEST.getBytes(StandardCharsets.UTF_8))) {
            HttpResponse<byte[]> response = send(Parties.CANCEL, request.headers(), request.body());
            assertEquals(200, response.statusCode());
            assertEquals(1, jetty.handled.get());
            assertEquals(Parties.SEED_REQUEST, jetty.seenBody.get());
            assertEquals("000170000002000", jetty.seenHeaders.get().get("X-KM-User-AspId"));
            assertEquals(request.correlationId(), jetty.seenCorrelationId.get());
            String sent = new String(response.body(), StandardCharsets.UTF_8);
            assertFalse(sent.contains("9410123412341234"), "the card number travels sealed");
            assertEquals(request.correlationId(), response.headers().firstValue("X-KM-Correlation-Id").orElseThrow());
            byte[] clear = parties.client.finish(request, response.headers().map(), response.body());
            assertEquals(JSONObjectUtils.parse(Jetty.SEED_RESPONSE),
                    JSONObjectUtils.parse(new String(clear, StandardCharsets.UTF_8)));
        }
    }

    @Test
    void refusalsAnswerCodeAndMessageWithTheCategorysStatus() throws Exception {
        // A body of its own: the replay guard keys on the MAC, which covers the body alone.
        byte[] body = ("{\"userId\":" + System.nanoTime() + "}").getBytes(StandardCharsets.UTF_8);
        PreparedRequest request = parties.client.prepare("POST", Parties.CANCEL, body);
        Map<String, String> headers = request.headers();
        assertRefused(send(Parties.CANCEL, Map.of(), body), 400, "missing_header");
        assertRefused(send(Parties.CANCEL, headers, (Parties.SEED_REQUEST + " ").getBytes(StandardCharsets.UTF_8)),
                401, "token_mismatch");
        assertRefused(send("/api/v1/nowhere", headers, body), 404, "route_not_found");
        assertRefused(send(Parties.CANCEL + "?userId=1", headers, body), 400, "query_not_allowed");
        // Over the limit, declared by Content-Length or sent chunked: 413, never read whole.
        PreparedRequest big = parties.client.prepare("POST", Parties.CANCEL, new byte[100_000]);
        assertRefused(send(Parties.CANCEL, big.headers(), big.body()), 413, "too_large");
        HttpRequest.Builder chunked = HttpRequest.newBuilder(jetty.uri(Parties.CANCEL))
                .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big.body())));
        big.headers().forEach(chunked::header);
        assertRefused(fresh().send(chunked.build(), BodyHandlers.ofByteArray()), 413, "too_large");
        // Accepted once; the same request again is a replay.
        assertEquals(200, send(Parties.CANCEL, headers, body).statusCode());
        jetty.handled.set(0);
        assertRefused(send(Parties.CANCEL, headers, body), 401, "replayed");
    }

    @Test
    void anAnswerTheRouteCannotProtectIsABare500() throws Exception {
        byte[] body = "{\"userId\":999}".getBytes(StandardCharsets.UTF_8);
        PreparedRequest request = parties.client.prepare("POST", Parties.CANCEL, body);
        HttpResponse<byte[]> response = send(Parties.CANCEL, request.headers(), body);
        assertEquals(500, response.statusCode());
        assertEquals(1, jetty.handled.get());
        String sent = new String(response.body(), StandardCharsets.UTF_8);
        assertFalse(sent.contains("9410123412341234"), "the clear answer is never sent");
        assertEquals(Map.of("code", "internal_error", "message", "the server cannot process this request"),
                JSONObjectUtils.parse(sent));
    }

    @Test
    void theEnvelopeRouteOpensTheRequestAndSealsTheAnswer() throws Exception {
        String path = "/api/v1/cards/C-1/pan";
        try (PreparedRequest request = parties.client.prepare("POST", path,
                "{\"pan\":\"9410123412341234\"}".getBytes(StandardCharsets.UTF_8))) {
            HttpResponse<byte[]> response = send(path, request.headers(), request.body());
            assertEquals(200, response.statusCode());
            assertEquals("{\"pan\":\"9410123412341234\"}", jetty.seenBody.get());
            assertEquals(Map.of("cardId", "C-1"), jetty.seenParams.get());
            assertTrue(new String(response.body(), StandardCharsets.UTF_8).startsWith("{\"encData\":"));
            assertEquals("{\"got\":{\"pan\":\"9410123412341234\"}}", new String(
                    parties.client.finish(request, response.headers().map(), response.body()),
                    StandardCharsets.UTF_8));
        }
    }
}
