package konaplate.crypto;

import static konaplate.crypto.Support.*;
import static org.junit.jupiter.api.Assertions.*;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.DirectDecrypter;
import com.nimbusds.jose.crypto.DirectEncrypter;
import com.nimbusds.jose.crypto.RSADecrypter;
import com.nimbusds.jose.crypto.RSAEncrypter;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JWEs against Nimbus JOSE + JWT, the JOSE library Java developers use: Nimbus opens what the
 * library seals and the library opens what Nimbus seals, dir A128GCM/A256GCM fields and envelopes,
 * RSA-OAEP-256 + A128GCM to a certificate; keys as Java writes them (MIME PEM, keytool PKCS#12).
 */
class JoseTest {
    static final Fields SEED_FIELDS = new Fields(List.of("mobileCardNo", "par"));

    /** Key A is 16 bytes (A128GCM), key B 32 (A256GCM). */
    static EncryptionMethod enc(String kid) {
        return kid.equals(KEY_A) ? EncryptionMethod.A128GCM : EncryptionMethod.A256GCM;
    }

    static String nimbusOpen(String compact, byte[] key) throws Exception {
        JWEObject jwe = JWEObject.parse(compact);
        jwe.decrypt(new DirectDecrypter(key));
        return jwe.getPayload().toString();
    }

    static String nimbusSeal(String plaintext, String kid) throws Exception {
        JWEObject jwe = new JWEObject(
                new JWEHeader.Builder(JWEAlgorithm.DIR, enc(kid)).keyID(kid).build(),
                new Payload(plaintext));
        jwe.encrypt(new DirectEncrypter(keyBytes(kid)));
        return jwe.serialize();
    }

    @Test
    void nimbusOpensTheFieldsAndEnvelopesTheLibrarySealsAndTheReverse() throws Exception {
        try (Keyring keys = Keyring.fromJwks(jwks())) {
            for (String kid : List.of(KEY_A, KEY_B)) {
                byte[] sealed = SEED_FIELDS.encrypt(utf8(SEED_RESPONSE), keys, kid);
                Map<String, Object> doc = JSONObjectUtils.parse(text(sealed));
                JWEObject card = JWEObject.parse((String) doc.get("mobileCardNo"));
                assertEquals(enc(kid), card.getHeader().getEncryptionMethod());
                assertEquals(JWEAlgorithm.DIR, card.getHeader().getAlgorithm());
                assertEquals("9410123412341234", nimbusOpen((String) doc.get("mobileCardNo"), keyBytes(kid)));
                assertEquals("Q1J4AwSWD4Jr4e4G7wUP2ujLKQ0", nimbusOpen((String) doc.get("par"), keyBytes(kid)));

                String theirs = "{\"code\":\"000_000\",\"mobileCardNo\":\""
                        + nimbusSeal("9410123412341234", kid) + "\",\"par\":\""
                        + nimbusSeal("Q1J4AwSWD4Jr4e4G7wUP2ujLKQ0", kid) + "\"}";
                Map<String, Object> opened = JSONObjectUtils.parse(text(SEED_FIELDS.decrypt(utf8(theirs), keys, kid)));
                assertEquals("9410123412341234", opened.get("mobileCardNo"));
                assertEquals("Q1J4AwSWD4Jr4e4G7wUP2ujLKQ0", opened.get("par"));

                byte[] body = utf8("{\"pan\":\"9410123412341234\",\"n\":" + kid.length() + "}");
                byte[] envelope = Envelope.seal(body, keys, kid);
                String jwe = (String) JSONObjectUtils.parse(text(envelope)).get("encData");
                assertEquals(text(body), nimbusOpen(jwe, keyBytes(kid)));
                String theirEnvelope = "{\"encData\":\"" + nimbusSeal(text(body), kid) + "\"}";
                assertArrayEquals(body, Envelope.open(utf8(theirEnvelope), keys, kid));
            }
        }
    }

    static X509Certificate certificate(byte[] pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem));
    }

    static byte[] pkcs8Der(String pem) {
        String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return Base64.getDecoder().decode(base64);
    }

    static PrivateKey privateKey(String pem) throws Exception {
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs8Der(pem)));
    }

    @Test
    void rsaOaep256ToACertificateBothWays() throws Exception {
        X509Certificate cert = certificate(vectorFile("rsa/server-certificate.pem"));
        PrivateKey serverKey = privateKey(text(vectorFile("rsa/server-private-pkcs8.pem")));
        try (Keyring toServer = Keyring.load(vectorFile("rsa/server-certificate.pem"), null, RSA_KEY);
                Keyring server = Keyring.load(vectorFile("rsa/server-private-pkcs8.pem"), null, RSA_KEY)) {
            byte[] body = utf8(SEED_RESPONSE);
            String jwe = (String) JSONObjectUtils.parse(text(Envelope.seal(body, toServer, RSA_KEY))).get("encData");
            JWEObject ours = JWEObject.parse(jwe);
            assertEquals(JWEAlgorithm.RSA_OAEP_256, ours.getHeader().getAlgorithm());
            assertEquals(EncryptionMethod.A128GCM, ours.getHeader().getEncryptionMethod());
            ours.decrypt(new RSADecrypter(serverKey));
            assertEquals(SEED_RESPONSE, ours.getPayload().toString());

            JWEObject theirs = new JWEObject(
                    new JWEHeader.Builder(JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A128GCM).build(),
                    new Payload(SEED_REQUEST));
            theirs.encrypt(new RSAEncrypter((RSAPublicKey) cert.getPublicKey()));
            byte[] envelope = utf8("{\"encData\":\"" + theirs.serialize() + "\"}");
            assertEquals(SEED_REQUEST, text(Envelope.open(envelope, server, RSA_KEY)));
        }
    }

    @Test
    void aPemWithTheMimeEncodersLinesIsRead() throws Exception {
        String pem64 = text(vectorFile("rsa/server-private-pkcs8.pem"));
        // As Java writes a PEM: 76-character lines, CRLF.
        String mime = "-----BEGIN PRIVATE KEY-----\r\n"
                + Base64.getMimeEncoder().encodeToString(pkcs8Der(pem64))
                + "\r\n-----END PRIVATE KEY-----\r\n";
        assertTrue(mime.lines().anyMatch(l -> l.length() == 76), "76-character lines");
        X509Certificate cert = certificate(vectorFile("rsa/server-certificate.pem"));
        JWEObject theirs = new JWEObject(
                new JWEHeader.Builder(JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A128GCM).build(),
                new Payload(SEED_REQUEST));
        theirs.encrypt(new RSAEncrypter((RSAPublicKey) cert.getPublicKey()));
        byte[] envelope = utf8("{\"encData\":\"" + theirs.serialize() + "\"}");
        try (Keyring server = Keyring.load(utf8(mime), null, RSA_KEY)) {
            assertEquals(SEED_REQUEST, text(Envelope.open(envelope, server, RSA_KEY)));
        }
        // The certificate the same way.
        String certMime = "-----BEGIN CERTIFICATE-----\r\n"
                + Base64.getMimeEncoder().encodeToString(cert.getEncoded())
                + "\r\n-----END CERTIFICATE-----\r\n";
        try (Keyring toServer = Keyring.load(utf8(certMime), null, RSA_KEY);
                Keyring server = Keyring.load(utf8(pem64), null, RSA_KEY)) {
            byte[] sealed = Envelope.seal(utf8(SEED_REQUEST), toServer, RSA_KEY);
            assertEquals(SEED_REQUEST, text(Envelope.open(sealed, server, RSA_KEY)));
        }
    }

    @Test
    void aPkcs12StoreMadeByKeytoolIsOpened(@TempDir Path dir) throws Exception {
        Path store = dir.resolve("client.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        ProcessBuilder p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "client", "-keyalg", "RSA",
                "-keysize", "2048", "-dname", "CN=konaplate test", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass:env", "STOREPASS")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("keytool.log").toFile());
        p.environment().put("STOREPASS", "keytool-pass-123");
        Process run = p.start();
        assertTrue(run.waitFor(60, TimeUnit.SECONDS), "keytool finished");
        assertEquals(0, run.exitValue(), Files.readString(dir.resolve("keytool.log")));

        KeyStore ks = KeyStore.getInstance("PKCS12");
        char[] password = "keytool-pass-123".toCharArray();
        try (var in = Files.newInputStream(store)) {
            ks.load(in, password);
        }
        RSAPublicKey pub = (RSAPublicKey) ks.getCertificate("client").getPublicKey();
        JWEObject theirs = new JWEObject(
                new JWEHeader.Builder(JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A128GCM).build(),
                new Payload("{\"ok\":1}"));
        theirs.encrypt(new RSAEncrypter(pub));
        byte[] envelope = utf8("{\"encData\":\"" + theirs.serialize() + "\"}");
        try (Keyring ours = Keyring.read(store, password, RSA_KEY)) {
            assertEquals(List.of(RSA_KEY), ours.keyIds());
            assertEquals("{\"ok\":1}", text(Envelope.open(envelope, ours, RSA_KEY)));
        }
        KonaException wrong = assertThrows(KonaException.class,
                () -> Keyring.read(store, "not it".toCharArray(), RSA_KEY));
        assertEquals(ErrorKind.INVALID_KEY, wrong.kind());
        assertFalse(wrong.getMessage().contains("not it"));
    }

    @Test
    void everyKeyFormatLoads() throws Exception {
        char[] password = "test password".toCharArray();
        // Public: each seals to the server's key, which Nimbus opens.
        PrivateKey serverKey = privateKey(text(vectorFile("rsa/server-private-pkcs8.pem")));
        for (String name : List.of("server-certificate.pem", "server-certificate.der", "server-public.pem")) {
            try (Keyring ring = Keyring.load(vectorFile("rsa/" + name), null, RSA_KEY)) {
                String jwe = (String) JSONObjectUtils.parse(text(Envelope.seal(utf8("{}"), ring, RSA_KEY))).get("encData");
                JWEObject sealed = JWEObject.parse(jwe);
                sealed.decrypt(new RSADecrypter(serverKey));
                assertEquals("{}", sealed.getPayload().toString(), name);
            }
        }
        // Private, and the key sets: each opens joserfc's first JWE to the client key.
        Map<String, Object> first = list(vectors("jwe-rsa.json"), "open").get(0);
        byte[] envelope = utf8("{\"encData\":\"" + first.get("jwe") + "\"}");
        for (String name : List.of("client-private-pkcs8.pem", "client-private-pkcs8.der",
                "client-private-pkcs1.pem", "client-legacy.p12", "client-pbes2.p12")) {
            char[] pass = name.endsWith(".p12") ? password : null;
            try (Keyring ring = Keyring.load(vectorFile("rsa/" + name), pass, RSA_KEY)) {
                assertEquals(first.get("plaintext"), text(Envelope.open(envelope, ring, RSA_KEY)), name);
            }
        }
        try (Keyring ring = Keyring.load(vectorFile("rsa/keyring.json"))) {
            assertTrue(ring.keyIds().contains(RSA_KEY), ring.toString());
        }
        // A password-protected PKCS#8 PEM is refused with what to do instead.
        KonaException e = assertThrows(KonaException.class,
                () -> Keyring.load(vectorFile("rsa/client-private-encrypted.pem"), null, RSA_KEY));
        assertEquals(ErrorKind.INVALID_KEY, e.kind());
        assertTrue(e.getMessage().contains("PKCS#12"), e.getMessage());
    }

    @Test
    void theCommittedJoserfcVectorsOpen() throws Exception {
        Map<String, Object> rsa = vectors("jwe-rsa.json");
        try (Keyring client = Keyring.load(vectorFile("rsa/client-private-pkcs8.pem"), null, RSA_KEY)) {
            int opened = 0;
            for (Map<String, Object> c : list(rsa, "open")) {
                byte[] envelope = utf8("{\"encData\":\"" + c.get("jwe") + "\"}");
                String kid = JWEObject.parse((String) c.get("jwe")).getHeader().getKeyID();
                if (kid == null) {
                    assertEquals(c.get("plaintext"), text(Envelope.open(envelope, client, RSA_KEY)));
                    opened++;
                } else {
                    // The key the caller names wins: a JWE naming another is refused (SPEC 5).
                    assertEquals(ErrorKind.KEY_ID_MISMATCH, assertThrows(KonaException.class,
                            () -> Envelope.open(envelope, client, RSA_KEY)).kind());
                }
            }
            assertTrue(opened >= 5, opened + " opened");
        }
    }
}
