package konaplate.crypto;

import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The measurement behind choosing JNI: the seed fields and the whole exchange through the C ABI
 * ({@code libkonaplate.so}, {@code bindings/c}) by JNA, as a Java SDK over the C header would call
 * it: each step's headers read into Java strings, as they must be to cross HTTP. Run by hand with
 * {@code -Djna.library.path=} the directory of a release build of {@code konaplate-crypto-ffi};
 * compare with {@link FieldsBench#seedDecryptLibrary} and {@link ExchangeBench#exchangeJava} in
 * the same run (BENCHMARKS.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class JnaBench {
    /** konaplate.h, the calls these benchmarks make (size_t is a Java long on 64-bit Linux). */
    public interface C extends Library {
        int km_signer_new(byte[] secret, long len, PointerByReference out);

        int km_signer_free(Pointer signer);

        int km_keyring_from_jwks(byte[] json, long len, PointerByReference out);

        int km_keyring_free(Pointer keyring);

        int km_fields_new(String[] paths, long count, boolean strict, PointerByReference out);

        int km_fields_free(Pointer fields);

        int km_fields_decrypt(Pointer fields, Pointer keyring, String keyId, byte[] doc, long len,
                KmBuffer out);

        int km_fields_encrypt(Pointer fields, Pointer keyring, String keyId, byte[] doc, long len,
                KmBuffer out);

        int km_buffer_free(KmBuffer buffer);

        int km_client_new(String aspId, Pointer signer, Pointer keyring, String routes,
                String accessKey, String cryptoKeyId, PointerByReference out);

        int km_client_free(Pointer client);

        int km_server_new(Pointer signer, Pointer keyring, String routes, PointerByReference out);

        int km_server_free(Pointer server);

        int km_client_prepare(Pointer client, String method, String path, byte[] body, long len,
                PointerByReference out);

        int km_request_header_count(Pointer request, LongByReference count);

        int km_request_header(Pointer request, long index, PointerByReference name,
                PointerByReference value);

        int km_request_body(Pointer request, PointerByReference data, LongByReference len);

        int km_request_free(Pointer request);

        int km_server_accept(Pointer server, String method, String path, KmHeader[] headers,
                long count, byte[] body, long len, PointerByReference out);

        int km_accepted_body(Pointer accepted, PointerByReference data, LongByReference len);

        int km_accepted_free(Pointer accepted);

        int km_server_respond(Pointer server, Pointer accepted, byte[] body, long len,
                PointerByReference out);

        int km_response_header_count(Pointer response, LongByReference count);

        int km_response_header(Pointer response, long index, PointerByReference name,
                PointerByReference value);

        int km_response_body(Pointer response, PointerByReference data, LongByReference len);

        int km_response_free(Pointer response);

        int km_client_finish(Pointer client, Pointer request, KmHeader[] headers, long count,
                byte[] body, long len, KmBuffer out);
    }

    /** km_buffer. */
    @Structure.FieldOrder({"data", "len"})
    public static final class KmBuffer extends Structure {
        public Pointer data;
        public long len;
    }

    /** km_header. */
    @Structure.FieldOrder({"name", "value"})
    public static final class KmHeader extends Structure {
        public String name;
        public String value;
    }

    C c;
    Pointer signer;
    Pointer keyring;
    Pointer fields;
    Pointer client;
    Pointer server;
    byte[] sealedSeed;

    static void ok(int status) {
        if (status != 0) {
            throw new IllegalStateException("konaplate status " + status);
        }
    }

    static Pointer out(java.util.function.ToIntFunction<PointerByReference> call) {
        PointerByReference ref = new PointerByReference();
        ok(call.applyAsInt(ref));
        return ref.getValue();
    }

    @Setup
    public void setUp() {
        c = com.sun.jna.Native.load("konaplate", C.class);
        byte[] secret = BenchSupport.utf8("sandboxSecretKey0001");
        signer = out(r -> c.km_signer_new(secret, secret.length, r));
        byte[] jwks = BenchSupport.utf8(BenchSupport.jwksText());
        keyring = out(r -> c.km_keyring_from_jwks(jwks, jwks.length, r));
        String[] paths = BenchSupport.SEED_FIELDS.toArray(new String[0]);
        fields = out(r -> c.km_fields_new(paths, paths.length, false, r));
        client = out(r -> c.km_client_new("000170000002000", signer, keyring, BenchSupport.ROUTES,
                "K".repeat(40), BenchSupport.KEY_B, r));
        server = out(r -> c.km_server_new(signer, keyring, BenchSupport.ROUTES, r));
        KmBuffer sealed = new KmBuffer();
        ok(c.km_fields_encrypt(fields, keyring, BenchSupport.KEY_B, BenchSupport.SEED_RESPONSE,
                BenchSupport.SEED_RESPONSE.length, sealed));
        sealedSeed = sealed.data.getByteArray(0, (int) sealed.len);
        ok(c.km_buffer_free(sealed));
    }

    @TearDown
    public void tearDown() {
        c.km_client_free(client);
        c.km_server_free(server);
        c.km_fields_free(fields);
        c.km_keyring_free(keyring);
        c.km_signer_free(signer);
    }

    @Benchmark
    public byte[] seedDecryptJna() {
        KmBuffer clear = new KmBuffer();
        ok(c.km_fields_decrypt(fields, keyring, BenchSupport.KEY_B, sealedSeed, sealedSeed.length, clear));
        byte[] out = clear.data.getByteArray(0, (int) clear.len);
        ok(c.km_buffer_free(clear));
        return out;
    }

    /** Headers a request or response holds, read out as Java strings. */
    interface HeaderAt {
        int at(long index, PointerByReference name, PointerByReference value);
    }

    static Map<String, String> headers(long count, HeaderAt at) {
        Map<String, String> headers = new LinkedHashMap<>();
        PointerByReference name = new PointerByReference();
        PointerByReference value = new PointerByReference();
        for (long i = 0; i < count; i++) {
            ok(at.at(i, name, value));
            headers.put(name.getValue().getString(0, "UTF-8"), value.getValue().getString(0, "UTF-8"));
        }
        return headers;
    }

    static KmHeader[] array(Map<String, String> headers) {
        KmHeader[] array = (KmHeader[]) new KmHeader().toArray(headers.size());
        int i = 0;
        for (Map.Entry<String, String> h : headers.entrySet()) {
            array[i].name = h.getKey();
            array[i].value = h.getValue();
            i++;
        }
        return array;
    }

    static byte[] bytes(java.util.function.BiFunction<PointerByReference, LongByReference, Integer> call) {
        PointerByReference data = new PointerByReference();
        LongByReference len = new LongByReference();
        ok(call.apply(data, len));
        return len.getValue() == 0 ? new byte[0] : data.getValue().getByteArray(0, (int) len.getValue());
    }

    @Benchmark
    public byte[] exchangeJna() {
        Pointer request = out(r -> c.km_client_prepare(client, "POST", BenchSupport.CANCEL,
                BenchSupport.SEED_REQUEST, BenchSupport.SEED_REQUEST.length, r));
        try {
            LongByReference count = new LongByReference();
            ok(c.km_request_header_count(request, count));
            Map<String, String> sentHeaders = headers(count.getValue(),
                    (i, n, v) -> c.km_request_header(request, i, n, v));
            byte[] sent = bytes((d, l) -> c.km_request_body(request, d, l));
            KmHeader[] received = array(sentHeaders);
            Pointer accepted = out(r -> c.km_server_accept(server, "POST", BenchSupport.CANCEL, received,
                    received.length, sent, sent.length, r));
            Pointer response;
            try {
                bytes((d, l) -> c.km_accepted_body(accepted, d, l));
                response = out(r -> c.km_server_respond(server, accepted, BenchSupport.SEED_RESPONSE,
                        BenchSupport.SEED_RESPONSE.length, r));
            } finally {
                c.km_accepted_free(accepted);
            }
            try {
                ok(c.km_response_header_count(response, count));
                Map<String, String> answerHeaders = headers(count.getValue(),
                        (i, n, v) -> c.km_response_header(response, i, n, v));
                byte[] answer = bytes((d, l) -> c.km_response_body(response, d, l));
                KmHeader[] back = array(answerHeaders);
                KmBuffer clear = new KmBuffer();
                ok(c.km_client_finish(client, request, back, back.length, answer, answer.length, clear));
                byte[] out = clear.data.getByteArray(0, (int) clear.len);
                ok(c.km_buffer_free(clear));
                return out;
            } finally {
                c.km_response_free(response);
            }
        } finally {
            c.km_request_free(request);
        }
    }
}
