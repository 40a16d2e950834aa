/// Why a ``WordPieceTokenizer`` could not be built.
public enum TokenizerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The vocabulary file could not be read.
    case unreadable(path: String, reason: String)
    /// The vocabulary file is not UTF-8 (1-based line number).
    case invalidUTF8(line: Int)
    /// The vocabulary has no tokens.
    case emptyVocabulary
    /// One of `[CLS]`, `[SEP]`, `[UNK]` is absent.
    case missingSpecialToken(String)
    /// `maximumTokens` must leave room for `[CLS]` and `[SEP]`.
    case invalidMaximumTokens(Int)

    public var description: String {
        switch self {
        case let .unreadable(path, reason): return "vocabulary: cannot read \(path): \(reason)"
        case let .invalidUTF8(line): return "vocabulary: line \(line) is not valid UTF-8"
        case .emptyVocabulary: return "vocabulary: no tokens"
        case let .missingSpecialToken(token): return "vocabulary: the special token \(token) is missing"
        case let .invalidMaximumTokens(count): return "tokenizer: maximumTokens must be at least 2, got \(count)"
        }
    }
}
