package konaplate.crypto;

import java.util.Objects;

/**
 * How {@link TokenSigner#verify(byte[], String, VerifyOptions)} checks: against a given time
 * ({@code yyyyMMddHHmmssSSS} in the zone; by default now), in a zone ({@code "KST"} by default),
 * with a window of {@code maxSkewSeconds} (300 by default) either side, and, if strict, refusing
 * the padded 67-character form. Immutable: each {@code with...} returns a new value.
 */
public final class VerifyOptions {
    /** Now, in KST, 300 seconds, both forms. */
    public static final VerifyOptions DEFAULT = new VerifyOptions(null, null, 300, false);

    private final String now;
    private final String zone;
    private final long maxSkewSeconds;
    private final boolean strict;

    private VerifyOptions(String now, String zone, long maxSkewSeconds, boolean strict) {
        this.now = now;
        this.zone = zone;
        this.maxSkewSeconds = maxSkewSeconds;
        this.strict = strict;
    }

    /** The defaults: now, KST, 300 seconds, both forms. */
    public static VerifyOptions defaults() {
        return DEFAULT;
    }

    /** Checks the token's time against {@code now}, {@code yyyyMMddHHmmssSSS} in the zone. */
    public VerifyOptions withNow(String now) {
        return new VerifyOptions(Objects.requireNonNull(now, "now is null"), zone, maxSkewSeconds,
                strict);
    }

    /** Reads times in {@code zone} ({@code "KST"} or {@code "UTC"}). */
    public VerifyOptions withZone(String zone) {
        return new VerifyOptions(now, Objects.requireNonNull(zone, "zone is null"), maxSkewSeconds,
                strict);
    }

    /**
     * Accepts a token time at most {@code seconds} from now.
     *
     * @throws IllegalArgumentException if {@code seconds} is negative
     */
    public VerifyOptions withMaxSkewSeconds(long seconds) {
        if (seconds < 0) {
            throw new IllegalArgumentException("maxSkewSeconds is negative: " + seconds);
        }
        return new VerifyOptions(now, zone, seconds, strict);
    }

    /** Refuses the padded form if {@code strict}. */
    public VerifyOptions withStrict(boolean strict) {
        return new VerifyOptions(now, zone, maxSkewSeconds, strict);
    }

    String now() {
        return now;
    }

    String zone() {
        return zone;
    }

    long maxSkewSeconds() {
        return maxSkewSeconds;
    }

    boolean strict() {
        return strict;
    }

    @Override
    public String toString() {
        return "VerifyOptions[now=" + (now == null ? "now" : now) + ", zone="
                + (zone == null ? "KST" : zone) + ", maxSkewSeconds=" + maxSkewSeconds
                + ", strict=" + strict + "]";
    }
}
