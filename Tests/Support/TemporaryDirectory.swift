import Foundation

/// A fresh directory under the system temporary directory, removed when the value is dropped.
/// Shared by every test target (one copy, in the `NeuroloomTestSupport` target).
public final class TemporaryDirectory: @unchecked Sendable {
    // @unchecked: immutable after init.
    public let path: String

    public init(_ label: String = "lmdb-test") {
        path = NSTemporaryDirectory() + "neuroloom-\(label)-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// A path inside the directory.
    public func sub(_ name: String) -> String { path + "/" + name }

    /// The directory as a file URL.
    public var url: URL { URL(fileURLWithPath: path, isDirectory: true) }

    /// Writes `data` to a file of the directory.
    public func write(_ data: Data, to name: String) throws {
        try data.write(to: url.appendingPathComponent(name))
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
