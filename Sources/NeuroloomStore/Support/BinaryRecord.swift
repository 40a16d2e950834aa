/// Minimal length-prefixed binary encoding for records on the hot path (memories, keys).
/// Integers are big-endian; strings and byte blobs carry a UInt32 length.
/// Every record starts with a format version byte so later releases can migrate.
struct BinaryWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 64) { bytes.reserveCapacity(capacity) }

    mutating func write(_ value: UInt8) { bytes.append(value) }

    mutating func write(_ value: Int64) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func write(_ value: UInt32) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func write(_ value: Timestamp?) {
        if let value { write(UInt8(1)); write(value.millisecondsSinceEpoch) } else { write(UInt8(0)) }
    }

    mutating func write(_ value: Timestamp) { write(value.millisecondsSinceEpoch) }

    mutating func write(_ text: String) { write(bytes: Array(text.utf8)) }

    mutating func write(bytes blob: some Collection<UInt8>) {
        write(UInt32(blob.count))
        bytes.append(contentsOf: blob)
    }
}

/// Reads what ``BinaryWriter`` wrote; every read is bounds-checked and throws ``StoreError/corruptRecord``.
struct BinaryReader {
    private let bytes: UnsafeRawBufferPointer
    private var offset = 0
    private let what: String

    init(_ bytes: UnsafeRawBufferPointer, what: String) {
        self.bytes = bytes
        self.what = what
    }

    var isAtEnd: Bool { offset == bytes.count }

    private mutating func take(_ count: Int) throws -> UnsafeRawBufferPointer {
        guard count >= 0, offset + count <= bytes.count else { throw StoreError.corruptRecord(what) }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
    }

    mutating func readByte() throws -> UInt8 { try take(1)[0] }

    mutating func readInt64() throws -> Int64 {
        let raw = try take(8)
        var value: Int64 = 0
        withUnsafeMutableBytes(of: &value) { $0.copyMemory(from: raw) }
        return Int64(bigEndian: value)
    }

    mutating func readUInt32() throws -> UInt32 {
        let raw = try take(4)
        var value: UInt32 = 0
        withUnsafeMutableBytes(of: &value) { $0.copyMemory(from: raw) }
        return UInt32(bigEndian: value)
    }

    mutating func readTimestamp() throws -> Timestamp { Timestamp(millisecondsSinceEpoch: try readInt64()) }

    mutating func readOptionalTimestamp() throws -> Timestamp? {
        switch try readByte() {
        case 0: return nil
        case 1: return try readTimestamp()
        default: throw StoreError.corruptRecord(what)
        }
    }

    mutating func readBytes() throws -> UnsafeRawBufferPointer { try take(Int(try readUInt32())) }

    mutating func readString() throws -> String {
        let raw = try readBytes()
        guard let text = String(validating: raw, as: UTF8.self) else { throw StoreError.corruptRecord(what) }
        return text
    }

    mutating func readRemaining() -> UnsafeRawBufferPointer {
        defer { offset = bytes.count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset...])
    }
}
