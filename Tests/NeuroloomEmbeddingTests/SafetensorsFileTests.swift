import Foundation
import NeuroloomEmbedding
import Testing

@Suite("SafetensorsFile")
struct SafetensorsFileTests {
    static var sample: SafetensorsBuilder {
        var builder = SafetensorsBuilder()
        builder.add("a", shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        builder.add("b", shape: [2], scalars: [-0.5, .pi])
        builder.add("scalar", shape: [], scalars: [7])
        builder.metadata = ["format": "pt"]
        return builder
    }

    @Test("reads tensors, shapes and metadata")
    func reads() throws {
        let file = try SafetensorsFile(data: Self.sample.build())
        #expect(file.tensorNames == ["a", "b", "scalar"])
        #expect(file.metadata == ["format": "pt"])
        #expect(try file.float32Tensor(named: "a") == Float32Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]))
        #expect(try file.float32Tensor(named: "b").scalars == [-0.5, .pi])
        #expect(try file.float32Tensor(named: "scalar") == Float32Tensor(shape: [], scalars: [7]))
        #expect(file.tensors["b"]?.dataOffsets == 24..<32)
    }

    @Test("reads from a Data slice that does not start at index 0")
    func slice() throws {
        let data = Data([9, 9, 9]) + Self.sample.build()
        let file = try SafetensorsFile(data: data[3...])
        #expect(try file.float32Tensor(named: "b").scalars == [-0.5, .pi])
    }

    @Test("an empty tensor list with an empty data section is valid")
    func empty() throws {
        let file = try SafetensorsFile(data: SafetensorsBuilder.file(header: "{}", payloadBytes: 0))
        #expect(file.tensorNames.isEmpty)
    }

    @Test("every truncation of a valid file is refused with a typed error")
    func truncated() throws {
        let valid = Self.sample.build()
        for length in 0..<valid.count {
            #expect(throws: SafetensorsError.self, "prefix of \(length) bytes") {
                try SafetensorsFile(data: valid.prefix(length))
            }
        }
        #expect(throws: SafetensorsError.truncatedPrefix(size: 7)) { try SafetensorsFile(data: valid.prefix(7)) }
    }

    @Test("trailing bytes after the last tensor are refused")
    func trailing() {
        #expect(throws: SafetensorsError.self) { try SafetensorsFile(data: Self.sample.build() + Data([0])) }
    }

    @Test("a header length beyond the file is refused")
    func headerTooLarge() {
        var data = Data()
        withUnsafeBytes(of: UInt64.max.littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: Data("{}".utf8))
        #expect(throws: SafetensorsError.headerTooLarge(length: .max, available: 2)) { try SafetensorsFile(data: data) }
    }

    @Test("malformed headers are refused", arguments: [
        "not json at all",
        "[1, 2, 3]",
        #"{"a": {"dtype": "F32", "shape": [1]}}"#,
        #"{"a": {"dtype": "F32", "shape": "1", "data_offsets": [0, 4]}}"#,
        #"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0]}}"#,
        #"{"a": {"dtype": "F32", "shape": [1.5], "data_offsets": [0, 4]}}"#,
        #"{"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}"#,
        #"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}}"#,
        #"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 0]}}"#,
        #"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [-4, 0]}}"#,
        #"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}"#,
        #"{"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 12]}}"#,
        #"{"a": {"dtype": "Q4", "shape": [1], "data_offsets": [0, 4]}}"#,
        #"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "b": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}"#,
        #"{"a": {"dtype": "F32", "shape": [4611686018427387904, 4], "data_offsets": [0, 8]}}"#,
        #"{"__metadata__": {"format": 1}, "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}"#,
    ])
    func malformedHeader(_ header: String) {
        #expect(throws: SafetensorsError.self) {
            try SafetensorsFile(data: SafetensorsBuilder.file(header: header, payloadBytes: 8))
        }
    }

    @Test("random bytes never crash the reader")
    func garbage() {
        var random = LinearCongruential(seed: 7)
        for length in [0, 1, 8, 9, 16, 100, 4096] {
            for _ in 0..<20 {
                let bytes = Data((0..<length).map { _ in UInt8(truncatingIfNeeded: Int((random.next() + 0.5) * 256)) })
                #expect(throws: SafetensorsError.self) { try SafetensorsFile(data: bytes) }
            }
        }
    }

    @Test("wrong names and dtypes are typed errors")
    func lookups() throws {
        var builder = Self.sample
        builder.tensors.append(.init(name: "h", dtype: "I32", shape: [1], scalars: [0]))
        let file = try SafetensorsFile(data: builder.build())
        #expect(throws: SafetensorsError.tensorNotFound(name: "nope")) { try file.float32Tensor(named: "nope") }
        #expect(throws: SafetensorsError.unexpectedDType(name: "h", expected: "F32", actual: "I32")) {
            try file.float32Tensor(named: "h")
        }
    }

    @Test("a missing file is an unreadable error naming the path")
    func missingFile() {
        let error = #expect(throws: SafetensorsError.self) {
            try SafetensorsFile(contentsOf: URL(filePath: "/nonexistent/model.safetensors"))
        }
        guard case .unreadable(let path, _)? = error else {
            Issue.record("expected unreadable, got \(String(describing: error))")
            return
        }
        #expect(path == "/nonexistent/model.safetensors")
    }

    // Needs the real model: skipped (not passed) until tools/fetch-model has run.
    @Test("the real model.safetensors reads", .enabled(if: ModelFixture.isAvailable))
    func realFile() throws {
        let file = try SafetensorsFile(contentsOf: ModelFixture.directory.appending(path: "model.safetensors"))
        #expect(file.tensors["embeddings.word_embeddings.weight"]?.shape == [30522, 384])
        #expect(file.tensors["embeddings.position_ids"]?.dtype == "I64")
    }
}
