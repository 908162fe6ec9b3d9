package konaplate.crypto;

import java.util.Objects;

/**
 * New {@code X-KM-Correlation-Id}s ({@code yyMMddHHmmss-xxxxxxx}), unique within this process:
 * one generator serves every thread. In a fleet, give each JVM its instance number once at start
 * ({@link #useInstance(int, int)}): then no two instances make the same id.
 */
public final class CorrelationIds {
    private CorrelationIds() {}

    /**
     * Makes this process instance {@code number} of a fleet, in a split of {@code bits} bits (1
     * to 16; 4, the usual, gives instances 0 to 15): the ids of {@link #next()} take {@code
     * number} in the top bits of their suffix. Each instance makes 2<sup>28 - bits</sup> ids a
     * second. A {@link KonaClient} takes its own ({@link KonaClient.Builder#instance(int, int)}).
     *
     * @throws KonaException {@link ErrorKind#INVALID_INSTANCE} out of range (nothing changes)
     */
    public static void useInstance(int number, int bits) {
        Native.useInstance(checkedNumber(number, bits), bits);
    }

    /** {@code number}, refused here if negative (the native library checks the rest). */
    static int checkedNumber(int number, int bits) {
        if (number < 0 || bits < 0) {
            throw new KonaException(ErrorKind.INVALID_INSTANCE, "correlation id instance " + number
                    + " in " + bits + " bits: neither may be negative");
        }
        return number;
    }

    /** A new correlation id for now in KST. */
    public static String next() {
        return Wire.text(Native.correlationId(null));
    }

    /**
     * A new correlation id for now in {@code zone} ({@code "KST"} or {@code "UTC"}).
     *
     * @throws KonaException {@link ErrorKind#UNKNOWN_TIME_ZONE} for another zone
     */
    public static String next(String zone) {
        return Wire.text(Native.correlationId(Wire.utf8(Objects.requireNonNull(zone, "zone is null"))));
    }
}
