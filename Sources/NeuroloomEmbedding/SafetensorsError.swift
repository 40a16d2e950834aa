/// Why a safetensors file could not be read, or a tensor could not be taken from it.
///
/// Every malformed input (truncated, garbage, inconsistent header) ends in one of these cases,
/// never in a crash.
public enum SafetensorsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be read at all (missing, a directory, permissions).
    case unreadable(path: String, reason: String)
    /// Fewer than the 8 bytes of the header length.
    case truncatedPrefix(size: Int)
    /// The header length is larger than the file (or than the 100 MB limit safetensors sets).
    case headerTooLarge(length: UInt64, available: Int)
    /// The header is not a JSON object of tensor entries (with an optional `__metadata__`).
    case invalidHeader(reason: String)
    /// One tensor's entry is inconsistent: byte range, shape and dtype do not agree, or the ranges
    /// do not tile the data section.
    case invalidTensor(name: String, reason: String)
    /// No tensor of that name.
    case tensorNotFound(name: String)
    /// The tensor exists but is not of the requested dtype.
    case unexpectedDType(name: String, expected: String, actual: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            return "safetensors: cannot read \(path): \(reason)"
        case let .truncatedPrefix(size):
            return "safetensors: file too short (\(size) bytes; at least 8 are needed for the header length)"
        case let .headerTooLarge(length, available):
            return "safetensors: header length \(length) exceeds the \(available) bytes available (truncated or not a safetensors file)"
        case let .invalidHeader(reason):
            return "safetensors: invalid header: \(reason)"
        case let .invalidTensor(name, reason):
            return "safetensors: tensor \"\(name)\": \(reason)"
        case let .tensorNotFound(name):
            return "safetensors: no tensor named \"\(name)\""
        case let .unexpectedDType(name, expected, actual):
            return "safetensors: tensor \"\(name)\" has dtype \(actual), expected \(expected)"
        }
    }
}
