import NeuroloomAPI

extension MemoryLimits {
    /// Validates content: 1…`maxContentBytes` UTF-8 bytes, not only whitespace.
    func validContent(_ content: String, field: String = "content") throws(StoreError) -> String {
        let size = content.utf8.count
        guard size > 0, content.contains(where: { !$0.isWhitespace }) else {
            throw .invalid(field: field, message: "must not be empty")
        }
        guard size <= maxContentBytes else {
            throw .invalid(field: field, message: "must be at most \(maxContentBytes) bytes of UTF-8 (got \(size))")
        }
        return content
    }

    /// Validates metadata (an object, at most `maxMetadataDepth` deep and `maxMetadataBytes` encoded)
    /// and returns its canonical encoding. `nil` means an empty object.
    func validMetadata(_ metadata: JSONValue?, field: String = "metadata") throws(StoreError) -> [UInt8] {
        guard let metadata else { return Array("{}".utf8) }
        guard case .object = metadata else { throw .invalid(field: field, message: "must be a JSON object") }
        guard metadata.depth <= maxMetadataDepth else {
            throw .invalid(field: field, message: "must be nested at most \(maxMetadataDepth) levels deep")
        }
        let encoded = JSONWriter.encode(metadata)
        guard encoded.count <= maxMetadataBytes else {
            throw .invalid(field: field, message: "must be at most \(maxMetadataBytes) bytes when encoded (got \(encoded.count))")
        }
        return encoded
    }

    /// Validates a page size: `nil` is the default; otherwise 1…`maxPageSize`.
    func validPageSize(_ limit: Int?) throws(StoreError) -> Int {
        guard let limit else { return defaultPageSize }
        guard (1...maxPageSize).contains(limit) else {
            throw .invalid(field: "limit", message: "must be between 1 and \(maxPageSize)")
        }
        return limit
    }
}

/// The opaque listing cursor: the id of the last memory on the previous page, base64url encoded with
/// a version byte. Clients must treat it as opaque.
enum ListCursor {
    static func encode(_ id: MemoryID) -> String {
        base64URL([1] + id.ulid.bytes)
    }

    static func decode(_ text: String) throws(StoreError) -> MemoryID {
        guard let bytes = fromBase64URL(text), bytes.count == 17, bytes[0] == 1 else {
            throw .invalid(field: "cursor", message: "is not a cursor returned by this API")
        }
        return MemoryID(ulid: ULID(bytes: bytes[1...]))  // 16 bytes: the guard checked 17
    }

    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func base64URL(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value: UInt32 = 0
            for (offset, byte) in chunk.enumerated() { value |= UInt32(byte) << (16 - 8 * offset) }
            let characters = chunk.count + 1
            for position in 0..<characters { out.append(alphabet[Int((value >> (18 - 6 * position)) & 63)]) }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func fromBase64URL(_ text: String) -> [UInt8]? {
        var values: [UInt8] = []
        for byte in text.utf8 {
            guard let index = alphabet.firstIndex(of: byte) else { return nil }
            values.append(UInt8(index))
        }
        guard values.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        var index = 0
        while index < values.count {
            let chunk = values[index..<min(index + 4, values.count)]
            var value: UInt32 = 0
            for (offset, sextet) in chunk.enumerated() { value |= UInt32(sextet) << (18 - 6 * offset) }
            for position in 0..<(chunk.count - 1) { out.append(UInt8(truncatingIfNeeded: value >> (16 - 8 * position))) }
            index += 4
        }
        // Canonical form only: re-encoding must give the same text.
        return base64URL(out) == text ? out : nil
    }
}
