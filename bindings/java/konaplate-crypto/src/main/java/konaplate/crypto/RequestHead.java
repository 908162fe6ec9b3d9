package konaplate.crypto;

/**
 * A request whose head passed {@link KonaServer#checkHead}, waiting for its body: give it to
 * {@link KonaServer#acceptBody}, then close it.
 */
public final class RequestHead extends NativeObject {
    RequestHead(long address) {
        super(address, Native::headFree, "RequestHead");
    }

    @Override
    public String toString() {
        return "RequestHead";
    }
}
