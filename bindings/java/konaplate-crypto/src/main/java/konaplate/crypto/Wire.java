package konaplate.crypto;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Text and lists as the native library takes them: text as UTF-8, a list of byte strings as one
 * array (each item its length, 4 bytes big-endian, then its bytes), header pairs as the list name,
 * value, name, value. The native side ({@code bindings/java/native/src/wire.rs}) reads and writes
 * the same.
 */
final class Wire {
    private Wire() {}

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code text} as UTF-8, or null for null (an option left out). */
    static byte[] utf8OrNull(String text) {
        return text == null ? null : utf8(text);
    }

    static String text(byte[] utf8) {
        return new String(utf8, StandardCharsets.UTF_8);
    }

    /** The list of {@code items}' UTF-8 bytes. */
    static byte[] list(Iterable<String> items) {
        Builder out = new Builder();
        for (String item : items) {
            out.add(utf8(item));
        }
        return out.build();
    }

    /**
     * Header pairs from a map whose values are a {@code String} or a list of them (as {@code
     * HttpHeaders.map()} gives): each value its own pair, so a header sent twice is seen twice.
     *
     * @throws NullPointerException if {@code headers}, a name or a value is null
     * @throws IllegalArgumentException if a value is neither a {@code String} nor an {@code
     *     Iterable} of them
     */
    static byte[] pairs(Map<String, ?> headers) {
        Objects.requireNonNull(headers, "headers is null");
        Builder out = new Builder();
        for (Map.Entry<String, ?> header : headers.entrySet()) {
            String name = Objects.requireNonNull(header.getKey(), "a header name is null");
            Object value = header.getValue();
            if (value instanceof String one) {
                out.pair(name, one);
            } else if (value instanceof Iterable<?> many) {
                for (Object each : many) {
                    if (!(each instanceof String one)) {
                        throw notText(name, each);
                    }
                    out.pair(name, one);
                }
            } else {
                throw notText(name, value);
            }
        }
        return out.build();
    }

    private static RuntimeException notText(String name, Object value) {
        if (value == null) {
            return new NullPointerException("the value of header " + name + " is null");
        }
        return new IllegalArgumentException(
                "the value of header " + name + " is a " + value.getClass().getName()
                        + ", not a String or a list of Strings");
    }

    /**
     * A list being written: the items' bytes kept, then copied once into an array of the exact
     * size (no synchronised stream, no regrowth).
     */
    private static final class Builder {
        private final List<byte[]> items = new ArrayList<>(16);
        private int size;

        void add(byte[] item) {
            items.add(item);
            size += 4 + item.length;
        }

        void pair(String name, String value) {
            add(utf8(name));
            add(utf8(value));
        }

        byte[] build() {
            byte[] out = new byte[size];
            int at = 0;
            for (byte[] item : items) {
                int n = item.length;
                out[at] = (byte) (n >>> 24);
                out[at + 1] = (byte) (n >>> 16);
                out[at + 2] = (byte) (n >>> 8);
                out[at + 3] = (byte) n;
                System.arraycopy(item, 0, out, at + 4, n);
                at += 4 + n;
            }
            return out;
        }
    }

    /** The items of a list, as text. */
    static List<String> strings(byte[] list) {
        List<String> out = new ArrayList<>();
        for (Reader in = new Reader(list); in.more(); ) {
            out.add(in.text());
        }
        return out;
    }

    /** Reads a list in place, item by item. */
    static final class Reader {
        private final byte[] list;
        private int at;

        Reader(byte[] list) {
            this.list = list;
        }

        boolean more() {
            return at < list.length;
        }

        private int length() {
            int n = ((list[at] & 0xff) << 24) | ((list[at + 1] & 0xff) << 16)
                    | ((list[at + 2] & 0xff) << 8) | (list[at + 3] & 0xff);
            at += 4;
            return n;
        }

        /** The next item's bytes. */
        byte[] bytes() {
            int n = length();
            byte[] item = Arrays.copyOfRange(list, at, at + n);
            at += n;
            return item;
        }

        /** The next item, as text. */
        String text() {
            int n = length();
            String item = new String(list, at, n, StandardCharsets.UTF_8);
            at += n;
            return item;
        }

        /** The rest of the list as header pairs: an unmodifiable ordered map. */
        Map<String, String> headers() {
            Map<String, String> headers = new LinkedHashMap<>();
            while (more()) {
                headers.put(text(), text());
            }
            return Collections.unmodifiableMap(headers);
        }
    }
}
