package konaplate.crypto;

import static konaplate.crypto.Support.*;
import static org.junit.jupiter.api.Assertions.*;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** Tokens against the JDK's own HMAC-SHA256, and the committed vectors (Python's hmac). */
class TokensTest {
    /** What the platform's token is, by javax.crypto: KMV1:time:base64(HMAC-SHA256(secret, body)). */
    static String expected(byte[] secret, byte[] body, String time, boolean padded) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret, "HmacSHA256"));
        Base64.Encoder b64 = padded ? Base64.getEncoder() : Base64.getEncoder().withoutPadding();
        return "KMV1:" + time + ":" + b64.encodeToString(mac.doFinal(body));
    }

    @Test
    void tokensMatchJavaxCryptoOverRandomBodiesAndSecrets() throws Exception {
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < 300; i++) {
            byte[] secret = new byte[1 + random.nextInt(100)];
            random.nextBytes(secret);
            byte[] body = new byte[random.nextInt(i < 10 ? 70_000 : 2_000)];
            random.nextBytes(body);
            String time = String.format("2026%02d%02d%02d%02d%02d%03d", 1 + random.nextInt(12),
                    1 + random.nextInt(28), random.nextInt(24), random.nextInt(60), random.nextInt(60),
                    random.nextInt(1000));
            boolean padded = random.nextBoolean();
            try (TokenSigner signer = new TokenSigner(secret)) {
                String token = signer.sign(body, SignOptions.defaults().withTime(time).withPadded(padded));
                assertEquals(expected(secret, body, time, padded), token);
                assertEquals(padded ? 67 : 66, token.length());
                signer.verify(body, token, VerifyOptions.defaults().withNow(time));
            }
        }
    }

    @Test
    void theCommittedVectorsSignAndVerify() {
        for (Map<String, Object> c : list(vectors("tokens.json"), "cases")) {
            byte[] body = c.containsKey("body_hex")
                    ? HexFormat.of().parseHex((String) c.get("body_hex"))
                    : utf8((String) c.get("body"));
            String time = (String) c.get("time");
            SignOptions at = SignOptions.defaults().withTime(time).withZone((String) c.get("zone"));
            try (TokenSigner signer = new TokenSigner(utf8((String) c.get("secret")))) {
                assertEquals(c.get("token"), signer.sign(body, at), (String) c.get("name"));
                assertEquals(c.get("token_padded"), signer.sign(body, at.withPadded(true)));
                signer.verify(body, (String) c.get("token"),
                        VerifyOptions.defaults().withNow(time).withZone((String) c.get("zone")));
            }
        }
    }

    @Test
    void nowIsTheDefaultAndTheWindowAndStrictFormApply() {
        try (TokenSigner signer = new TokenSigner(utf8(SECRET))) {
            byte[] body = utf8(SEED_REQUEST);
            signer.verify(body, signer.sign(body));
            String old = signer.sign(body, SignOptions.defaults().withTime("20200101000000000"));
            KonaException e = assertThrows(KonaException.class, () -> signer.verify(body, old));
            assertEquals(ErrorKind.TOKEN_TIME_OUTSIDE_WINDOW, e.kind());
            signer.verify(body, old, VerifyOptions.defaults().withNow("20200101000400000"));
            assertThrows(KonaException.class, () -> signer.verify(body, old,
                    VerifyOptions.defaults().withNow("20200101000400000").withMaxSkewSeconds(60)));
            String padded = signer.sign(body, SignOptions.defaults().withPadded(true));
            signer.verify(body, padded);
            assertEquals(ErrorKind.PADDED_TOKEN_REFUSED, assertThrows(KonaException.class,
                    () -> signer.verify(body, padded, VerifyOptions.defaults().withStrict(true))).kind());
            assertThrows(IllegalArgumentException.class, () -> VerifyOptions.defaults().withMaxSkewSeconds(-1));
        }
    }

    @Test
    void correlationIdsAreWellFormedAndUnique() {
        Pattern form = Pattern.compile("\\d{12}-[0-9a-f]{7}");
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = i % 2 == 0 ? CorrelationIds.next() : CorrelationIds.next("UTC");
            assertTrue(form.matcher(id).matches(), id);
            assertTrue(seen.add(id), id);
        }
    }

    @Test
    void theSecretIsNeverShown() {
        try (TokenSigner signer = new TokenSigner(utf8(SECRET))) {
            assertFalse(signer.toString().contains(SECRET));
            assertTrue(signer.toString().contains("redacted"));
        }
    }

    /** Issue 20, item 4: a fleet's instance number is the top bits of each id's suffix. */
    @Test
    void instancesOfAFleetDrawTheirOwnIds() {
        try (Parties p = new Parties()) {
            Set<String> all = new HashSet<>();
            for (int n = 0; n < 16; n++) {
                try (KonaClient client = KonaClient.builder(ASP_ID, p.signer, p.keyring, p.routes)
                        .accessKey(ACCESS_KEY).cryptoKeyId(KEY_B).instance(n).build()) {
                    for (int i = 0; i < 200; i++) {
                        String id = client.prepare("POST", CANCEL, utf8(SEED_REQUEST)).correlationId();
                        assertEquals(n, Integer.parseInt(id.substring(13), 16) >>> 24, id);
                        assertTrue(all.add(id), id);
                    }
                }
            }
            KonaClient.Builder wide = KonaClient.builder(ASP_ID, p.signer, p.keyring, p.routes).instance(300, 10);
            try (KonaClient client = wide.build()) {
                String id = client.prepare("POST", CANCEL, utf8(SEED_REQUEST)).correlationId();
                assertEquals(300, Integer.parseInt(id.substring(13), 16) >>> 18, id);
            }
            for (KonaClient.Builder bad : new KonaClient.Builder[] {
                    KonaClient.builder(ASP_ID, p.signer, p.keyring, p.routes).instance(16),
                    KonaClient.builder(ASP_ID, p.signer, p.keyring, p.routes).instance(1, 17),
                    KonaClient.builder(ASP_ID, p.signer, p.keyring, p.routes).instance(-1)}) {
                assertEquals(ErrorKind.INVALID_INSTANCE, assertThrows(KonaException.class, bad::build).kind());
            }
        }
        try {
            CorrelationIds.useInstance(9, 4);
            for (int i = 0; i < 100; i++) {
                assertEquals('9', CorrelationIds.next().charAt(13));
            }
            KonaException e = assertThrows(KonaException.class, () -> CorrelationIds.useInstance(16, 4));
            assertTrue(e.getMessage().contains("instance 16 in 4 bits"), e.getMessage());
            assertEquals('9', CorrelationIds.next().charAt(13), "nothing changed");
        } finally {
            CorrelationIds.useInstance(0, 1);
        }
    }
}
