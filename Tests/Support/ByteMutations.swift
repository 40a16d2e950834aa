/// Random inputs for parser fuzzing: byte strings, and small edits of valid encodings (the edits a
/// corrupted disk, a truncated request or a mistyped value make). Every function draws only from
/// the generator it is given, so a seeded generator reproduces the same input.
public enum ByteMutations {
    /// `count` random bytes, from `alphabet` when one is given (bytes that matter to the grammar
    /// under test reach the interesting states far more often than uniform noise).
    public static func random(count: ClosedRange<Int>, alphabet: [UInt8]? = nil, using rng: inout some RandomNumberGenerator) -> [UInt8] {
        let length = Int.random(in: count, using: &rng)
        return (0..<length).map { _ in randomByte(alphabet, using: &rng) }
    }

    /// `bytes` with 1…`edits` random edits: a bit flipped, a byte replaced, inserted or deleted, a
    /// span duplicated or cut out, the end truncated. New bytes come from `alphabet` when given.
    public static func mutate(_ bytes: [UInt8], edits: ClosedRange<Int> = 1...3, alphabet: [UInt8]? = nil,
                              using rng: inout some RandomNumberGenerator) -> [UInt8] {
        var result = bytes
        for _ in 0..<Int.random(in: edits, using: &rng) {
            let position = result.isEmpty ? 0 : Int.random(in: 0..<result.count, using: &rng)
            switch Int.random(in: 0..<7, using: &rng) {
            case 0 where !result.isEmpty:
                result[position] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
            case 1 where !result.isEmpty:
                result[position] = randomByte(alphabet, using: &rng)
            case 2:
                result.insert(randomByte(alphabet, using: &rng), at: Int.random(in: 0...result.count, using: &rng))
            case 3 where !result.isEmpty:
                result.remove(at: position)
            case 4 where !result.isEmpty:
                let end = min(result.count, position + Int.random(in: 1...8, using: &rng))
                result.insert(contentsOf: result[position..<end], at: Int.random(in: 0...result.count, using: &rng))
            case 5 where !result.isEmpty:
                let end = min(result.count, position + Int.random(in: 1...8, using: &rng))
                result.removeSubrange(position..<end)
            case 6 where !result.isEmpty:
                result.removeLast(Int.random(in: 1...result.count, using: &rng))
            default:
                result.append(randomByte(alphabet, using: &rng))
            }
        }
        return result
    }

    private static func randomByte(_ alphabet: [UInt8]?, using rng: inout some RandomNumberGenerator) -> UInt8 {
        if let alphabet, !alphabet.isEmpty, Int.random(in: 0..<8, using: &rng) != 0 {
            return alphabet[Int.random(in: 0..<alphabet.count, using: &rng)]
        }
        return UInt8.random(in: 0...255, using: &rng)
    }

    /// A hexadecimal rendering for failure messages.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xF)]] })
    }
}
