import Foundation

/// The BERT uncased tokenizer: HuggingFace `BertTokenizer` with `do_lower_case=True`
/// (BasicTokenizer, then greedy longest-match-first WordPiece with `##` continuations).
///
/// ``encode(_:)`` gives the model input: `[CLS]`, the word pieces, `[SEP]`, truncated to
/// ``maximumTokens`` in all. A word longer than 100 scalars, or one WordPiece cannot cover
/// completely, becomes `[UNK]`.
///
/// Lower-casing maps each scalar on its own, as the `tokenizers` library (sentence-transformers'
/// tokenizer) does; Python's slow `BertTokenizer` uses `str.lower()`, which also applies the Greek
/// final-sigma rule. That is the only known difference, and it matters only for a word-final `Σ`.
public struct WordPieceTokenizer: Sendable {
    /// sentence-transformers' `max_seq_length` for all-MiniLM-L6-v2.
    public static let defaultMaximumTokens = 256
    /// Longer words become `[UNK]` (BERT's `max_input_chars_per_word`).
    public static let maximumScalarsPerWord = 100

    /// The largest number of ids ``encode(_:)`` returns, `[CLS]` and `[SEP]` included.
    public let maximumTokens: Int
    /// The tokens, indexed by id.
    public let vocabulary: [String]
    public let classifierID: Int
    public let separatorID: Int
    public let unknownID: Int

    /// Every token, by its UTF-8 bytes (bytes, not `String`: Swift's `String` equality is canonical
    /// equivalence, BERT's vocabulary lookup is exact).
    private let wordStarts: [[UInt8]: Int]
    /// The `##` tokens, by the UTF-8 bytes after `##`.
    private let continuations: [[UInt8]: Int]
    /// The most scalars in any token (after `##`): no longer candidate can match.
    private let longestToken: Int

    /// A tokenizer over `vocabulary` (the token of id `i` at index `i`). When a token appears twice,
    /// the later id wins, as in HuggingFace's `load_vocab`.
    public init(vocabulary: [String], maximumTokens: Int = defaultMaximumTokens) throws(TokenizerError) {
        guard !vocabulary.isEmpty else { throw .emptyVocabulary }
        guard maximumTokens >= 2 else { throw .invalidMaximumTokens(maximumTokens) }
        var wordStarts: [[UInt8]: Int] = [:]
        var continuations: [[UInt8]: Int] = [:]
        var longest = 0
        wordStarts.reserveCapacity(vocabulary.count)
        for (id, token) in vocabulary.enumerated() {
            let bytes = Array(token.utf8)
            wordStarts[bytes] = id
            longest = max(longest, token.unicodeScalars.count)
            if bytes.starts(with: [0x23, 0x23]) {  // "##"
                continuations[Array(bytes.dropFirst(2))] = id
            }
        }
        func special(_ token: String) throws(TokenizerError) -> Int {
            guard let id = wordStarts[Array(token.utf8)] else { throw .missingSpecialToken(token) }
            return id
        }
        self.classifierID = try special("[CLS]")
        self.separatorID = try special("[SEP]")
        self.unknownID = try special("[UNK]")
        self.vocabulary = vocabulary
        self.maximumTokens = maximumTokens
        self.wordStarts = wordStarts
        self.continuations = continuations
        self.longestToken = longest
    }

    /// The model input for `text`: `[CLS]`, its word pieces, `[SEP]`, at most ``maximumTokens`` ids.
    public func encode(_ text: String) -> [Int] {
        var ids = [classifierID]
        let budget = maximumTokens - 2
        if budget > 0 {
            BasicTokenizer.forEachWord(in: text) { word in
                for id in wordPieces(word) {
                    guard ids.count - 1 < budget else { return false }
                    ids.append(id)
                }
                return ids.count - 1 < budget
            }
        }
        ids.append(separatorID)
        return ids
    }

    /// The word pieces of `text` as strings, without `[CLS]`/`[SEP]` and without truncation.
    public func tokenize(_ text: String) -> [String] {
        var tokens: [String] = []
        BasicTokenizer.forEachWord(in: text) { word in
            tokens.append(contentsOf: wordPieces(word).map { vocabulary[$0] })
            return true
        }
        return tokens
    }

    /// The id of `token`, compared byte for byte.
    public func id(of token: String) -> Int? { wordStarts[Array(token.utf8)] }

    /// Greedy longest-match-first WordPiece over one normalised word.
    func wordPieces(_ word: [Unicode.Scalar]) -> [Int] {
        guard word.count <= Self.maximumScalarsPerWord else { return [unknownID] }
        var bytes: [UInt8] = []
        var offsets = [0]  // offsets[i]: byte offset of scalar i; offsets[count] == bytes.count
        offsets.reserveCapacity(word.count + 1)
        for scalar in word {
            bytes.append(contentsOf: scalar.utf8)
            offsets.append(bytes.count)
        }
        var pieces: [Int] = []
        var start = 0
        while start < word.count {
            let table = start == 0 ? wordStarts : continuations
            var end = min(word.count, start + longestToken)
            var match: Int?
            while start < end {
                if let id = table[Array(bytes[offsets[start]..<offsets[end]])] {
                    match = id
                    break
                }
                end -= 1
            }
            guard let id = match else { return [unknownID] }
            pieces.append(id)
            start = end
        }
        return pieces
    }
}
