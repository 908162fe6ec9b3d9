package konaplate.crypto;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.DirectDecrypter;
import com.nimbusds.jose.crypto.DirectEncrypter;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
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
 * The seed response's two marked fields, and a 1 KiB payload as one JWE: the library against
 * Nimbus JOSE + JWT doing the least a correct program must (the document parsed once, each field
 * opened or sealed, the document written back; keys imported once on both sides).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FieldsBench {
    Keyring keys;
    Fields fields;
    byte[] sealedSeed;
    byte[] kib;
    byte[] sealedKib;
    DirectEncrypter encrypter;
    DirectDecrypter decrypter;
    JWEHeader header;
    String nimbusSealedKib;
    byte[] keyId = BenchSupport.utf8(BenchSupport.KEY_B);

    @Setup
    public void setUp() throws Exception {
        keys = Keyring.fromJwks(BenchSupport.jwksText());
        fields = new Fields(BenchSupport.SEED_FIELDS);
        sealedSeed = fields.encrypt(BenchSupport.SEED_RESPONSE, keys, BenchSupport.KEY_B);
        kib = new byte[1024];
        java.util.Arrays.fill(kib, (byte) 'x');
        sealedKib = Envelope.seal(kib, keys, BenchSupport.KEY_B);
        encrypter = new DirectEncrypter(BenchSupport.keyB());
        decrypter = new DirectDecrypter(BenchSupport.keyB());
        header = new JWEHeader.Builder(JWEAlgorithm.DIR, EncryptionMethod.A256GCM)
                .keyID(BenchSupport.KEY_B).build();
        nimbusSealedKib = nimbusSeal(kib);
        if (!java.util.Arrays.equals(nimbusDecryptSeed(), libraryDecryptSeedCheck())) {
            throw new IllegalStateException("Nimbus and the library disagree on the seed response");
        }
    }

    private byte[] libraryDecryptSeedCheck() throws ParseException {
        return JSONObjectUtils.toJSONString(JSONObjectUtils.parse(
                new String(fields.decrypt(sealedSeed, keys, BenchSupport.KEY_B), StandardCharsets.UTF_8)))
                .getBytes(StandardCharsets.UTF_8);
    }

    @TearDown
    public void tearDown() {
        fields.close();
        keys.close();
    }

    @Benchmark
    public byte[] seedDecryptLibrary() {
        return fields.decrypt(sealedSeed, keys, BenchSupport.KEY_B);
    }

    static final int BATCH = 1000;

    /** The same decryption by the core alone, no JVM between the calls: the ceiling. */
    @Benchmark
    @org.openjdk.jmh.annotations.OperationsPerInvocation(BATCH)
    public long seedDecryptCore() {
        long f = fields.handle.acquire();
        try {
            long k = keys.handle.acquire();
            try {
                return Native.benchFieldsDecrypt(f, sealedSeed, k, keyId, BATCH);
            } finally {
                keys.handle.release();
            }
        } finally {
            fields.handle.release();
        }
    }

    @Benchmark
    public byte[] seedDecryptNimbus() throws Exception {
        return nimbusDecryptSeed();
    }

    @Benchmark
    public byte[] seedEncryptLibrary() {
        return fields.encrypt(BenchSupport.SEED_RESPONSE, keys, BenchSupport.KEY_B);
    }

    @Benchmark
    public byte[] seedEncryptNimbus() throws Exception {
        Map<String, Object> doc = JSONObjectUtils.parse(new String(BenchSupport.SEED_RESPONSE, StandardCharsets.UTF_8));
        for (String field : BenchSupport.SEED_FIELDS) {
            doc.put(field, nimbusSeal(((String) doc.get(field)).getBytes(StandardCharsets.UTF_8)));
        }
        return JSONObjectUtils.toJSONString(doc).getBytes(StandardCharsets.UTF_8);
    }

    @Benchmark
    public byte[] kibSealLibrary() {
        return Envelope.seal(kib, keys, BenchSupport.KEY_B);
    }

    @Benchmark
    public String kibSealNimbus() throws Exception {
        return nimbusSeal(kib);
    }

    @Benchmark
    public byte[] kibOpenLibrary() {
        return Envelope.open(sealedKib, keys, BenchSupport.KEY_B);
    }

    @Benchmark
    public byte[] kibOpenNimbus() throws Exception {
        JWEObject jwe = JWEObject.parse(nimbusSealedKib);
        jwe.decrypt(decrypter);
        return jwe.getPayload().toBytes();
    }

    private byte[] nimbusDecryptSeed() throws ParseException, JOSEException {
        Map<String, Object> doc = JSONObjectUtils.parse(new String(sealedSeed, StandardCharsets.UTF_8));
        for (String field : BenchSupport.SEED_FIELDS) {
            JWEObject jwe = JWEObject.parse((String) doc.get(field));
            jwe.decrypt(decrypter);
            doc.put(field, jwe.getPayload().toString());
        }
        return JSONObjectUtils.toJSONString(doc).getBytes(StandardCharsets.UTF_8);
    }

    private String nimbusSeal(byte[] plaintext) throws JOSEException {
        JWEObject jwe = new JWEObject(header, new Payload(plaintext));
        jwe.encrypt(encrypter);
        return jwe.serialize();
    }
}
