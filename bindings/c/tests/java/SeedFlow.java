// The C ABI from the JVM through JNA, as a Java or Kotlin SDK would call it:
// signs the seed request and decrypts the seed response's fields.
//
// Expected values come from independent implementations: the token is
// test-vectors/tokens.json's "ascii secret, seed body" (Python's hmac,
// test-vectors/gen/foundation.py); the sealed seed response is
// test-vectors/jwe-dir.json's "seed response" (Python's cryptography,
// checked with joserfc, test-vectors/gen/jwe_dir.py).
//
// Built and run by bindings/c/run (javac 17, Debian's libjna-java).

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.ptr.PointerByReference;
import java.nio.charset.StandardCharsets;

public final class SeedFlow {
    /** konaplate.h, the calls this test makes. size_t is a Java long (64-bit Linux). */
    public interface Konaplate extends Library {
        Konaplate LIB = Native.load("konaplate", Konaplate.class);

        int KM_OK = 0;
        int KM_TOKEN_MISMATCH = 8;
        int KM_KEY_ID_MISMATCH = 17;
        int KM_INVALID_HANDLE = 102;
        int KM_TOKEN_MAX_LEN = 67;

        int km_signer_new(byte[] secret, long secretLen, PointerByReference out);
        int km_signer_free(Pointer signer);
        int km_token_sign(Pointer signer, byte[] body, long bodyLen, String time, String zone,
                          boolean padded, byte[] out, long outLen);
        int km_token_verify(Pointer signer, byte[] body, long bodyLen, String token, String now,
                            String zone, int maxSkewSeconds, boolean strict);
        int km_keyring_from_jwks(byte[] json, long jsonLen, PointerByReference out);
        int km_keyring_free(Pointer keyring);
        int km_fields_new(String[] paths, long count, boolean strict, PointerByReference out);
        int km_fields_free(Pointer fields);
        int km_fields_decrypt(Pointer fields, Pointer keyring, String keyId, byte[] doc, long docLen,
                              KmBuffer out);
        int km_buffer_free(KmBuffer buffer);
        String km_last_error_message();
        String km_status_code(int status);
    }

    /** km_buffer: bytes the library owns until km_buffer_free. */
    @Structure.FieldOrder({"data", "len"})
    public static final class KmBuffer extends Structure {
        public Pointer data;
        public long len;

        byte[] bytes() {
            return data == null ? new byte[0] : data.getByteArray(0, (int) len);
        }
    }

    static final String SECRET = "sandboxSecretKey0001";
    static final String SEED_REQUEST = "{\"cardApplyNo\":\"2022110812081460812345\",\"userId\":1}";
    static final String TOKEN = "KMV1:20221108120814608:gk9OIq5yN7pSkLnj+oZN4WsM0Dd/qCIikoV7XIuUenU";
    static final String JWKS =
        "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\"use\":\"enc\","
        + "\"alg\":\"A128GCM\",\"k\":\"uP9GfphW-e6JACCYHNd9JQ\"},"
        + "{\"kty\":\"oct\",\"kid\":\"BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB\",\"use\":\"enc\","
        + "\"alg\":\"A256GCM\",\"k\":\"CT5Ib6e0mtzkkBXPn3J9nWMKo2Q7dxbQNfPVP13fo2U\"}]}";
    static final String SEALED_RESPONSE =
        "{\"code\":\"000_000\",\"message\":\"Success.\", \"mobileCardNo\":\"eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwia2lkIjoiQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkIifQ..sirq12xW92_urMKu.yHzcRjP8-XZPPu57nDrlfw.S69C6l7TyWdPExyz9f5BQg\" ,\n"
        + "  \"par\" : \"eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwia2lkIjoiQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkIifQ..dxgWP3jd0waWaDRh.kq9oe90epfEbqEZKUiCUesVrvaJHpl1Cfoue.OXAob-yYsdrV4JByFQxBgw\"}";
    static final String CLEAR_RESPONSE =
        "{\"code\":\"000_000\",\"message\":\"Success.\", \"mobileCardNo\":\"9410123412341234\" ,\n"
        + "  \"par\" : \"Q1J4AwSWD4Jr4e4G7wUP2ujLKQ0\"}";

    static int failures = 0;

    static void check(boolean ok, String what) {
        if (!ok) {
            System.err.println("check failed: " + what + " (last message: "
                + Konaplate.LIB.km_last_error_message() + ")");
            failures++;
        }
    }

    static void ok(int status, String what) {
        check(status == Konaplate.KM_OK, what + " returned " + Konaplate.LIB.km_status_code(status));
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    public static void main(String[] args) {
        Konaplate km = Konaplate.LIB;

        PointerByReference ref = new PointerByReference();
        ok(km.km_signer_new(utf8(SECRET), SECRET.length(), ref), "km_signer_new");
        Pointer signer = ref.getValue();

        // Sign the seed request at the vector's time; the token is Python hmac's.
        byte[] body = utf8(SEED_REQUEST);
        byte[] out = new byte[Konaplate.KM_TOKEN_MAX_LEN + 1];
        ok(km.km_token_sign(signer, body, body.length, "20221108120814608", "KST", false, out, out.length),
            "km_token_sign");
        String token = new String(out, 0, 66, StandardCharsets.US_ASCII);
        check(token.equals(TOKEN), "token " + token + " is the vector's");
        check(out[66] == 0, "the token is NUL-terminated");
        ok(km.km_token_verify(signer, body, body.length, token, "20221108120814608", "KST", 300, true),
            "km_token_verify");
        byte[] changed = utf8(SEED_REQUEST.replace("userId\":1", "userId\":2"));
        int status = km.km_token_verify(signer, changed, changed.length, token, "20221108120814608", "KST", 300, false);
        check(status == Konaplate.KM_TOKEN_MISMATCH, "a changed body is token_mismatch, not " + km.km_status_code(status));

        // Decrypt the seed response's fields, sealed by Python's cryptography.
        byte[] jwks = utf8(JWKS);
        ok(km.km_keyring_from_jwks(jwks, jwks.length, ref), "km_keyring_from_jwks");
        Pointer keyring = ref.getValue();
        ok(km.km_fields_new(new String[] {"mobileCardNo", "par"}, 2, false, ref), "km_fields_new");
        Pointer fields = ref.getValue();
        byte[] sealed = utf8(SEALED_RESPONSE);
        KmBuffer clear = new KmBuffer();
        ok(km.km_fields_decrypt(fields, keyring, "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB", sealed, sealed.length, clear),
            "km_fields_decrypt");
        String opened = new String(clear.bytes(), StandardCharsets.UTF_8);
        check(opened.equals(CLEAR_RESPONSE), "the fields open to the vector's clear document: " + opened);
        ok(km.km_buffer_free(clear), "km_buffer_free");
        check(clear.data == null && clear.len == 0, "a freed buffer is cleared");

        // The wrong key: a typed status, a message naming the key, no output.
        KmBuffer none = new KmBuffer();
        status = km.km_fields_decrypt(fields, keyring, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", sealed, sealed.length, none);
        check(status == Konaplate.KM_KEY_ID_MISMATCH, "key A is key_id_mismatch, not " + km.km_status_code(status));
        check(km.km_last_error_message().contains("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), "the message names the key");
        check(none.data == null, "a failed call gives no output");

        ok(km.km_fields_free(fields), "km_fields_free");
        ok(km.km_keyring_free(keyring), "km_keyring_free");
        ok(km.km_signer_free(signer), "km_signer_free");
        status = km.km_signer_free(signer);
        check(status == Konaplate.KM_INVALID_HANDLE, "a signer freed twice is invalid_handle, not " + km.km_status_code(status));

        if (failures > 0) {
            System.err.println(failures + " checks failed");
            System.exit(1);
        }
        System.out.println("JVM (JNA): seed request signed, seed response fields decrypted: all checks passed");
    }
}
