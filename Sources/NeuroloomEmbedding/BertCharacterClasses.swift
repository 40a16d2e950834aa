/// The character classes of BERT's BasicTokenizer (HuggingFace `tokenization_bert.py` and the
/// `BertNormalizer`/`BertPreTokenizer` of the `tokenizers` library).
enum BertCharacterClasses {
    /// Removed by text cleaning: U+0000, U+FFFD and every `C*` category (control, format, surrogate,
    /// private use, unassigned) except tab, newline and carriage return, which count as whitespace.
    @inline(__always)
    static func isRemoved(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: return false
        case 0, 0xFFFD: return true
        case 0x20...0x7E: return false
        default: break
        }
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned: return true
        default: return false
        }
    }

    /// Separates words: tab, newline, carriage return, space and `Zs`, plus the line and paragraph
    /// separators U+2028/U+2029, which Python's `str.split()` and Rust's `char::is_whitespace` both split on.
    /// (Every other `White_Space` character is a control character and removed before.)
    @inline(__always)
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D, 0x20: return true
        case 0x21...0x7E: return false
        default: return scalar.properties.isWhitespace
        }
    }

    /// A word of its own: ASCII 33–47, 58–64, 91–96, 123–126, and every `P*` category.
    @inline(__always)
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 33...47, 58...64, 91...96, 123...126: return true
        case 0...127: return false
        default: break
        }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
            .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// A CJK Unified Ideograph (BERT's "Chinese character"), surrounded by spaces so that each
    /// becomes a word. Hiragana, Katakana and Hangul are not included, as in BERT.
    @inline(__always)
    static func isCJKIdeograph(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
            0x2B740...0x2B81F, 0x2B820...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }
}
