package konaplate.crypto;

import java.util.Objects;

/**
 * How {@link TokenSigner#sign(byte[], SignOptions)} signs: at a given time ({@code
 * yyyyMMddHHmmssSSS} in the zone; by default now), in a zone ({@code "KST"} by default, or
 * {@code "UTC"}), in the padded form (67 characters) or the platform's unpadded one (66, the
 * default). Immutable: each {@code with...} returns a new value.
 */
public final class SignOptions {
    /** Now, in KST, unpadded. */
    public static final SignOptions DEFAULT = new SignOptions(null, null, false);

    private final String time;
    private final String zone;
    private final boolean padded;

    private SignOptions(String time, String zone, boolean padded) {
        this.time = time;
        this.zone = zone;
        this.padded = padded;
    }

    /** The defaults: now, KST, unpadded. */
    public static SignOptions defaults() {
        return DEFAULT;
    }

    /** Signs at {@code time}, {@code yyyyMMddHHmmssSSS} in the zone. */
    public SignOptions withTime(String time) {
        return new SignOptions(Objects.requireNonNull(time, "time is null"), zone, padded);
    }

    /** Signs in {@code zone} ({@code "KST"} or {@code "UTC"}). */
    public SignOptions withZone(String zone) {
        return new SignOptions(time, Objects.requireNonNull(zone, "zone is null"), padded);
    }

    /** Signs in the padded form (67 characters) if {@code padded}. */
    public SignOptions withPadded(boolean padded) {
        return new SignOptions(time, zone, padded);
    }

    String time() {
        return time;
    }

    String zone() {
        return zone;
    }

    boolean padded() {
        return padded;
    }

    @Override
    public String toString() {
        return "SignOptions[time=" + (time == null ? "now" : time) + ", zone="
                + (zone == null ? "KST" : zone) + ", padded=" + padded + "]";
    }
}
