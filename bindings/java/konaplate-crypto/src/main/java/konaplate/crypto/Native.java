package konaplate.crypto;

/**
 * The native methods ({@code bindings/java/native}): package-private; every public class wraps
 * them. Text is UTF-8 ({@link Wire}); a null {@code byte[]} is an option left out; a {@code long}
 * is a handle, used only through {@link NativeHandle}.
 */
final class Native {
    static {
        NativeLoader.load();
    }

    private Native() {}

    static native byte[] errorKinds();

    static native long signerNew(byte[] secret);

    static native void signerFree(long signer);

    static native byte[] sign(long signer, byte[] body, byte[] time, byte[] zone, boolean padded);

    static native void verify(
            long signer, byte[] body, byte[] token, byte[] now, byte[] zone, long maxSkew,
            boolean strict);

    static native byte[] correlationId(byte[] zone);

    static native void useInstance(int number, int bits);

    static native long keyringFromJwks(byte[] jwks);

    static native long keyringLoad(byte[] data, byte[] password, byte[] keyId);

    static native byte[] keyringIds(long keyring);

    static native void keyringFree(long keyring);

    static native long fieldsNew(byte[] paths, boolean strict);

    static native void fieldsFree(long fields);

    static native byte[] fieldsEncrypt(long fields, byte[] doc, long keyring, byte[] keyId);

    static native byte[] fieldsDecrypt(long fields, byte[] doc, long keyring, byte[] keyId);

    static native byte[] envelopeSeal(byte[] body, long keyring, byte[] keyId);

    static native byte[] envelopeOpen(byte[] doc, long keyring, byte[] keyId);

    static native long routesFromJson(byte[] json);

    static native void routesFree(long routes);

    static native long clientNew(
            byte[] aspId, long signer, long keyring, long routes, byte[] accessKey,
            byte[] cryptoKeyId, int instance, int instanceBits);

    static native void clientFree(long client);

    static native byte[] clientPrepare(
            long client, byte[] method, byte[] path, byte[] body, long[] handleOut);

    static native void requestFree(long request);

    static native byte[] clientFinish(long client, long request, byte[] headers, byte[] body);

    static native long serverNew(
            long signer, long keyring, long routes, long maxSkew, boolean strict,
            boolean exactTranTime, int replay);

    static native void serverFree(long server);

    static native long serverCheckHead(long server, byte[] method, byte[] path, byte[] headers);

    static native void headFree(long head);

    static native byte[] serverAcceptBody(long server, long head, byte[] body, long[] handleOut);

    static native byte[] serverAccept(
            long server, byte[] method, byte[] path, byte[] headers, byte[] body,
            long[] handleOut);

    static native void acceptedFree(long accepted);

    static native byte[] acceptedRoute(long accepted);

    static native byte[] acceptedHeaders(long accepted);

    static native byte[] serverRespond(long server, long accepted, byte[] body);

    /** The benchmark's baseline: {@code doc}'s fields opened {@code iterations} times by the core alone. */
    static native long benchFieldsDecrypt(
            long fields, byte[] doc, long keyring, byte[] keyId, int iterations);

    /** The benchmark's baseline: {@code iterations} exchanges by the core alone, in nanoseconds. */
    static native long benchExchange(
            long client, long server, byte[] path, byte[] body, byte[] answer, int iterations);
}
