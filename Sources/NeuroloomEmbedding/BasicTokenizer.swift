import Foundation

/// BERT's BasicTokenizer with `do_lower_case=True`, as a single pass that hands out words one by one
/// (so that truncation can stop early on very long texts).
///
/// For each Unicode scalar, in order:
/// 1. cleaning drops U+0000, U+FFFD and control/format characters; whitespace separates words;
/// 2. a CJK ideograph is a word of its own;
/// 3. each word is lower-cased one scalar at a time (full Unicode mapping, as the HuggingFace fast
///    tokenizer: no context-dependent Greek final sigma), decomposed (NFD) and stripped of `Mn` marks;
/// 4. punctuation splits the result: each punctuation scalar is a word, and so is each run between them.
enum BasicTokenizer {
    /// Calls `body` with each final word, as Unicode scalars. Stops when `body` returns `false`.
    static func forEachWord(in text: String, _ body: ([Unicode.Scalar]) -> Bool) {
        var word: [Unicode.Scalar] = []
        var keepGoing = true
        func flush() {
            guard !word.isEmpty, keepGoing else { return }
            keepGoing = splitNormalized(normalize(word), body)
            word.removeAll(keepingCapacity: true)
        }
        for scalar in text.unicodeScalars {
            if BertCharacterClasses.isRemoved(scalar) { continue }
            if BertCharacterClasses.isWhitespace(scalar) {
                flush()
            } else if BertCharacterClasses.isCJKIdeograph(scalar) {
                flush()
                word.append(scalar)
                flush()
            } else {
                word.append(scalar)
            }
            if !keepGoing { return }
        }
        flush()
    }

    /// Lower-cases, decomposes and drops nonspacing marks.
    static func normalize(_ word: [Unicode.Scalar]) -> [Unicode.Scalar] {
        if word.allSatisfy(\.isASCII) {
            return word.map { scalar in
                (0x41...0x5A).contains(scalar.value) ? Unicode.Scalar(UInt8(scalar.value) + 0x20) : scalar
            }
        }
        var lowered = String.UnicodeScalarView()
        for scalar in word {
            lowered.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
        }
        let decomposed = String(lowered).decomposedStringWithCanonicalMapping
        return decomposed.unicodeScalars.filter { $0.properties.generalCategory != .nonspacingMark }
    }

    /// Splits a normalised word on punctuation (and, defensively, on whitespace, which
    /// normalisation never produces from non-whitespace). Returns `false` if `body` asked to stop.
    private static func splitNormalized(_ scalars: [Unicode.Scalar], _ body: ([Unicode.Scalar]) -> Bool) -> Bool {
        var start = 0
        for (index, scalar) in scalars.enumerated() {
            let punctuation = BertCharacterClasses.isPunctuation(scalar)
            guard punctuation || BertCharacterClasses.isWhitespace(scalar) else { continue }
            if start < index, !body(Array(scalars[start..<index])) { return false }
            if punctuation, !body([scalar]) { return false }
            start = index + 1
        }
        if start < scalars.count { return body(Array(scalars[start...])) }
        return true
    }
}
