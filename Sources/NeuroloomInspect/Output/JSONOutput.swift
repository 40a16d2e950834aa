import Foundation

/// How every `--json` report is printed: one line, keys sorted, so output is stable and diffable.
public enum JSONOutput {
    /// `value` as one line of JSON.
    public static func line(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
