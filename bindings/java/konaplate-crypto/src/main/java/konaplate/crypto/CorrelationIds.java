package konaplate.crypto;

import java.util.Objects;

/**
 * New {@code X-KM-Correlation-Id}s ({@code yyMMddHHmmss-xxxxxxx}), unique within this process:
 * one generator serves every thread.
 */
public final class CorrelationIds {
    private CorrelationIds() {}

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
