import Foundation
import NeuroloomEmbedding
import NeuroloomTestSupport
import PropertyBased
import Testing

/// Fuzzing the safetensors reader, which reads a model file it must not trust: valid files of
/// every dtype and shape are read back exactly; edited files (header or whole file) are accepted
/// exactly when a reference check of the format, over Foundation's `JSONSerialization`, accepts
/// them — and reading any tensor of an accepted file stays inside the file.
@Suite struct SafetensorsFuzzTests {
    @Test func generatedFilesAreReadBackExactly() async {
        await fuzz("safetensors.generated", count: 5_000, make: { rng in RandomSafetensors.file(using: &rng) }) { file in
            do {
                let parsed = try SafetensorsFile(data: file.bytes)
                #expect(Self.summary(parsed) == Self.summary(file.tensors))
                #expect(parsed.metadata == file.metadata)
                for tensor in file.tensors where tensor.dtype == "F32" {
                    let read = try parsed.float32Tensor(named: tensor.name)
                    #expect(read.shape == tensor.shape)
                    #expect(read.scalars.withUnsafeBytes { Array($0) } == Array(file.bytes[(file.dataStart + tensor.range.lowerBound)..<(file.dataStart + tensor.range.upperBound)]))
                }
            } catch {
                Issue.record("a valid file was refused: \(error)")
            }
        }
    }

    @Test func editedFilesAreAcceptedExactlyWhenTheReferenceAcceptsThem() async {
        await fuzz("safetensors.edited", count: 15_000, make: { rng -> Data in
            let file = RandomSafetensors.file(using: &rng)
            if Int.random(in: 0..<4, using: &rng) == 0 {
                return Data(ByteMutations.mutate(Array(file.bytes), edits: 1...3, alphabet: RandomSafetensors.alphabet, using: &rng))
            }
            // Edit the header only, keeping its length prefix right, so the JSON is what is tested.
            let header = Array(file.bytes[8..<file.dataStart])
            let edited = ByteMutations.mutate(header, edits: 1...3, alphabet: RandomSafetensors.alphabet, using: &rng)
            return RandomSafetensors.assemble(header: edited, payload: Array(file.bytes[file.dataStart...]))
        }) { bytes in
            let parsed = try? SafetensorsFile(data: bytes)
            if let parsed {
                // Whatever was accepted can be read, every tensor, inside the file.
                for name in parsed.tensorNames where parsed.tensors[name]?.dtype == "F32" {
                    #expect(throws: Never.self) { _ = try parsed.float32Tensor(named: name) }
                }
            }
            guard let reference = ReferenceSafetensors.check(bytes) else { return }  // outside what the reference decides
            #expect((parsed != nil) == (reference != nil), "\(String(decoding: bytes.prefix(300), as: UTF8.self).debugDescription)")
            if let parsed, let reference { #expect(Self.summary(parsed) == reference) }
        }
    }

    /// Found by the fuzzer: `JSONDecoder` took the first of two entries of one name, Foundation's
    /// `JSONSerialization` (and the reference implementation) the last.
    @Test func aHeaderNamingATensorTwiceIsRefused() {
        for second in [#""a""#, #""\u0061""#] {
            let header = #"{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"# + second + #":{"dtype":"U8","shape":[0],"data_offsets":[1,1]}}"#
            #expect(throws: SafetensorsError.invalidHeader(reason: #"duplicate key "a""#)) {
                try SafetensorsFile(data: SafetensorsBuilder.file(header: header, payloadBytes: 1))
            }
        }
        let nested = #"{"a":{"dtype":"U8","dtype":"F32","shape":[1],"data_offsets":[0,1]}}"#
        #expect(throws: SafetensorsError.invalidHeader(reason: #"duplicate key "dtype""#)) {
            try SafetensorsFile(data: SafetensorsBuilder.file(header: nested, payloadBytes: 1))
        }
    }

    static func summary(_ file: SafetensorsFile) -> [String] {
        file.tensors.values.map { "\($0.name) \($0.dtype) \($0.shape) \($0.dataOffsets)" }.sorted()
    }

    static func summary(_ tensors: [RandomSafetensors.Tensor]) -> [String] {
        tensors.map { "\($0.name) \($0.dtype) \($0.shape) \($0.range)" }.sorted()
    }
}

enum RandomSafetensors {
    static let sizes: [String: Int] = ["F32": 4, "F16": 2, "BF16": 2, "I64": 8, "U8": 1, "BOOL": 1, "F64": 8]
    static let alphabet = Array(#"{}[],:"0123456789-_ adtypeshaF32I6U8data_offsets__metadata__"#.utf8)

    struct Tensor: Sendable {
        var name: String
        var dtype: String
        var shape: [Int]
        var range: Range<Int>
    }

    struct File: Sendable {
        var bytes: Data
        var dataStart: Int
        var tensors: [Tensor]
        var metadata: [String: String]
    }

    static func file(using rng: inout some RandomNumberGenerator) -> File {
        var tensors: [Tensor] = []
        var offset = 0
        for index in 0..<Int.random(in: 0...4, using: &rng) {
            let dtype = sizes.keys.sorted().randomElement(using: &rng)!
            let shape = (0..<Int.random(in: 0...3, using: &rng)).map { _ in Int.random(in: 0...4, using: &rng) }
            let count = shape.reduce(1, *) * sizes[dtype]!
            tensors.append(Tensor(name: ["w", "b", "layer.\(index)", "é"][Int.random(in: 0..<4, using: &rng)] + "\(index)",
                                  dtype: dtype, shape: shape, range: offset..<(offset + count)))
            offset += count
        }
        // Entries in a random order: only the offsets say where the data is.
        tensors.shuffle(using: &rng)
        var header: [String: Any] = [:]
        for tensor in tensors {
            header[tensor.name] = ["dtype": tensor.dtype, "shape": tensor.shape, "data_offsets": [tensor.range.lowerBound, tensor.range.upperBound]]
        }
        let metadata = Bool.random(using: &rng) ? ["format": "pt"] : [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        let json = (try? JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])) ?? Data("{}".utf8)
        let payload = ByteMutations.random(count: offset...offset, using: &rng)
        return File(bytes: assemble(header: Array(json), payload: payload), dataStart: 8 + json.count, tensors: tensors, metadata: metadata)
    }

    static func assemble(header: [UInt8], payload: [UInt8]) -> Data {
        var data = Data()
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: header)
        data.append(contentsOf: payload)
        return data
    }
}

/// The safetensors format checked on its own: the header read with `JSONSerialization`, then
/// every rule of the format (known dtype, two offsets inside the data, shape × element size equals
/// the range, ranges tiling the data section). `nil` when the header holds something the two JSON
/// readers are not comparable on (a fraction, an exponent, `true`/`false`, which Foundation would
/// bridge to a number); otherwise `.some(nil)` for a refusal or the accepted tensors' summary.
enum ReferenceSafetensors {
    static func check(_ data: Data) -> [String]?? {
        let bytes = Array(data)
        guard bytes.count >= 8 else { return .some(nil) }
        let length = bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard length <= UInt64(bytes.count - 8), length <= 100_000_000 else { return .some(nil) }
        let header = Array(bytes[8..<(8 + Int(length))])
        guard comparable(header) else { return nil }
        // Two members of one name in an object: Foundation keeps the last, other readers the first.
        guard !repeatsAKey(header) else { return .some(nil) }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(header), options: [.fragmentsAllowed])) as? [String: Any] else {
            return .some(nil)
        }
        let dataSize = bytes.count - 8 - header.count
        var summaries: [String] = []
        var ranges: [(Int, Int)] = []
        for (name, value) in object {
            if name == "__metadata__" {
                guard value is [String: String] else { return .some(nil) }
                continue
            }
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                  let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int],
                  let size = RandomSafetensors.sizes[dtype] ?? ["I8": 1, "I16": 2, "U16": 2, "I32": 4, "U32": 4, "U64": 8, "F8_E5M2": 1, "F8_E4M3": 1][dtype],
                  offsets.count == 2, offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= dataSize,
                  shape.allSatisfy({ $0 >= 0 })
            else { return .some(nil) }
            var bytesNeeded = Int128(size)
            for dimension in shape {
                bytesNeeded *= Int128(dimension)
                if bytesNeeded > Int128(Int.max) { return .some(nil) }
            }
            guard bytesNeeded == Int128(offsets[1] - offsets[0]) else { return .some(nil) }
            summaries.append("\(name) \(dtype) \(shape) \(offsets[0])..<\(offsets[1])")
            ranges.append((offsets[0], offsets[1]))
        }
        var end = 0
        for (start, stop) in ranges.sorted(by: { $0 < $1 }) {
            guard start == end else { return .some(nil) }
            end = stop
        }
        guard end == dataSize else { return .some(nil) }
        return .some(summaries.sorted())
    }

    /// Whether some object repeats a member name (spelled the same): a recursive walk over the
    /// raw text, which Foundation has already found to be JSON when this matters.
    static func repeatsAKey(_ header: [UInt8]) -> Bool {
        var index = 0
        func skipString() -> ArraySlice<UInt8> {
            let start = index
            index += 1
            while index < header.count, header[index] != 0x22 { index += header[index] == 0x5C ? 2 : 1 }
            index += 1
            return header[start..<min(index, header.count)]
        }
        /// Walks one value starting at `index`; true if it (or anything inside) repeats a key.
        func value() -> Bool {
            while index < header.count {
                switch header[index] {
                case 0x22: _ = skipString(); return false
                case 0x7B, 0x5B:
                    let isObject = header[index] == 0x7B
                    index += 1
                    var names: [ArraySlice<UInt8>] = []
                    var atName = isObject
                    while index < header.count {
                        switch header[index] {
                        case 0x7D, 0x5D: index += 1; return false
                        case 0x2C: atName = isObject; index += 1
                        case 0x3A: atName = false; index += 1
                        case 0x22 where atName:
                            let name = skipString()
                            if names.contains(where: { $0.elementsEqual(name) }) { return true }
                            names.append(name)
                        case 0x20, 0x09, 0x0A, 0x0D: index += 1
                        default: if value() { return true }
                        }
                    }
                    return false
                case 0x2C, 0x3A, 0x7D, 0x5D: return false
                default: index += 1
                }
            }
            return false
        }
        return value()
    }

    /// No `.`, `e` or `E` outside strings: every number is an integer, and there is no `true`/`false`.
    static func comparable(_ header: [UInt8]) -> Bool {
        var inString = false, escaped = false
        for byte in header {
            if inString {
                if escaped { escaped = false } else if byte == 0x5C { escaped = true } else if byte == 0x22 { inString = false }
            } else if byte == 0x22 {
                inString = true
            } else if byte == 0x2E || byte == 0x65 || byte == 0x45 || byte == 0x00 {
                return false
            }
        }
        return !header.starts(with: [0xEF, 0xBB, 0xBF])
    }
}
