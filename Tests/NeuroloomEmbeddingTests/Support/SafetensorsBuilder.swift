import Foundation

/// Writes safetensors bytes for tests, valid unless told otherwise.
struct SafetensorsBuilder {
    struct Tensor {
        var name: String
        var dtype = "F32"
        var shape: [Int]
        var scalars: [Float]
    }

    var tensors: [Tensor] = []
    var metadata: [String: String]? = nil

    mutating func add(_ name: String, shape: [Int], scalars: [Float]) {
        tensors.append(Tensor(name: name, shape: shape, scalars: scalars))
    }

    /// The file: header length, JSON header (offsets in order of `tensors`), data.
    func build() -> Data {
        var header: [String: Any] = [:]
        var payload = Data()
        for tensor in tensors {
            let begin = payload.count
            for value in tensor.scalars { withUnsafeBytes(of: value.bitPattern.littleEndian) { payload.append(contentsOf: $0) } }
            header[tensor.name] = ["dtype": tensor.dtype, "shape": tensor.shape, "data_offsets": [begin, payload.count]]
        }
        if let metadata { header["__metadata__"] = metadata }
        let json = (try? JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])) ?? Data()
        return Self.file(header: json, payload: payload)
    }

    /// A file made of an arbitrary header and payload.
    static func file(header: Data, payload: Data) -> Data {
        var data = Data()
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(header)
        data.append(payload)
        return data
    }

    static func file(header: String, payloadBytes: Int) -> Data {
        file(header: Data(header.utf8), payload: Data(count: payloadBytes))
    }
}
