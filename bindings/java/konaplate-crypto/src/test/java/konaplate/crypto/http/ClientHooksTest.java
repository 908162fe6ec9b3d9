package konaplate.crypto.http;

import static org.junit.jupiter.api.Assertions.*;
import static org.springframework.http.MediaType.APPLICATION_JSON;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import konaplate.crypto.ErrorKind;
import konaplate.crypto.KonaException;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

/**
 * The client hooks over loopback: against the servlet filter in Jetty (a real server verifying
 * every request and protecting its answers), and against OkHttp's MockWebServer for the answers
 * a client must refuse or pass through.
 */
class ClientHooksTest {
    static Parties parties;
    static Jetty jetty;
    static final MediaType JSON = MediaType.get("application/json");

    @BeforeAll
    static void start() throws Exception {
        parties = new Parties();
        jetty = new Jetty(parties.server, 1 << 20);
    }

    @AfterAll
    static void stop() throws Exception {
        jetty.close();
        parties.close();
    }

    /** A request body of its own (the replay guard keys on the body's MAC). */
    static String body() {
        return "{\"cardApplyNo\":\"2022110812081460812345\",\"userId\":" + System.nanoTime() + "}";
    }

    static void assertSeedAnswer(String clear) throws Exception {
        assertEquals(JSONObjectUtils.parse(Jetty.SEED_RESPONSE), JSONObjectUtils.parse(clear));
    }

    @Test
    void okHttpSignsSendsAndOpens() throws Exception {
        OkHttpClient http = new OkHttpClient.Builder().addInterceptor(new KonaInterceptor(parties.client)).build();
        String sent = body();
        try (Response response = http.newCall(new Request.Builder().url(jetty.uri(Parties.CANCEL).toString())
                .post(RequestBody.create(sent, JSON)).build()).execute()) {
            assertEquals(200, response.code());
            assertSeedAnswer(response.body().string());
            assertEquals(sent, jetty.seenBody.get());
        }
        try (Response response = http.newCall(new Request.Builder().url(jetty.uri("/api/v1/cards/C-9/pan").toString())
                .post(RequestBody.create("{\"pan\":\"1\"}", JSON)).build()).execute()) {
            assertEquals("{\"got\":{\"pan\":\"1\"}}", response.body().string());
        }
    }

    @Test
    void okHttpRefusesAOneShotBodyBeforeSending() throws Exception {
        try (MockWebServer mock = new MockWebServer()) {
            mock.start(java.net.InetAddress.getByName("127.0.0.1"), 0);
            OkHttpClient http = new OkHttpClient.Builder().addInterceptor(new KonaInterceptor(parties.client)).build();
            RequestBody oneShot = new RequestBody() {
                @Override
                public MediaType contentType() {
                    return JSON;
                }

                @Override
                public void writeTo(BufferedSink sink) throws IOException {
                    sink.writeUtf8("{}");
                }

                @Override
                public boolean isOneShot() {
                    return true;
                }
            };
            IOException e = assertThrows(IOException.class, () -> http.newCall(new Request.Builder()
                    .url(mock.url(Parties.CANCEL)).post(oneShot).build()).execute());
            assertEquals(ErrorKind.STREAMING_BODY, ((KonaException) e.getCause()).kind());
            assertEquals(0, mock.getRequestCount(), "nothing was sent");
        }
    }

    @Test
    void answersOfAnotherRequestAreRefusedAndForeignErrorsPassThrough() throws Exception {
        try (MockWebServer mock = new MockWebServer()) {
            mock.start(java.net.InetAddress.getByName("127.0.0.1"), 0);
            String otherId = parties.client.prepare("POST", Parties.CANCEL, new byte[0]).correlationId();
            for (int i = 0; i < 3; i++) {
                mock.enqueue(new MockResponse().setHeader("X-KM-Correlation-Id", otherId)
                        .setHeader("X-KM-Crypto-Key-Id", Parties.KEY_B).setBody(Jetty.SEED_RESPONSE));
                mock.enqueue(new MockResponse().setResponseCode(502).setBody("bad gateway"));
            }
            // OkHttp
            OkHttpClient ok = new OkHttpClient.Builder().addInterceptor(new KonaInterceptor(parties.client)).build();
            Request request = new Request.Builder().url(mock.url(Parties.CANCEL)).post(RequestBody.create(body(), JSON)).build();
            IOException e = assertThrows(IOException.class, () -> ok.newCall(request).execute());
            assertEquals(ErrorKind.CORRELATION_ID_MISMATCH, ((KonaException) e.getCause()).kind());
            try (Response passed = ok.newCall(request).execute()) {
                assertEquals(502, passed.code());
                assertEquals("bad gateway", passed.body().string());
            }
            RecordedRequest recorded = mock.takeRequest(5, TimeUnit.SECONDS);
            assertEquals(66, recorded.getHeader("X-KM-Tran-Token").length());
            // java.net.http
            KonaHttpClient jdk = new KonaHttpClient(HttpClient.newHttpClient(), parties.client);
            HttpRequest jdkRequest = HttpRequest.newBuilder(mock.url(Parties.CANCEL).uri())
                    .POST(BodyPublishers.ofString(body())).build();
            KonaException k = assertThrows(KonaException.class, () -> jdk.send(jdkRequest, BodyHandlers.ofString()));
            assertEquals(ErrorKind.CORRELATION_ID_MISMATCH, k.kind());
            assertEquals(502, jdk.send(jdkRequest, BodyHandlers.ofString()).statusCode());
            // Spring
            RestClient rest = RestClient.builder().requestInterceptor(new KonaRestInterceptor(parties.client)).build();
            k = assertThrows(KonaException.class, () -> rest.post().uri(mock.url(Parties.CANCEL).uri())
                    .contentType(APPLICATION_JSON).body(body()).retrieve().body(String.class));
            assertEquals(ErrorKind.CORRELATION_ID_MISMATCH, k.kind());
            int status = rest.post().uri(mock.url(Parties.CANCEL).uri()).body(body()).exchange(
                    (req, res) -> res.getStatusCode().value());
            assertEquals(502, status);
        }
    }

    @Test
    void javaNetHttpSignsSendsAndOpens() throws Exception {
        KonaHttpClient http = new KonaHttpClient(HttpClient.newHttpClient(), parties.client);
        String sent = body();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(jetty.uri(Parties.CANCEL))
                .header("Content-Type", "application/json").POST(BodyPublishers.ofString(sent)).build(),
                BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertSeedAnswer(response.body());
        assertEquals(sent, jetty.seenBody.get());
        assertTrue(response.headers().firstValue("content-length").isEmpty(), "the sealed body's length is gone");
        HttpResponse<byte[]> pan = http.send(HttpRequest.newBuilder(jetty.uri("/api/v1/cards/C-2/pan"))
                .POST(BodyPublishers.ofString("{\"pan\":\"2\"}")).build(), BodyHandlers.ofByteArray());
        assertEquals("{\"got\":{\"pan\":\"2\"}}", new String(pan.body(), StandardCharsets.UTF_8));
    }

    @Test
    void javaNetHttpRefusesABodyOfUnknownLength() {
        KonaHttpClient http = new KonaHttpClient(HttpClient.newHttpClient(), parties.client);
        jetty.handled.set(0);
        KonaException e = assertThrows(KonaException.class, () -> http.send(
                HttpRequest.newBuilder(jetty.uri(Parties.CANCEL)).POST(BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8)))).build(),
                BodyHandlers.ofString()));
        assertEquals(ErrorKind.STREAMING_BODY, e.kind());
        assertEquals(0, jetty.handled.get(), "nothing was sent");
    }

    @Test
    void springRestClientAndRestTemplateSignSendAndOpen() throws Exception {
        KonaRestInterceptor interceptor = new KonaRestInterceptor(parties.client);
        RestClient rest = RestClient.builder().requestInterceptor(interceptor).build();
        String sent = body();
        String clear = rest.post().uri(jetty.uri(Parties.CANCEL)).contentType(APPLICATION_JSON)
                .body(sent).retrieve().body(String.class);
        assertSeedAnswer(clear);
        assertEquals(sent, jetty.seenBody.get());

        RestTemplate template = new RestTemplate();
        template.getInterceptors().add(interceptor);
        String other = body();
        org.springframework.http.HttpHeaders headers = new org.springframework.http.HttpHeaders();
        headers.setContentType(APPLICATION_JSON);
        String answer = template.postForObject(jetty.uri(Parties.CANCEL),
                new org.springframework.http.HttpEntity<>(other, headers), String.class);
        assertSeedAnswer(answer);
        assertEquals(other, jetty.seenBody.get());
    }
}
