import Foundation

extension WordPieceTokenizer {
    /// A tokenizer over a BERT `vocab.txt`: one token per line, the line number (from 0) is the id.
    /// A final newline does not make an empty token; a `\r` before a newline is dropped.
    public init(contentsOf url: URL, maximumTokens: Int = defaultMaximumTokens) throws(TokenizerError) {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadable(path: url.path, reason: SafetensorsFile.reason(error))
        }
        try self.init(vocabulary: Self.parseVocabulary(data), maximumTokens: maximumTokens)
    }

    static func parseVocabulary(_ data: Data) throws(TokenizerError) -> [String] {
        var lines = data.split(separator: 0x0A, omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        var tokens: [String] = []
        tokens.reserveCapacity(lines.count)
        for (index, line) in lines.enumerated() {
            let bytes = line.last == 0x0D ? line.dropLast() : line
            guard let token = String(validating: bytes, as: UTF8.self) else { throw .invalidUTF8(line: index + 1) }
            tokens.append(token)
        }
        return tokens
    }
}
