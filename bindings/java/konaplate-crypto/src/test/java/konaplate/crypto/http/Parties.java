package konaplate.crypto.http;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import konaplate.crypto.Keyring;
import konaplate.crypto.KonaClient;
import konaplate.crypto.KonaServer;
import konaplate.crypto.RouteTable;
import konaplate.crypto.TokenSigner;

/** The platform's and the service provider's parties, over the test vectors' keys. */
final class Parties implements AutoCloseable {
    static final String CANCEL = "/api/v1/card/delivery/cancel";
    static final String KEY_B = "B".repeat(32);
    static final String ROUTES = "{\"routes\":["
            + "{\"method\":\"POST\",\"path\":\"" + CANCEL + "\",\"request\":\"plain\","
            + "\"response\":{\"fields\":[\"mobileCardNo\",\"par\"],\"strict\":false}},"
            + "{\"method\":\"POST\",\"path\":\"/api/v1/cards/{cardId}/pan\",\"request\":\"envelope\","
            + "\"response\":\"envelope\"}]}";
    static final String SEED_REQUEST = "{\"cardApplyNo\":\"2022110812081460812345\",\"userId\":1234567890}";

    final Keyring keyring;
    final TokenSigner signer = new TokenSigner("sandboxSecretKey0001".getBytes(StandardCharsets.UTF_8));
    final RouteTable routes = RouteTable.fromJson(ROUTES);
    final KonaClient client;
    final KonaServer server;

    Parties() throws Exception {
        Path vectors = Path.of(System.getProperty("konaplate.testVectors", "../../../test-vectors"));
        Object jwks = JSONObjectUtils.parse(Files.readString(vectors.resolve("jwe-dir.json"))).get("jwks");
        keyring = Keyring.fromJwks(JSONObjectUtils.toJSONString(castMap(jwks)));
        client = KonaClient.builder("000170000002000", signer, keyring, routes)
                .accessKey("K".repeat(40)).cryptoKeyId(KEY_B).build();
        server = KonaServer.builder(signer, keyring, routes).replayGuard(100_000).build();
    }

    @SuppressWarnings("unchecked")
    private static java.util.Map<String, Object> castMap(Object o) {
        return (java.util.Map<String, Object>) o;
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
