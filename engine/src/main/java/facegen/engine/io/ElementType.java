package facegen.engine.io;

import java.nio.ByteBuffer;

/**
 * The element type of a stored tensor, with its spelling in each file format we read: safetensors' dtype
 * ("F32"), NumPy's type code without byte order ("f4") and PyTorch's typed-storage class ("FloatStorage").
 * Values travel as doubles (exact for every type here except 64-bit integers beyond 2^53).
 */
public enum ElementType {
    /** IEEE binary64. */
    F64("F64", "f8", "DoubleStorage", 8),
    /** IEEE binary32, the cpu backend's type. */
    F32("F32", "f4", "FloatStorage", 4),
    /** IEEE binary16. */
    F16("F16", "f2", "HalfStorage", 2),
    /** bfloat16: the upper half of a binary32. */
    BF16("BF16", null, "BFloat16Storage", 2),
    /** Signed 64-bit integer. */
    I64("I64", "i8", "LongStorage", 8),
    /** Signed 32-bit integer. */
    I32("I32", "i4", "IntStorage", 4),
    /** Signed 16-bit integer. */
    I16("I16", "i2", "ShortStorage", 2),
    /** Signed 8-bit integer. */
    I8("I8", "i1", "CharStorage", 1),
    /** Unsigned 64-bit integer. */
    U64("U64", "u8", null, 8),
    /** Unsigned 32-bit integer. */
    U32("U32", "u4", null, 4),
    /** Unsigned 16-bit integer. */
    U16("U16", "u2", null, 2),
    /** Unsigned 8-bit integer (image pixels). */
    U8("U8", "u1", "ByteStorage", 1),
    /** Boolean, one byte, 0 or 1. */
    BOOL("BOOL", "b1", "BoolStorage", 1);

    private final String safetensorsName;
    private final String numpyCode;
    private final String torchStorage;
    private final int bytes;

    ElementType(String safetensorsName, String numpyCode, String torchStorage, int bytes) {
        this.safetensorsName = safetensorsName;
        this.numpyCode = numpyCode;
        this.torchStorage = torchStorage;
        this.bytes = bytes;
    }

    /** Size of one element in bytes. */
    public int bytes() {
        return bytes;
    }

    /** The dtype string of safetensors headers ("F32"). */
    public String safetensorsName() {
        return safetensorsName;
    }

    /** The type of safetensors dtype {@code name}, or null when we do not know it. */
    public static ElementType fromSafetensors(String name) {
        for (ElementType t : values()) {
            if (t.safetensorsName.equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** The type of NumPy code {@code code} ("f4", "u1"; no byte-order character), or null. */
    public static ElementType fromNumpy(String code) {
        for (ElementType t : values()) {
            if (code.equals(t.numpyCode)) {
                return t;
            }
        }
        return null;
    }

    /** NumPy's code for this type ("f4"), or null for bfloat16, which NumPy lacks. */
    public String numpyCode() {
        return numpyCode;
    }

    /** The type of PyTorch typed-storage class {@code className} ("FloatStorage"), or null. */
    public static ElementType fromTorchStorage(String className) {
        for (ElementType t : values()) {
            if (className.equals(t.torchStorage)) {
                return t;
            }
        }
        return null;
    }

    /** Element {@code index} of {@code buffer} (whose byte order the caller set) as a double. */
    public double read(ByteBuffer buffer, int index) {
        int at = index * bytes;
        return switch (this) {
            case F64 -> buffer.getDouble(at);
            case F32 -> buffer.getFloat(at);
            case F16 -> Float.float16ToFloat(buffer.getShort(at));
            case BF16 -> Float.intBitsToFloat((buffer.getShort(at) & 0xffff) << 16);
            case I64 -> buffer.getLong(at);
            case I32 -> buffer.getInt(at);
            case I16 -> buffer.getShort(at);
            case I8 -> buffer.get(at);
            case U64 -> unsigned(buffer.getLong(at));
            case U32 -> buffer.getInt(at) & 0xffffffffL;
            case U16 -> buffer.getShort(at) & 0xffff;
            case U8 -> buffer.get(at) & 0xff;
            case BOOL -> buffer.get(at) != 0 ? 1 : 0;
        };
    }

    /**
     * Writes {@code value} as element {@code index} of {@code buffer}: floats round to nearest, integers
     * truncate toward zero (the caller stores integers as integers).
     */
    public void write(ByteBuffer buffer, int index, double value) {
        int at = index * bytes;
        switch (this) {
            case F64 -> buffer.putDouble(at, value);
            case F32 -> buffer.putFloat(at, (float) value);
            case F16 -> buffer.putShort(at, Float.floatToFloat16((float) value));
            case BF16 -> buffer.putShort(at, bfloat16((float) value));
            case I64, U64 -> buffer.putLong(at, (long) value);
            case I32, U32 -> buffer.putInt(at, (int) (long) value);
            case I16, U16 -> buffer.putShort(at, (short) (long) value);
            case I8, U8 -> buffer.put(at, (byte) (long) value);
            case BOOL -> buffer.put(at, (byte) (value != 0 ? 1 : 0));
        }
    }

    /** Rounds to the nearest bfloat16, ties to even (NaN stays NaN). */
    private static short bfloat16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
    }

    private static double unsigned(long v) {
        return v >= 0 ? v : (double) (v >>> 1) * 2 + (v & 1);
    }
}
