import Foundation

/// A fresh directory under the system temporary directory, removed when the value is dropped.
final class TemporaryDirectory: @unchecked Sendable {
    // @unchecked: immutable after init.
    let path: String

    init(_ label: String = "lmdb-test") {
        path = NSTemporaryDirectory() + "neuroloom-\(label)-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func sub(_ name: String) -> String { path + "/" + name }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
