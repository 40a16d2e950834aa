/// How a Swift value becomes the bytes of an LMDB key or value, and back.
///
/// Encoders hand out a temporary buffer (no copy where the value already owns contiguous bytes);
/// decoders copy out of LMDB's memory map, because those bytes are valid only inside the transaction.
public protocol ByteCodec {
    associatedtype Value
    static func withBytes<R>(of value: Value, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
    static func decode(_ bytes: UnsafeRawBufferPointer) throws -> Value
}

/// Bytes as they are.
public enum RawBytes: ByteCodec {
    public static func withBytes<R>(of value: [UInt8], _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try value.withUnsafeBytes(body)
    }
    public static func decode(_ bytes: UnsafeRawBufferPointer) -> [UInt8] { Array(bytes) }
}

/// A string as its UTF-8 bytes. Decoding repairs invalid UTF-8 (it cannot occur in data written here).
public enum UTF8Text: ByteCodec {
    public static func withBytes<R>(of value: String, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var value = value
        return try value.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
    }
    public static func decode(_ bytes: UnsafeRawBufferPointer) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}

/// An unsigned 64-bit integer, big-endian, so that LMDB's byte order is numeric order.
public enum BigEndianUInt64: ByteCodec {
    public static func withBytes<R>(of value: UInt64, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var bigEndian = value.bigEndian
        return try withUnsafeBytes(of: &bigEndian, body)
    }
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws -> UInt64 {
        guard bytes.count == 8 else { throw LMDBError.badValueSize }
        var value: UInt64 = 0
        withUnsafeMutableBytes(of: &value) { $0.copyMemory(from: bytes) }
        return UInt64(bigEndian: value)
    }
}

/// An empty value, for sets and index entries whose key carries all the information.
public enum EmptyValue: ByteCodec {
    public static func withBytes<R>(of value: Void, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: nil, count: 0))
    }
    public static func decode(_ bytes: UnsafeRawBufferPointer) {}
}
