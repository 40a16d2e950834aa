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
        let header: SafetensorsHeader
        do {
            header = try JSONDecoder().decode(Decoded.self, from: json).header
        } catch let error as DecodingError {
            throw .invalidHeader(reason: describe(error))
        } catch {
            throw .invalidHeader(reason: "\(error)")
        }
        if let key = duplicateKey(in: Array(json)) { throw .invalidHeader(reason: "duplicate key \"\(key)\"") }
        return header
    }

    /// The first key that an object of `json` (JSON the decoder accepted) has twice, or `nil`.
    ///
    /// Readers disagree on duplicates — `JSONDecoder` keeps the first, `JSONSerialization` and
    /// the reference implementation's serde the last — so a header with two entries of one name
    /// would name different tensors to different tools: it is refused. (Found by fuzzing.)
    static func duplicateKey(in json: [UInt8]) -> String? {
        enum Container { case object(Set<String>), array }
        var stack: [Container] = []
        var expectingKey = false
        var index = 0
        while index < json.count {
            switch json[index] {
            case 0x22:  // a string: find its closing quote, stepping over escapes
                var end = index + 1
                while end < json.count, json[end] != 0x22 { end += json[end] == 0x5C ? 2 : 1 }
                guard end < json.count else { return nil }
                if expectingKey, case .object(var keys)? = stack.last {
                    let literal = Data(json[index...end])
                    let key = (try? JSONSerialization.jsonObject(with: literal, options: [.fragmentsAllowed])) as? String
                        ?? String(decoding: json[(index + 1)..<end], as: UTF8.self)
                    guard keys.insert(key).inserted else { return key }
                    stack[stack.count - 1] = .object(keys)
                    expectingKey = false
                }
                index = end
            case 0x7B: stack.append(.object([])); expectingKey = true  // {
            case 0x5B: stack.append(.array); expectingKey = false  // [
            case 0x7D, 0x5D: if !stack.isEmpty { stack.removeLast() }; expectingKey = false  // } ]
            case 0x2C: if case .object? = stack.last { expectingKey = true } else { expectingKey = false }  // ,
            default: break
            }
            index += 1
        }
        return nil
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
