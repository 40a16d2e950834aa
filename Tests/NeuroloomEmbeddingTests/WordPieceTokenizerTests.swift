import Foundation
import NeuroloomEmbedding
import Testing
import NeuroloomTestSupport

/// BERT's tokenization rules on a small hand-made vocabulary (no model needed).
@Suite("WordPieceTokenizer")
struct WordPieceTokenizerTests {
    static let vocabulary = [
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "un", "##aff", "##able", "aff", "able", "cafe", "deja", "vu",
        "!", ",", ".", "'", "hello", "world", "##s", "我", "好", "a", "##a", "x", "naive", "σ", "ς", "οδοσ",
    ]

    func make(maximumTokens: Int = 256) throws -> WordPieceTokenizer {
        try WordPieceTokenizer(vocabulary: Self.vocabulary, maximumTokens: maximumTokens)
    }

    @Test("greedy longest match first, ## continuations")
    func wordPiece() throws {
        let t = try make()
        #expect(t.tokenize("unaffable") == ["un", "##aff", "##able"])
        #expect(t.tokenize("affable") == ["aff", "##able"])
        #expect(t.tokenize("hellos worlds") == ["hello", "##s", "world", "##s"])
    }

    @Test("a word that cannot be covered is a single [UNK]")
    func unknown() throws {
        let t = try make()
        #expect(t.tokenize("unaffablez hello") == ["[UNK]", "hello"])
        #expect(t.tokenize("🍕") == ["[UNK]"])
    }

    @Test("words over 100 scalars are [UNK], 100 are not")
    func longWords() throws {
        let t = try make()
        #expect(t.tokenize(String(repeating: "a", count: 100)) == ["a"] + Array(repeating: "##a", count: 99))
        #expect(t.tokenize(String(repeating: "a", count: 101)) == ["[UNK]"])
    }

    @Test("lower-casing and accent stripping")
    func normalisation() throws {
        let t = try make()
        #expect(t.tokenize("Café DÉJÀ Vu") == ["cafe", "deja", "vu"])
        #expect(t.tokenize("Cafe\u{301}") == ["cafe"])  // decomposed input
        #expect(t.tokenize("NAÏVE") == ["naive"])
    }

    @Test("Σ lower-cases per scalar, without the final-sigma rule (as the fast tokenizer)")
    func sigma() throws {
        let t = try make()
        #expect(t.tokenize("ΟΔΟΣ") == ["οδοσ"])
        #expect(t.tokenize("ς Σ") == ["ς", "σ"])
    }

    @Test("punctuation splits words; each mark is a token")
    func punctuation() throws {
        let t = try make()
        #expect(t.tokenize("hello,world!") == ["hello", ",", "world", "!"])
        #expect(t.tokenize("a'a") == ["a", "'", "a"])
        #expect(t.tokenize("a\u{2014}a") == ["a", "[UNK]", "a"])  // em dash: Pd, its own word
        #expect(t.tokenize("$") == ["[UNK]"])  // ASCII 36: punctuation, its own word
    }

    @Test("CJK ideographs are words of their own")
    func cjk() throws {
        let t = try make()
        #expect(t.tokenize("我好hello") == ["我", "好", "hello"])
    }

    @Test("control characters vanish, whitespace of every kind separates")
    func cleaning() throws {
        let t = try make()
        #expect(t.tokenize("hel\u{0}lo\u{7}\u{FFFD}\u{200B}\u{AD}") == ["hello"])
        #expect(t.tokenize(" \thello\n\r\nworld\u{A0}a\u{2003}a\u{2028}x\u{2029}x ") == ["hello", "world", "a", "a", "x", "x"])
        #expect(t.tokenize(" \t\n ").isEmpty)
    }

    @Test("encode wraps in [CLS]/[SEP] and truncates to maximumTokens in all")
    func encode() throws {
        let t = try make(maximumTokens: 5)
        #expect(t.encode("") == [2, 3])
        #expect(t.encode("hello") == [2, 16, 3])
        #expect(t.encode("hello world hello world") == [2, 16, 17, 16, 3])
        #expect(t.encode("unaffable hello") == [2, 4, 5, 6, 3])  // the cut falls inside no word here
        #expect(t.encode("x unaffable") == [2, 23, 4, 5, 3])  // and here inside one, as HuggingFace
        #expect(try make(maximumTokens: 2).encode("hello") == [2, 3])
    }

    @Test("vocabulary lookups are byte-exact, not canonical equivalence")
    func byteExact() throws {
        let t = try WordPieceTokenizer(vocabulary: ["[UNK]", "[CLS]", "[SEP]", "caf\u{E9}"])
        #expect(t.id(of: "caf\u{E9}") == 3)
        #expect(t.id(of: "cafe\u{301}") == nil)
    }

    @Test("invalid vocabularies and limits are refused")
    func invalid() {
        #expect(throws: TokenizerError.emptyVocabulary) { try WordPieceTokenizer(vocabulary: []) }
        #expect(throws: TokenizerError.missingSpecialToken("[CLS]")) { try WordPieceTokenizer(vocabulary: ["[UNK]", "[SEP]"]) }
        #expect(throws: TokenizerError.invalidMaximumTokens(1)) { try WordPieceTokenizer(vocabulary: Self.vocabulary, maximumTokens: 1) }
    }

    @Test("vocab.txt: line number is the id, CRLF tolerated, invalid UTF-8 refused")
    func vocabularyFile() throws {
        let directory = TemporaryDirectory("embedding")
        try directory.write(Data("[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]\r\nhello\r\n".utf8), to: "vocab.txt")
        let t = try WordPieceTokenizer(contentsOf: directory.url.appending(path: "vocab.txt"))
        #expect(t.vocabulary.count == 5)
        #expect(t.encode("Hello") == [2, 4, 3])

        try directory.write(Data([0x5B, 0x55, 0x4E, 0x4B, 0x5D, 0x0A, 0xFF, 0xFE, 0x0A]), to: "bad.txt")
        #expect(throws: TokenizerError.invalidUTF8(line: 2)) {
            try WordPieceTokenizer(contentsOf: directory.url.appending(path: "bad.txt"))
        }
        #expect(throws: TokenizerError.self) {
            try WordPieceTokenizer(contentsOf: directory.url.appending(path: "missing.txt"))
        }
    }
}
