package konaplate.crypto;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** What the benchmarks share: the seed flow's data and the test vectors' keys. */
final class BenchSupport {
    private BenchSupport() {}

    static final String CANCEL = "/api/v1/card/delivery/cancel";
    static final String KEY_B = "B".repeat(32);
    static final String ROUTES = "{\"routes\":[{\"method\":\"POST\",\"path\":\"" + CANCEL + "\","
            + "\"request\":\"plain\",\"response\":{\"fields\":[\"mobileCardNo\",\"par\"],\"strict\":false}}]}";
    static final byte[] SEED_REQUEST = utf8("{\"cardApplyNo\":\"2022110812081460812345\",\"userId\":1234567890}");
    static final byte[] SEED_RESPONSE = utf8("{\"code\":\"000_000\",\"message\":\"Success.\","
            + "\"mobileCardNo\":\"9410123412341234\",\"par\":\"Q1J4AwSWD4Jr4e4G7wUP2ujLKQ0\"}");
    static final List<String> SEED_FIELDS = List.of("mobileCardNo", "par");

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The repository's test-vectors directory (-Dkonaplate.testVectors, or from the checkout). */
    static Path vectors() {
        return Path.of(System.getProperty("konaplate.testVectors", "../../test-vectors"));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> jwks() {
        try {
            return (Map<String, Object>) com.nimbusds.jose.util.JSONObjectUtils
                    .parse(Files.readString(vectors().resolve("jwe-dir.json"))).get("jwks");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    static String jwksText() {
        return com.nimbusds.jose.util.JSONObjectUtils.toJSONString(jwks());
    }

    @SuppressWarnings("unchecked")
    static byte[] keyB() {
        for (Map<String, Object> key : (List<Map<String, Object>>) jwks().get("keys")) {
            if (KEY_B.equals(key.get("kid"))) {
                return Base64.getUrlDecoder().decode((String) key.get("k"));
            }
        }
        throw new IllegalStateException("no key B");
    }
}
