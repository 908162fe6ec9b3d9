package konaplate.crypto;

import static konaplate.crypto.Support.*;
import static org.junit.jupiter.api.Assertions.*;

import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.crypto.DirectDecrypter;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The exchange both ways: the seed route, the envelope route, the head first, threads. */
class ExchangeTest {
    @Test
    void theRouteCatalogueIsReadByClientsAndRefusedByServers() throws Exception {
        String catalogue = java.nio.file.Files.readString(VECTORS.resolveSibling("routes").resolve("kona.json"));
        try (Keyring keyring = Keyring.fromJwks(jwks());
                TokenSigner signer = new TokenSigner(utf8(SECRET));
                RouteTable routes = RouteTable.fromJson(catalogue)) {
            KonaServer.Builder builder = KonaServer.builder(signer, keyring, routes);
            KonaException e = assertThrows(KonaException.class, builder::build);
            assertEquals(ErrorKind.INVALID_ROUTES, e.kind());
            assertTrue(e.getMessage().contains("route 1 (POST /api/v1/user/registration)"), e.getMessage());
            try (KonaClient client = KonaClient.builder(ASP_ID, signer, keyring, routes)
                            .accessKey(ACCESS_KEY).cryptoKeyId(KEY_B).build();
                    PreparedRequest request = client.prepare("POST", "/api/v1/user/card/list", utf8("{\"userId\":1}"))) {
                Map<String, String> headers = Map.of("X-KM-Correlation-Id", request.correlationId(),
                        "X-KM-Crypto-Key-Id", KEY_B);
                String clear = "{\"code\":\"000_000\",\"cards\":[]}";
                assertEquals(clear, text(client.finish(request, headers, utf8(clear))), "a clear answer passes");
                // An envelope sealed by Nimbus under the key the request named is opened.
                com.nimbusds.jose.JWEObject jwe = new com.nimbusds.jose.JWEObject(
                        new com.nimbusds.jose.JWEHeader.Builder(com.nimbusds.jose.JWEAlgorithm.DIR,
                                com.nimbusds.jose.EncryptionMethod.A256GCM).keyID(KEY_B).build(),
                        new com.nimbusds.jose.Payload(clear));
                jwe.encrypt(new com.nimbusds.jose.crypto.DirectEncrypter(keyBytes(KEY_B)));
                String envelope = "{\"encData\":\"" + jwe.serialize() + "\"}";
                assertEquals(clear, text(client.finish(request, headers, utf8(envelope))));
            }
        }
    }

    @Test
    void theSeedFlowSealsTheMarkedFieldsAndTheClientOpensThem() throws Exception {
        try (Parties p = new Parties();
                PreparedRequest request = p.client.prepare("POST", CANCEL, utf8(SEED_REQUEST))) {
            Map<String, String> headers = request.headers();
            assertEquals(List.of("X-KM-User-AspId", "X-KM-Correlation-Id", "X-KM-Access-Key",
                    "X-KM-Crypto-Key-Id", "X-KM-Tran-Token", "X-KM-Tran-Time", "X-KM-Time-Zone"),
                    new ArrayList<>(headers.keySet()));
            assertEquals(66, headers.get("X-KM-Tran-Token").length());
            assertEquals(request.correlationId(), headers.get("X-KM-Correlation-Id"));
            assertArrayEquals(utf8(SEED_REQUEST), request.body(), "a plain route sends the body as is");

            try (AcceptedRequest accepted = p.server.accept("POST", CANCEL, headers, request.body())) {
                assertEquals(SEED_REQUEST, text(accepted.body()));
                assertEquals(KEY_B, accepted.keyId().orElseThrow());
                assertEquals(request.correlationId(), accepted.correlationId());
                assertEquals(CANCEL, accepted.route().template());
                assertEquals(ASP_ID, accepted.headers().get("X-KM-User-AspId"));
                PreparedResponse response = p.server.respond(accepted, utf8(SEED_RESPONSE));
                assertEquals(request.correlationId(), response.headers().get("X-KM-Correlation-Id"));
                assertEquals(KEY_B, response.headers().get("X-KM-Crypto-Key-Id"));

                // Nimbus opens each marked field with key B; the rest is as sent.
                Map<String, Object> sealed = JSONObjectUtils.parse(text(response.body()));
                assertEquals("000_000", sealed.get("code"));
                JWEObject card = JWEObject.parse((String) sealed.get("mobileCardNo"));
                card.decrypt(new DirectDecrypter(keyBytes(KEY_B)));
                assertEquals("9410123412341234", card.getPayload().toString());

                byte[] clear = p.client.finish(request, response.headers(), response.body());
                assertEquals(JSONObjectUtils.parse(SEED_RESPONSE), JSONObjectUtils.parse(text(clear)));
            }
        }
    }

    @Test
    void theEnvelopeRouteBothWaysWithPathParameters() throws Exception {
        try (Parties p = new Parties()) {
            String path = "/api/v1/cards/C-77/pan";
            PreparedRequest request = p.client.prepare("POST", path, utf8("{\"pan\":\"9410123412341234\"}"));
            Map<String, Object> sent = JSONObjectUtils.parse(text(request.body()));
            assertEquals(List.of("encData"), new ArrayList<>(sent.keySet()));
            JWEObject jwe = JWEObject.parse((String) sent.get("encData"));
            jwe.decrypt(new DirectDecrypter(keyBytes(KEY_B)));
            assertEquals("{\"pan\":\"9410123412341234\"}", jwe.getPayload().toString());

            AcceptedRequest accepted = p.server.accept("POST", path, request.headers(), request.body());
            assertEquals(Map.of("cardId", "C-77"), accepted.route().params());
            assertEquals(PAN, accepted.route().template());
            assertEquals("{\"pan\":\"9410123412341234\"}", text(accepted.body()));
            PreparedResponse response = p.server.respond(accepted, utf8("{\"ok\":true}"));
            assertEquals("{\"ok\":true}", text(p.client.finish(request, response.headers(), response.body())));
            accepted.close();
            request.close();
        }
    }

    @Test
    void headersMayBeMultiValuedAsHttpLibrariesGiveThem() {
        try (Parties p = new Parties()) {
            PreparedRequest request = p.client.prepare("POST", CANCEL, utf8(SEED_REQUEST));
            Map<String, List<String>> multi = new LinkedHashMap<>();
            request.headers().forEach((name, value) -> multi.put(name.toLowerCase(), List.of(value)));
            multi.put("content-type", List.of("application/json"));
            AcceptedRequest accepted = p.server.accept("POST", CANCEL, multi, request.body());
            assertEquals(SEED_REQUEST, text(accepted.body()));
            // A header given twice is seen twice, and refused.
            multi.put("x-km-tran-token", List.of(request.headers().get("X-KM-Tran-Token"), "again"));
            KonaException e = assertThrows(KonaException.class,
                    () -> p.server.accept("POST", CANCEL, multi, request.body()));
            assertEquals(ErrorKind.DUPLICATE_HEADER, e.kind());
            Map<String, Object> wrong = new LinkedHashMap<>(request.headers());
            wrong.put("X-KM-Tran-Time", 7);
            IllegalArgumentException iae = assertThrows(IllegalArgumentException.class,
                    () -> p.server.accept("POST", CANCEL, wrong, request.body()));
            assertTrue(iae.getMessage().contains("X-KM-Tran-Time"), iae.getMessage());
        }
    }

    @Test
    void checkHeadRefusesBeforeTheBodyAndAcceptBodyFinishes() {
        try (Parties p = new Parties()) {
            PreparedRequest request = p.client.prepare("POST", CANCEL, utf8(SEED_REQUEST));
            Map<String, String> noToken = new LinkedHashMap<>(request.headers());
            noToken.remove("X-KM-Tran-Token");
            KonaException e = assertThrows(KonaException.class, () -> p.server.checkHead("POST", CANCEL, noToken));
            assertEquals(ErrorKind.MISSING_HEADER, e.kind());
            assertEquals(400, e.httpStatus());
            try (RequestHead head = p.server.checkHead("POST", CANCEL, request.headers())) {
                KonaException bad = assertThrows(KonaException.class,
                        () -> p.server.acceptBody(head, utf8(SEED_REQUEST + " ")));
                assertEquals(ErrorKind.TOKEN_MISMATCH, bad.kind());
                assertEquals(401, bad.httpStatus());
                // The head is not spent by a refusal: the body as signed is accepted.
                assertEquals(SEED_REQUEST, text(p.server.acceptBody(head, request.body()).body()));
            }
        }
    }

    @Test
    void aReplayGuardRefusesTheSameRequestTwice() {
        try (Parties p = new Parties(100)) {
            PreparedRequest request = p.client.prepare("POST", CANCEL, utf8(SEED_REQUEST));
            p.server.accept("POST", CANCEL, request.headers(), request.body()).close();
            KonaException e = assertThrows(KonaException.class,
                    () -> p.server.accept("POST", CANCEL, request.headers(), request.body()));
            assertEquals(ErrorKind.REPLAYED, e.kind());
        }
    }

    @Test
    void eightThreadsShareOneClientAndOneServerFor1000Exchanges() throws Exception {
        try (Parties p = new Parties(1_000_000)) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<Integer>> done = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    int thread = t;
                    done.add(pool.submit(() -> {
                        int ok = 0;
                        for (int i = 0; i < 125; i++) {
                            String body = "{\"userId\":" + (thread * 1000 + i) + "}";
                            try (PreparedRequest request = p.client.prepare("POST", CANCEL, utf8(body));
                                    AcceptedRequest accepted = p.server.accept("POST", CANCEL,
                                            request.headers(), request.body())) {
                                assertEquals(body, text(accepted.body()));
                                String answer = "{\"mobileCardNo\":\"" + thread + "-" + i + "\"}";
                                PreparedResponse response = p.server.respond(accepted, utf8(answer));
                                assertEquals(answer, text(p.client.finish(request, response.headers(),
                                        response.body())));
                                ok++;
                            }
                        }
                        return ok;
                    }));
                }
                int total = 0;
                for (Future<Integer> f : done) {
                    total += f.get();
                }
                assertEquals(1000, total);
            } finally {
                pool.shutdown();
            }
        }
    }
}
