package konaplate.crypto;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String item : items) {
            put(out, utf8(item));
        }
        return out.toByteArray();
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
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map.Entry<String, ?> header : headers.entrySet()) {
            String name = Objects.requireNonNull(header.getKey(), "a header name is null");
            Object value = header.getValue();
            if (value instanceof String one) {
                pair(out, name, one);
            } else if (value instanceof Iterable<?> many) {
                for (Object each : many) {
                    if (!(each instanceof String one)) {
                        throw notText(name, each);
                    }
                    pair(out, name, one);
                }
            } else {
                throw notText(name, value);
            }
        }
        return out.toByteArray();
    }

    private static RuntimeException notText(String name, Object value) {
        if (value == null) {
            return new NullPointerException("the value of header " + name + " is null");
        }
        return new IllegalArgumentException(
                "the value of header " + name + " is a " + value.getClass().getName()
                        + ", not a String or a list of Strings");
    }

    private static void pair(ByteArrayOutputStream out, String name, String value) {
        put(out, utf8(name));
        put(out, utf8(value));
    }

    private static void put(ByteArrayOutputStream out, byte[] item) {
        int n = item.length;
        out.write(n >>> 24);
        out.write(n >>> 16);
        out.write(n >>> 8);
        out.write(n);
        out.write(item, 0, n);
    }

    /** The items of a list. */
    static List<byte[]> items(byte[] list) {
        List<byte[]> items = new ArrayList<>();
        int at = 0;
        while (at < list.length) {
            int n = ((list[at] & 0xff) << 24) | ((list[at + 1] & 0xff) << 16)
                    | ((list[at + 2] & 0xff) << 8) | (list[at + 3] & 0xff);
            at += 4;
            byte[] item = new byte[n];
            System.arraycopy(list, at, item, 0, n);
            items.add(item);
            at += n;
        }
        return items;
    }

    /** The items of a list, as text. */
    static List<String> strings(byte[] list) {
        List<String> out = new ArrayList<>();
        for (byte[] item : items(list)) {
            out.add(text(item));
        }
        return out;
    }

    /** Header pairs from {@code items} (from {@code from} on), as an unmodifiable ordered map. */
    static Map<String, String> headers(List<byte[]> items, int from, int to) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = from; i + 1 < to; i += 2) {
            headers.put(text(items.get(i)), text(items.get(i + 1)));
        }
        return Collections.unmodifiableMap(headers);
    }
}
