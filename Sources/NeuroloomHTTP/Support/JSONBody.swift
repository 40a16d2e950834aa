import Hummingbird
import NeuroloomAPI
import NeuroloomStore
import NIOCore

/// Reads a request's JSON object body strictly: JSON content type (415 otherwise), at most the
/// body limit (413, without buffering more), valid UTF-8 JSON (400), an object with no unknown
/// members (400 naming the member).
enum JSONBody {
    static func read(_ request: Request, limit: Int, allowed: Set<String>) async throws -> JSONArguments {
        guard let contentType = request.headers[.contentType], JSONBody.isJSON(contentType) else {
            throw APIError.unsupportedMediaType
        }
        let buffer = try await request.body.collect(upTo: limit)
        let value: JSONValue
        do {
            value = try JSONParser.parse(buffer.readableBytesView)
        } catch {
            throw APIError(status: .badRequest, code: "invalid_request", message: "The body is not valid JSON: \(error).")
        }
        guard case .object(let members) = value else { throw APIError.invalid("body", "must be a JSON object") }
        return try JSONArguments(members: members, allowed: allowed)
    }

    static func isJSON(_ contentType: String) -> Bool {
        let mediaType = String(contentType.split(separator: ";", maxSplits: 1).first ?? "").trimmingSpaces().lowercased()
        return mediaType == "application/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json"))
    }
}

/// The members of a JSON object given to an operation (a REST body or MCP tool arguments).
/// Accessors check types and name the field in their errors.
public struct JSONArguments: Sendable {
    public let members: [String: JSONValue]
    /// Prefix for field names in errors (`memories[2].`).
    let fieldPrefix: String

    /// Fails with a 400 naming the first member not in `allowed`.
    public init(members: [String: JSONValue], allowed: Set<String>, fieldPrefix: String = "") throws {
        if let unknown = members.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw APIError.invalid(fieldPrefix + unknown, "is not a known field")
        }
        self.members = members
        self.fieldPrefix = fieldPrefix
    }

    func has(_ field: String) -> Bool { members[field].map { $0 != .null } ?? false }

    func string(_ field: String, required: Bool = false) throws -> String? {
        switch members[field] {
        case .none, .some(.null):
            if required { throw APIError.invalid(fieldPrefix + field, "is required") }
            return nil
        case .some(.string(let text)): return text
        case .some: throw APIError.invalid(fieldPrefix + field, "must be a string")
        }
    }

    func integer(_ field: String) throws -> Int? {
        switch members[field] {
        case .none, .some(.null): return nil
        case .some(.integer(let value)): return Int(exactly: value) ?? Int.max
        case .some(.number(let value)) where value == value.rounded() && abs(value) < 1e15: return Int(value)
        case .some: throw APIError.invalid(fieldPrefix + field, "must be an integer")
        }
    }

    func number(_ field: String) throws -> Double? {
        switch members[field] {
        case .none, .some(.null): return nil
        case .some(let value):
            guard let number = value.doubleValue else { throw APIError.invalid(fieldPrefix + field, "must be a number") }
            return number
        }
    }

    /// Any JSON value except null (metadata and filters are checked further by the store).
    func value(_ field: String) -> JSONValue? {
        switch members[field] {
        case .none, .some(.null): return nil
        case .some(let value): return value
        }
    }

    func array(_ field: String, required: Bool = false) throws -> [JSONValue]? {
        switch members[field] {
        case .none, .some(.null):
            if required { throw APIError.invalid(fieldPrefix + field, "is required") }
            return nil
        case .some(.array(let items)): return items
        case .some: throw APIError.invalid(fieldPrefix + field, "must be an array")
        }
    }
}

extension String {
    func trimmingSpaces() -> String {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return String(text)
    }
}
