package io.github.repmtl.datavec.npy;

import io.github.repmtl.datavec.InvalidDataException;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses the Python dictionary literal of a {@code .npy} header, e.g.
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (288, 384, 3), }}. Exactly the three keys
 * numpy writes are accepted; anything else is reported with the file name.
 */
final class NpyHeaderParser {
    private static final Set<String> KEYS = Set.of("descr", "fortran_order", "shape");

    private final String source;
    private final String text;
    private int position;

    private NpyHeaderParser(String source, String text) {
        this.source = source;
        this.text = text;
    }

    /** The element type, byte order, memory order and shape declared by a header dictionary. */
    record Dictionary(NpyDType dtype, ByteOrder byteOrder, boolean fortranOrder, long[] shape) {
    }

    static Dictionary parse(String source, String text) {
        return new NpyHeaderParser(source, text).dictionary();
    }

    private Dictionary dictionary() {
        Map<String, Object> entries = new HashMap<>();
        expect('{');
        while (true) {
            skipWhitespace();
            if (peek() == '}') {
                position++;
                break;
            }
            String key = quotedString();
            if (!KEYS.contains(key)) {
                throw problem("unexpected key '" + key + "' in the header dictionary");
            }
            expect(':');
            Object value = value(key);
            if (entries.put(key, value) != null) {
                throw problem("key '" + key + "' appears twice in the header dictionary");
            }
            skipWhitespace();
            if (peek() == ',') {
                position++;
            } else if (peek() != '}') {
                throw problem("expected ',' or '}' at character " + position + " of the header");
            }
        }
        skipWhitespace();
        if (position != text.length()) {
            throw problem("unexpected text after the header dictionary: '" + text.substring(position).strip() + "'");
        }
        for (String key : KEYS) {
            if (!entries.containsKey(key)) {
                throw problem("the header dictionary has no '" + key + "' entry");
            }
        }
        if (!(entries.get("descr") instanceof String descr)) {
            throw problem("'descr' must be a string such as '<f4', got " + entries.get("descr")
                    + " (structured and object arrays are not supported)");
        }
        if (!(entries.get("fortran_order") instanceof Boolean fortranOrder)) {
            throw problem("'fortran_order' must be True or False");
        }
        if (!(entries.get("shape") instanceof long[] shape)) {
            throw problem("'shape' must be a tuple of integers");
        }
        return descr(descr, fortranOrder, shape);
    }

    private Dictionary descr(String descr, boolean fortranOrder, long[] shape) {
        if (descr.length() < 3) {
            throw problem("unsupported dtype descr '" + descr + "'");
        }
        char orderChar = descr.charAt(0);
        NpyDType dtype = NpyDType.ofTypeCode(descr.substring(1)).orElseThrow(() -> problem("unsupported dtype descr '"
                + descr + "' (supported: b1, u1, i1, u2, i2, u4, i4, u8, i8, f2, f4, f8)"));
        ByteOrder byteOrder;
        switch (orderChar) {
            case '<' -> byteOrder = ByteOrder.LITTLE_ENDIAN;
            case '>' -> byteOrder = ByteOrder.BIG_ENDIAN;
            case '|' -> {
                if (dtype.width() != 1) {
                    throw problem("dtype descr '" + descr + "' has no byte order although its elements are "
                            + dtype.width() + " bytes wide");
                }
                byteOrder = ByteOrder.LITTLE_ENDIAN;
            }
            default -> throw problem("dtype descr '" + descr + "' must start with '<', '>' or '|' (the byte order"
                    + (orderChar == '=' ? " '=' depends on the machine that wrote the file" : "") + ")");
        }
        if (dtype.width() == 1) {
            byteOrder = ByteOrder.LITTLE_ENDIAN;
        }
        return new Dictionary(dtype, byteOrder, fortranOrder, shape);
    }

    private Object value(String key) {
        skipWhitespace();
        char first = peek();
        if (first == '\'' || first == '"') {
            return quotedString();
        }
        if (first == '(') {
            return tuple();
        }
        if (text.startsWith("True", position)) {
            position += 4;
            return Boolean.TRUE;
        }
        if (text.startsWith("False", position)) {
            position += 5;
            return Boolean.FALSE;
        }
        if (first == '[') {
            throw problem("'" + key + "' is a list: structured dtypes are not supported");
        }
        throw problem("cannot read the value of '" + key + "' at character " + position + " of the header");
    }

    private long[] tuple() {
        expect('(');
        List<Long> dims = new ArrayList<>();
        while (true) {
            skipWhitespace();
            if (peek() == ')') {
                position++;
                break;
            }
            int start = position;
            while (position < text.length() && Character.isDigit(text.charAt(position))) {
                position++;
            }
            if (start == position) {
                throw problem("the shape contains something other than non-negative integers at character "
                        + position + " of the header");
            }
            long dim;
            try {
                dim = Long.parseLong(text.substring(start, position));
            } catch (NumberFormatException e) {
                throw problem("shape dimension " + text.substring(start, position) + " is too large");
            }
            dims.add(dim);
            if (peek() == 'L') {
                position++;
            }
            skipWhitespace();
            if (peek() == ',') {
                position++;
            } else if (peek() != ')') {
                throw problem("expected ',' or ')' in the shape at character " + position + " of the header");
            }
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    private String quotedString() {
        skipWhitespace();
        char quote = peek();
        if (quote != '\'' && quote != '"') {
            throw problem("expected a quoted string at character " + position + " of the header");
        }
        int end = text.indexOf(quote, position + 1);
        if (end < 0) {
            throw problem("unterminated string in the header");
        }
        String value = text.substring(position + 1, end);
        position = end + 1;
        return value;
    }

    private void expect(char expected) {
        skipWhitespace();
        if (peek() != expected) {
            throw problem("expected '" + expected + "' at character " + position + " of the header");
        }
        position++;
    }

    private char peek() {
        if (position >= text.length()) {
            throw problem("the header dictionary ends early");
        }
        return text.charAt(position);
    }

    private void skipWhitespace() {
        while (position < text.length() && Character.isWhitespace(text.charAt(position))) {
            position++;
        }
    }

    private InvalidDataException problem(String message) {
        return new InvalidDataException(source + ": bad .npy header: " + message + " (header: "
                + text.strip() + ")");
    }
}
