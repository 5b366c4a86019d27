package facegen.nn.io;

import facegen.engine.io.WeightFileException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pickle (Python's {@code pickle} protocols 0 to 5) reader that builds data, never runs code: it knows the
 * opcodes for None, booleans, numbers, strings, bytes, tuples, lists, dicts and sets, and looks up globals
 * ({@code GLOBAL}, {@code STACK_GLOBAL}) only in the table its caller passes; any other global, and every
 * opcode that instantiates classes ({@code NEWOBJ}, {@code INST}, {@code OBJ}, extension codes) fails with the
 * name and position. {@code REDUCE} calls only the table's Java functions, {@code BUILD} only sets attributes of
 * dicts (which are dropped: OrderedDict's {@code _metadata}).
 *
 * <p>Python values map to: None to null, bool to Boolean, int to Long (BigInteger beyond 64 bits), float to
 * Double, str to String, bytes to byte[], tuple to {@link Tuple}, list to ArrayList, dict to LinkedHashMap, set
 * to LinkedHashSet.
 */
final class Pickle {

    /** A Python tuple (immutable, so distinct from a list). */
    record Tuple(List<Object> items) {}

    /** A Python global, {@code module.name}. */
    record Global(String module, String name) {
        @Override
        public String toString() {
            return module + "." + name;
        }
    }

    /** What {@code REDUCE} runs for an allowed callable: its result from the argument tuple. */
    @FunctionalInterface
    interface Callable {
        /** The value of calling the global with {@code args}. */
        Object call(Tuple args) throws WeightFileException;
    }

    /** Resolves persistent ids ({@code BINPERSID}) to objects, e.g. PyTorch's storages. */
    @FunctionalInterface
    interface PersistentLoader {
        /** The object {@code pid} stands for. */
        Object load(Object pid) throws WeightFileException;
    }

    private static final Object MARK = new Object();

    private final byte[] data;
    private final ByteBuffer b;
    private final String source;
    private final Map<Global, Object> globals;
    private final PersistentLoader persistentLoader;
    private Deque<Object> stack = new ArrayDeque<>();
    private final Deque<Deque<Object>> metastack = new ArrayDeque<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private int pos;

    private Pickle(byte[] data, String source, Map<Global, Object> globals, PersistentLoader persistentLoader) {
        this.data = data;
        this.b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        this.source = source;
        this.globals = globals;
        this.persistentLoader = persistentLoader;
    }

    /**
     * Unpickles {@code data}.
     *
     * @param globals          the only globals the pickle may name: each maps to a {@link Callable} (for REDUCE)
     *                         or to a constant marker object (classes passed as arguments, e.g. storage types)
     * @param persistentLoader resolves persistent ids; null = the pickle may not use them
     * @throws WeightFileException for malformed data, a refused global or a refused opcode
     */
    static Object load(byte[] data, String source, Map<Global, Object> globals, PersistentLoader persistentLoader)
            throws WeightFileException {
        try {
            return new Pickle(data, source, globals, persistentLoader).run();
        } catch (ClassCastException | IllegalArgumentException | ArithmeticException e) {
            throw new WeightFileException(source + ": malformed pickle: " + e.getMessage(), e);
        }
    }

    private Object run() throws WeightFileException {
        while (true) {
            int at = pos;
            int op = u8();
            switch (op) {
                case 0x80 -> {                                           // PROTO
                    int proto = u8();
                    if (proto > 5) {
                        throw fail(at, "unsupported pickle protocol " + proto);
                    }
                }
                case 0x95 -> bytes(8);                                   // FRAME: length only, data follows inline
                case '.' -> {                                            // STOP
                    Object v = pop(at);
                    return v;
                }
                case '(' -> {                                            // MARK
                    metastack.push(stack);
                    stack = new ArrayDeque<>();
                }
                case '0' -> pop(at);                                     // POP
                case '1' -> popMark(at);                                 // POP_MARK
                case '2' -> push(peek(at));                              // DUP
                case 'N' -> push(null);
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 'I' -> {                                            // INT (text); I01/I00 are booleans
                    String line = line();
                    push(line.equals("01") ? Boolean.TRUE : line.equals("00") ? Boolean.FALSE : parseInt(line, at));
                }
                case 'J' -> push((long) b.getInt(advance(4)));           // BININT
                case 'K' -> push((long) u8());                           // BININT1
                case 'M' -> push((long) (b.getShort(advance(2)) & 0xffff)); // BININT2
                case 'L' -> {                                            // LONG (text, trailing L)
                    String line = line();
                    push(parseInt(line.endsWith("L") ? line.substring(0, line.length() - 1) : line, at));
                }
                case 0x8a -> push(longFromBytes(bytes(u8())));           // LONG1
                case 0x8b -> push(longFromBytes(bytes(length(b.getInt(advance(4)) & 0xffffffffL, at)))); // LONG4
                case 'F' -> {                                            // FLOAT (text)
                    try {
                        push(Double.parseDouble(line()));
                    } catch (NumberFormatException e) {
                        throw fail(at, "bad float");
                    }
                }
                case 'G' -> push(ByteBuffer.wrap(bytes(8)).order(ByteOrder.BIG_ENDIAN).getDouble()); // BINFLOAT
                case 'S' -> push(quoted(line(), at));                    // STRING (protocol 0, repr)
                case 'T' -> push(latin1(bytes(length(b.getInt(advance(4)) & 0xffffffffL, at)))); // BINSTRING
                case 'U' -> push(latin1(bytes(u8())));                   // SHORT_BINSTRING
                case 'V' -> push(line());                                // UNICODE (raw-unicode-escape; ASCII here)
                case 'X' -> push(utf8(bytes(length(b.getInt(advance(4)) & 0xffffffffL, at)))); // BINUNICODE
                case 0x8c -> push(utf8(bytes(u8())));                    // SHORT_BINUNICODE
                case 0x8d -> push(utf8(bytes(length(b.getLong(advance(8)), at)))); // BINUNICODE8
                case 'B' -> push(bytes(length(b.getInt(advance(4)) & 0xffffffffL, at))); // BINBYTES
                case 'C' -> push(bytes(u8()));                           // SHORT_BINBYTES
                case 0x8e, 0x96 -> push(bytes(length(b.getLong(advance(8)), at))); // BINBYTES8, BYTEARRAY8
                case ')' -> push(new Tuple(List.of()));                  // EMPTY_TUPLE
                case 't' -> push(tuple(popMark(at)));                    // TUPLE
                case 0x85, 0x86, 0x87 -> {                               // TUPLE1, TUPLE2, TUPLE3
                    int n = op - 0x84;
                    Object[] items = new Object[n];
                    for (int i = n - 1; i >= 0; i--) {
                        items[i] = pop(at);
                    }
                    push(tuple(java.util.Arrays.asList(items)));
                }
                case ']' -> push(new ArrayList<>());                     // EMPTY_LIST
                case 'l' -> push(new ArrayList<>(popMark(at)));          // LIST
                case 'a' -> {                                            // APPEND
                    Object v = pop(at);
                    list(peek(at), at).add(v);
                }
                case 'e' -> {                                            // APPENDS
                    List<Object> items = popMark(at);
                    list(peek(at), at).addAll(items);
                }
                case '}' -> push(new LinkedHashMap<>());                 // EMPTY_DICT
                case 'd' -> {                                            // DICT
                    List<Object> items = popMark(at);
                    Map<Object, Object> map = new LinkedHashMap<>();
                    putAll(map, items, at);
                    push(map);
                }
                case 's' -> {                                            // SETITEM
                    Object v = pop(at);
                    Object k = pop(at);
                    dict(peek(at), at).put(key(k, at), v);
                }
                case 'u' -> {                                            // SETITEMS
                    List<Object> items = popMark(at);
                    putAll(dict(peek(at), at), items, at);
                }
                case 0x8f -> push(new LinkedHashSet<>());                // EMPTY_SET
                case 0x90 -> {                                           // ADDITEMS
                    List<Object> items = popMark(at);
                    if (!(peek(at) instanceof Set<?>)) {
                        throw fail(at, "ADDITEMS on a non-set");
                    }
                    @SuppressWarnings("unchecked")
                    Set<Object> set = (Set<Object>) peek(at);
                    for (Object item : items) {
                        set.add(key(item, at));
                    }
                }
                case 0x91 -> {                                           // FROZENSET
                    Set<Object> set = new LinkedHashSet<>();
                    for (Object item : popMark(at)) {
                        set.add(key(item, at));
                    }
                    push(set);
                }
                case 'p' -> memo.put(parseInt(line(), at).longValue(), peek(at)); // PUT
                case 'q' -> memo.put((long) u8(), peek(at));             // BINPUT
                case 'r' -> memo.put(b.getInt(advance(4)) & 0xffffffffL, peek(at)); // LONG_BINPUT
                case 0x94 -> memo.put((long) memo.size(), peek(at));     // MEMOIZE
                case 'g' -> push(memo(parseInt(line(), at).longValue(), at)); // GET
                case 'h' -> push(memo(u8(), at));                        // BINGET
                case 'j' -> push(memo(b.getInt(advance(4)) & 0xffffffffL, at)); // LONG_BINGET
                case 'c' -> {                                            // GLOBAL
                    String module = line();
                    String name = line();
                    push(global(new Global(module, name), at));
                }
                case 0x93 -> {                                           // STACK_GLOBAL
                    Object name = pop(at);
                    Object module = pop(at);
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw fail(at, "STACK_GLOBAL needs two strings");
                    }
                    push(global(new Global(m, n), at));
                }
                case 'R' -> {                                            // REDUCE
                    Object args = pop(at);
                    Object callable = pop(at);
                    if (!(callable instanceof Callable c) || !(args instanceof Tuple t)) {
                        throw fail(at, "REDUCE of something that is not an allowed callable with a tuple of arguments");
                    }
                    push(c.call(t));
                }
                case 'b' -> {                                            // BUILD
                    Object state = pop(at);
                    if (!(peek(at) instanceof Map<?, ?>)) {
                        throw fail(at, "BUILD (setting object state) is only accepted on dicts");
                    }
                    if (!(state instanceof Map<?, ?>) && !(state instanceof Tuple) && state != null) {
                        throw fail(at, "BUILD with a state that is neither a dict nor a tuple");
                    }
                }
                case 'Q', 'P' -> {                                       // BINPERSID, PERSID
                    Object pid = op == 'Q' ? pop(at) : line();
                    if (persistentLoader == null) {
                        throw fail(at, "persistent ids are not allowed here");
                    }
                    push(persistentLoader.load(pid));
                }
                case 0x81, 0x92, 'i', 'o', 0x82, 0x83, 0x84 -> throw fail(at, "opcode 0x" + Integer.toHexString(op)
                        + " would instantiate a class; refused (this loader only builds tensors, dicts and primitives)");
                case 0x97, 0x98 -> throw fail(at, "out-of-band buffers are not supported");
                default -> throw fail(at, "unknown opcode 0x" + Integer.toHexString(op));
            }
        }
    }

    private Object global(Global g, int at) throws WeightFileException {
        Object v = globals.get(g);
        if (v == null) {
            throw new WeightFileException(source + ": refusing to load global '" + g + "' (byte " + at + " of the pickle):"
                    + " only tensors, (ordered) dicts, lists and primitives are accepted, and no code is ever run."
                    + " Save just the state dicts, e.g. torch.save({'g_ema': ckpt['g_ema']}, path)");
        }
        return v;
    }

    private static Tuple tuple(List<Object> items) {
        return new Tuple(java.util.Collections.unmodifiableList(new ArrayList<>(items)));
    }

    private void putAll(Map<Object, Object> map, List<Object> items, int at) throws WeightFileException {
        if (items.size() % 2 != 0) {
            throw fail(at, "odd number of items for a dict");
        }
        for (int i = 0; i < items.size(); i += 2) {
            map.put(key(items.get(i), at), items.get(i + 1));
        }
    }

    /** Dict keys and set items must be hashable primitives (this also keeps hashing away from cyclic data). */
    private Object key(Object k, int at) throws WeightFileException {
        if (k == null || k instanceof String || k instanceof Long || k instanceof Boolean || k instanceof Double
                || k instanceof BigInteger) {
            return k;
        }
        throw fail(at, "dict keys must be strings or numbers, got a " + typeName(k));
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o, int at) throws WeightFileException {
        if (!(o instanceof List<?>)) {
            throw fail(at, "APPEND to a " + typeName(o));
        }
        return (List<Object>) o;
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object o, int at) throws WeightFileException {
        if (!(o instanceof Map<?, ?>)) {
            throw fail(at, "SETITEM on a " + typeName(o));
        }
        return (Map<Object, Object>) o;
    }

    private Object memo(long key, int at) throws WeightFileException {
        if (!memo.containsKey(key)) {
            throw fail(at, "memo key " + key + " was never stored");
        }
        return memo.get(key);
    }

    private void push(Object o) {
        stack.push(o == null ? NullValue.NULL : o);
    }

    private Object pop(int at) throws WeightFileException {
        if (stack.isEmpty()) {
            throw fail(at, "stack underflow");
        }
        Object o = stack.pop();
        return o == NullValue.NULL ? null : o;
    }

    private Object peek(int at) throws WeightFileException {
        if (stack.isEmpty()) {
            throw fail(at, "stack underflow");
        }
        Object o = stack.peek();
        return o == NullValue.NULL ? null : o;
    }

    /** The items pushed since the last MARK, oldest first; the stack before the MARK is restored. */
    private List<Object> popMark(int at) throws WeightFileException {
        if (metastack.isEmpty()) {
            throw fail(at, "no MARK to pop to");
        }
        List<Object> items = new ArrayList<>(stack.size());
        while (!stack.isEmpty()) {
            Object o = stack.pollLast();
            items.add(o == NullValue.NULL ? null : o);
        }
        stack = metastack.pop();
        return items;
    }

    /** ArrayDeque holds no nulls: None travels as this marker. */
    private enum NullValue { NULL }

    private int u8() throws WeightFileException {
        return bytes(1)[0] & 0xff;
    }

    private int advance(int n) throws WeightFileException {
        if (n > data.length - pos) {
            throw fail(pos, "truncated pickle");
        }
        int at = pos;
        pos += n;
        return at;
    }

    private byte[] bytes(int n) throws WeightFileException {
        int at = advance(n);
        return java.util.Arrays.copyOfRange(data, at, at + n);
    }

    private int length(long n, int at) throws WeightFileException {
        if (n < 0 || n > data.length - pos) {
            throw fail(at, "length " + n + " runs past the end of the pickle (truncated)");
        }
        return (int) n;
    }

    private String line() throws WeightFileException {
        int start = pos;
        while (pos < data.length && data[pos] != '\n') {
            pos++;
        }
        if (pos >= data.length) {
            throw fail(start, "truncated pickle (unterminated line)");
        }
        String s = new String(data, start, pos - start, StandardCharsets.UTF_8);
        pos++;
        return s;
    }

    private Long parseInt(String s, int at) throws WeightFileException {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            throw fail(at, "bad integer");
        }
    }

    private static Object longFromBytes(byte[] littleEndian) {
        if (littleEndian.length == 0) {
            return 0L;
        }
        byte[] bigEndian = new byte[littleEndian.length];
        for (int i = 0; i < bigEndian.length; i++) {
            bigEndian[i] = littleEndian[littleEndian.length - 1 - i];
        }
        BigInteger v = new BigInteger(bigEndian);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private String quoted(String s, int at) throws WeightFileException {
        if (s.length() < 2 || (s.charAt(0) != '\'' && s.charAt(0) != '"') || s.charAt(s.length() - 1) != s.charAt(0)) {
            throw fail(at, "STRING argument is not quoted");
        }
        return s.substring(1, s.length() - 1);
    }

    private static String latin1(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** A short type name for messages (never prints values: they may be huge or cyclic). */
    static String typeName(Object o) {
        return switch (o) {
            case null -> "None";
            case String _ -> "str";
            case Long _, BigInteger _ -> "int";
            case Double _ -> "float";
            case Boolean _ -> "bool";
            case byte[] _ -> "bytes";
            case Tuple _ -> "tuple";
            case List<?> _ -> "list";
            case Map<?, ?> _ -> "dict";
            case Set<?> _ -> "set";
            default -> o.getClass().getSimpleName();
        };
    }

    private WeightFileException fail(int at, String what) {
        return new WeightFileException(source + ": " + what + " (byte " + at + " of the pickle)");
    }
}
