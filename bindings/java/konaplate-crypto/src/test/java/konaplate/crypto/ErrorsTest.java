package konaplate.crypto;

import static konaplate.crypto.Support.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Every error kind a Java call can reach, by kind and code; misuse as the JDK's exceptions. */
class ErrorsTest {
    /** Kinds no call of this library can meet, and why. */
    static final Map<ErrorKind, String> UNREACHABLE = Map.of(
            ErrorKind.BUFFER_TOO_SMALL, "the library returns new arrays; there is no caller's buffer",
            ErrorKind.NO_KEY_ID, "keys are always named or the first-issued; no kid-in-message mode",
            ErrorKind.INVALID_CORRELATION_ID, "a correlation id read from a header is invalid_header, naming it",
            ErrorKind.IO, "Keyring.read reports a file it cannot read as UncheckedIOException",
            ErrorKind.UNREADABLE_BODY, "raised by the servlet filter (ServletTest), not by a call",
            ErrorKind.STREAMING_BODY, "raised by the client hooks (OkHttpTest and the others)",
            ErrorKind.REPLAY_STORE_UNAVAILABLE, "the shared replay stores (Redis) are the Rust front ends'",
            ErrorKind.UNKNOWN_ASP_ID, "tenant registries are the Rust front ends'; a KonaServer serves one provider",
            ErrorKind.UNKNOWN_ACCESS_KEY, "tenant registries are the Rust front ends'; a KonaServer serves one provider",
            ErrorKind.INVALID_TENANTS, "tenant registries are the Rust front ends'");

    @Test
    void theEnumIsTheNativeLibrarysTable() {
        List<String> table = Wire.strings(Native.errorKinds());
        assertEquals(2 * ErrorKind.values().length, table.size());
        for (ErrorKind kind : ErrorKind.values()) {
            assertEquals(table.get(2 * kind.ordinal()), kind.code());
            assertEquals(Integer.parseInt(table.get(2 * kind.ordinal() + 1)), kind.httpStatus());
            assertEquals(kind.name().toLowerCase(), kind.code());
            assertTrue(Set.of(400, 401, 404, 413, 500, 503).contains(kind.httpStatus()), kind.code());
            assertSame(kind, ErrorKind.fromCode(kind.code()));
        }
        assertThrows(IllegalArgumentException.class, () -> ErrorKind.fromCode("nope"));
    }

    static String b64url(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void everyReachableKindIsThrownWithItsCodeAndAMessage() {
        Parties p = new Parties();
        Fields fields = new Fields(List.of("mobileCardNo", "par"));
        byte[] sealed = fields.encrypt(utf8(SEED_RESPONSE), p.keyring, KEY_B);
        PreparedRequest request = p.client.prepare("POST", CANCEL, utf8(SEED_REQUEST));
        Map<String, String> headers = request.headers();
        PreparedResponse response = p.server.respond(
                p.server.accept("POST", CANCEL, headers, request.body()), utf8(SEED_RESPONSE));
        String a128AsB = "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"" + KEY_B + "\",\"alg\":\"A128GCM\",\"k\":\""
                + b64url("k".repeat(16)) + "\"}]}";
        String unsupported = b64url("{\"alg\":\"dir\",\"enc\":\"A192GCM\",\"kid\":\"" + KEY_B + "\"}");
        byte[] tampered = sealed.clone();
        int at = tampered.length - 5;
        tampered[at] = (byte) (tampered[at] == 'A' ? 'B' : 'A');
        Keyring rsaPrivate = Keyring.load(vectorFile("rsa/server-private-pkcs8.pem"), null, KEY_B);

        Map<ErrorKind, Executable> calls = new LinkedHashMap<>();
        calls.put(ErrorKind.MISSING_HEADER, () -> p.server.accept("POST", CANCEL, without(headers, "X-KM-Tran-Token"), request.body()));
        calls.put(ErrorKind.DUPLICATE_HEADER, () -> p.server.accept("POST", CANCEL,
                Map.of("X-KM-User-AspId", List.of(ASP_ID, ASP_ID)), request.body()));
        calls.put(ErrorKind.INVALID_HEADER, () -> p.server.accept("POST", CANCEL, with(headers, "X-KM-Correlation-Id", "nope"), request.body()));
        calls.put(ErrorKind.INVALID_TIME, () -> p.signer.sign(new byte[0], SignOptions.defaults().withTime("20261301000000000")));
        calls.put(ErrorKind.UNKNOWN_TIME_ZONE, () -> CorrelationIds.next("Mars"));
        calls.put(ErrorKind.MALFORMED_TOKEN, () -> p.signer.verify(new byte[0], "KMV1:nope"));
        calls.put(ErrorKind.TOKEN_MISMATCH, () -> p.server.accept("POST", CANCEL, headers, utf8(SEED_REQUEST + " ")));
        calls.put(ErrorKind.TOKEN_TIME_OUTSIDE_WINDOW, () -> p.signer.verify(new byte[0],
                p.signer.sign(new byte[0], SignOptions.defaults().withTime("20200101000000000"))));
        calls.put(ErrorKind.PADDED_TOKEN_REFUSED, () -> p.signer.verify(new byte[0],
                p.signer.sign(new byte[0], SignOptions.defaults().withPadded(true)),
                VerifyOptions.defaults().withStrict(true)));
        calls.put(ErrorKind.INVALID_JSON, () -> fields.encrypt(utf8("{not json"), p.keyring, KEY_B));
        calls.put(ErrorKind.INVALID_FIELD_PATH, () -> new Fields(List.of("cards[")));
        calls.put(ErrorKind.FIELD_NOT_FOUND, () -> new Fields(List.of("nowhere"), true).encrypt(utf8(SEED_RESPONSE), p.keyring, KEY_B));
        calls.put(ErrorKind.INVALID_FIELD, () -> fields.decrypt(utf8("{\"par\":17}"), p.keyring, KEY_B));
        calls.put(ErrorKind.INVALID_KEY, () -> Keyring.load(utf8("hello")));
        calls.put(ErrorKind.UNKNOWN_KEY_ID, () -> fields.encrypt(utf8(SEED_RESPONSE), p.keyring, "Z".repeat(32)));
        calls.put(ErrorKind.KEY_ID_MISMATCH, () -> fields.decrypt(sealed, p.keyring, KEY_A));
        calls.put(ErrorKind.KEY_MISMATCH, () -> fields.decrypt(sealed, Keyring.fromJwks(a128AsB), KEY_B));
        calls.put(ErrorKind.MALFORMED_JWE, () -> fields.decrypt(utf8("{\"par\":\"abc\"}"), p.keyring, KEY_B));
        calls.put(ErrorKind.UNSUPPORTED_JWE, () -> fields.decrypt(utf8("{\"par\":\"" + unsupported
                + "..AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA\"}"), p.keyring, KEY_B));
        calls.put(ErrorKind.DECRYPTION_FAILED, () -> fields.decrypt(tampered, p.keyring, KEY_B));
        calls.put(ErrorKind.TOO_LARGE, () -> Envelope.open(utf8("{\"encData\":\"" + "A".repeat(17 << 20) + "\"}"), p.keyring, KEY_B));
        calls.put(ErrorKind.INVALID_ENVELOPE, () -> Envelope.open(utf8("{\"other\":1}"), p.keyring, KEY_B));
        calls.put(ErrorKind.INVALID_SECRET, () -> new TokenSigner(new byte[0]));
        calls.put(ErrorKind.INVALID_ROUTES, () -> RouteTable.fromJson("{\"routes\":7}"));
        calls.put(ErrorKind.ROUTE_NOT_FOUND, () -> p.server.accept("POST", "/nowhere", headers, request.body()));
        calls.put(ErrorKind.CORRELATION_ID_MISMATCH, () -> p.client.finish(
                p.client.prepare("POST", CANCEL, utf8(SEED_REQUEST)), response.headers(), response.body()));
        calls.put(ErrorKind.REPLAYED, () -> {
            try (Parties guarded = new Parties(10)) {
                for (int i = 0; i < 2; i++) {
                    guarded.server.accept("POST", CANCEL, headers, request.body());
                }
            }
        });
        calls.put(ErrorKind.REPLAY_GUARD_FULL, () -> {
            try (Parties full = new Parties(1)) {
                for (int n = 0; n < 2; n++) {
                    PreparedRequest r = full.client.prepare("POST", CANCEL, utf8(SEED_REQUEST + " ".repeat(n)));
                    full.server.accept("POST", CANCEL, r.headers(), r.body());
                }
            }
        });
        calls.put(ErrorKind.TOO_DEEP, () -> fields.encrypt(utf8("[".repeat(65) + "]".repeat(65)), p.keyring, KEY_B));
        calls.put(ErrorKind.KEY_UNUSABLE, () -> KonaServer.builder(p.signer, rsaPrivate, p.routes).build()
                .accept("POST", CANCEL, headers, request.body()));
        calls.put(ErrorKind.QUERY_NOT_ALLOWED, () -> p.server.accept("POST", CANCEL + "?userId=999", headers, request.body()));
        calls.put(ErrorKind.INVALID_CAPACITY, () -> KonaServer.builder(p.signer, p.keyring, p.routes).replayGuard(0).build());
        calls.put(ErrorKind.INVALID_INSTANCE, () -> KonaClient.builder(ASP_ID, p.signer, p.keyring, p.routes).instance(16).build());

        Set<ErrorKind> covered = EnumSet.noneOf(ErrorKind.class);
        covered.addAll(calls.keySet());
        covered.addAll(UNREACHABLE.keySet());
        assertEquals(EnumSet.allOf(ErrorKind.class), covered, "every kind is triggered or said unreachable");
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<ErrorKind, Executable> call : calls.entrySet()) {
            KonaException e = assertThrows(KonaException.class, call.getValue(), call.getKey().code());
            if (e.kind() != call.getKey() || !e.code().equals(call.getKey().code())
                    || e.httpStatus() != call.getKey().httpStatus() || e.getMessage().isEmpty()) {
                wrong.add(call.getKey() + " gave " + e);
            }
        }
        assertEquals(List.of(), wrong);
        p.close();
    }

    static Map<String, String> without(Map<String, String> headers, String name) {
        Map<String, String> out = new LinkedHashMap<>(headers);
        out.remove(name);
        return out;
    }

    static Map<String, String> with(Map<String, String> headers, String name, String value) {
        Map<String, String> out = new LinkedHashMap<>(headers);
        out.put(name, value);
        return out;
    }

    @Test
    void misuseIsTheJdksOwnExceptionsWithClearMessages() {
        try (Parties p = new Parties()) {
            NullPointerException npe = assertThrows(NullPointerException.class, () -> p.signer.sign(null));
            assertEquals("body is null", npe.getMessage());
            npe = assertThrows(NullPointerException.class, () -> p.client.prepare("POST", null, new byte[0]));
            assertEquals("path is null", npe.getMessage());
            npe = assertThrows(NullPointerException.class, () -> Keyring.fromJwks(null));
            assertEquals("jwks is null", npe.getMessage());
            npe = assertThrows(NullPointerException.class, () -> new Fields(java.util.Arrays.asList("par", null)));
            assertEquals("a path is null", npe.getMessage());
            Map<String, String> nullValue = new LinkedHashMap<>();
            nullValue.put("X-KM-User-AspId", null);
            npe = assertThrows(NullPointerException.class, () -> p.server.accept("POST", CANCEL, nullValue, new byte[0]));
            assertTrue(npe.getMessage().contains("X-KM-User-AspId"), npe.getMessage());
        }
    }

    @Test
    void messagesNeverShowASecretOrAPlaintext() {
        try (Parties p = new Parties()) {
            KonaException e = assertThrows(KonaException.class, () -> new Fields(List.of("par"))
                    .decrypt(utf8("{\"par\":\"9410123412341234\"}"), p.keyring, KEY_B));
            assertFalse(e.getMessage().contains("9410123412341234"), e.getMessage());
            e = assertThrows(KonaException.class, () -> KonaClient.builder(ASP_ID, p.signer, p.keyring, p.routes)
                    .accessKey("short-secret-key").build());
            assertFalse(e.getMessage().contains("short-secret-key"), e.getMessage());
            assertFalse(p.keyring.toString().contains("\"k\""));
            assertEquals("Keyring[keyIds=[" + KEY_A + ", " + KEY_B + "]]", p.keyring.toString());
            assertTrue(new TreeSet<>(p.keyring.keyIds()).contains(KEY_A));
        }
    }
}
