import Foundation

/// The JSON header of a safetensors file, decoded but not yet checked against the data section.
struct SafetensorsHeader {
    struct Entry: Decodable {
        let dtype: String
        let shape: [Int]
        let dataOffsets: [Int]

        enum CodingKeys: String, CodingKey {
            case dtype, shape
            case dataOffsets = "data_offsets"
        }
    }

    var tensors: [String: Entry] = [:]
    var metadata: [String: String] = [:]

    static func decode(_ json: Data) throws(SafetensorsError) -> SafetensorsHeader {
        do {
            return try JSONDecoder().decode(Decoded.self, from: json).header
        } catch let error as DecodingError {
            throw .invalidHeader(reason: describe(error))
        } catch {
            throw .invalidHeader(reason: "\(error)")
        }
    }

    /// Decodes the top-level object: `__metadata__` as a string map, every other key as a tensor.
    private struct Decoded: Decodable {
        var header = SafetensorsHeader()

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            for key in container.allKeys {
                if key.stringValue == "__metadata__" {
                    header.metadata = try container.decode([String: String].self, forKey: key)
                } else {
                    header.tensors[key.stringValue] = try container.decode(Entry.self, forKey: key)
                }
            }
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map(\.stringValue).joined(separator: ".")
            return keys.isEmpty ? "" : " at \(keys)"
        }
        switch error {
        case let .dataCorrupted(context):
            return "not valid JSON\(path(context))"
        case let .keyNotFound(key, context):
            return "missing \"\(key.stringValue)\"\(path(context))"
        case let .typeMismatch(_, context), let .valueNotFound(_, context):
            return "\(context.debugDescription)\(path(context))"
        @unknown default:
            return "\(error)"
        }
    }
}
