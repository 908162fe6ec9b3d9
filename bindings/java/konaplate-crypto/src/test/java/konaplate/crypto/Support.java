package konaplate.crypto;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Shared by the tests: the repository's test vectors (made by independent implementations:
 * Python's hmac and cryptography, joserfc; their generators are in test-vectors/gen/) and the
 * seed flow's parties. Maven passes the paths as system properties.
 */
final class Support {
    private Support() {}

    static final Path VECTORS = Path.of(System.getProperty("konaplate.testVectors", "../../../test-vectors"));
    static final Path TARGET = Path.of(System.getProperty("konaplate.target", "../../../target"));

    static final String SECRET = "sandboxSecretKey0001";
    static final String ASP_ID = "000170000002000";
    static final String ACCESS_KEY = "K".repeat(40);
    static final String KEY_A = "A".repeat(32);
    static final String KEY_B = "B".repeat(32);
    static final String RSA_KEY = "KONA0TEST0RSA0KEY000000000000001";
    static final String CANCEL = "/api/v1/card/delivery/cancel";
    static final String PAN = "/api/v1/cards/{cardId}/pan";
    static final String ROUTES = "{\"routes\":["
            + "{\"method\":\"POST\",\"path\":\"" + CANCEL + "\",\"request\":\"plain\","
            + "\"response\":{\"fields\":[\"mobileCardNo\",\"par\"],\"strict\":false}},"
            + "{\"method\":\"POST\",\"path\":\"" + PAN + "\",\"request\":\"envelope\","
            + "\"response\":\"envelope\"}]}";
    static final String SEED_REQUEST = "{\"cardApplyNo\":\"2022110812081460812345\",\"userId\":1234567890}";
    static final String SEED_RESPONSE = "{\"code\":\"000_000\",\"message\":\"Success.\","
            + "\"mobileCardNo\":\"9410123412341234\",\"par\":\"Q1J4AwSWD4Jr4e4G7wUP2ujLKQ0\"}";

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    static byte[] vectorFile(String name) {
        try {
            return Files.readAllBytes(VECTORS.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, Object> vectors(String name) {
        try {
            return JSONObjectUtils.parse(text(vectorFile(name)));
        } catch (ParseException e) {
            throw new IllegalStateException(name, e);
        }
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Map<String, Object> doc, String member) {
        return (List<Map<String, Object>>) doc.get(member);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Map<String, Object> doc, String member) {
        return (Map<String, Object>) doc.get(member);
    }

    /** The test vectors' JWK Set (keys A and B) as JSON text. */
    static String jwks() {
        return JSONObjectUtils.toJSONString(object(vectors("jwe-dir.json"), "jwks"));
    }

    /** The raw bytes of the vectors' key {@code kid}. */
    static byte[] keyBytes(String kid) {
        for (Map<String, Object> key : list(object(vectors("jwe-dir.json"), "jwks"), "keys")) {
            if (kid.equals(key.get("kid"))) {
                return Base64.getUrlDecoder().decode((String) key.get("k"));
            }
        }
        throw new IllegalArgumentException(kid);
    }

    /** The seed flow's parties: one keyring, one secret, both ends. */
    static final class Parties implements AutoCloseable {
        final Keyring keyring = Keyring.fromJwks(jwks());
        final TokenSigner signer = new TokenSigner(utf8(SECRET));
        final RouteTable routes = RouteTable.fromJson(ROUTES);
        final KonaClient client = KonaClient.builder(ASP_ID, signer, keyring, routes)
                .accessKey(ACCESS_KEY).cryptoKeyId(KEY_B).build();
        final KonaServer server;

        Parties() {
            this(-1);
        }

        Parties(int replayGuard) {
            KonaServer.Builder b = KonaServer.builder(signer, keyring, routes);
            if (replayGuard >= 0) {
                b.replayGuard(replayGuard);
            }
            server = b.build();
        }

        @Override
        public void close() {
            client.close();
            server.close();
            routes.close();
            signer.close();
            keyring.close();
        }
    }
}
