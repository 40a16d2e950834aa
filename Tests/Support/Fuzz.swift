import PropertyBased
import Testing

/// Runs `count` fuzz cases named `label` through PropertyBased: `make` builds each input from the
/// case's own random numbers (after recording the case's seed for ``FuzzCrashReport``), and
/// `check` tests it. A failed expectation is reported with `.fixedSeed(…)` by PropertyBased; a trap
/// prints the same `.fixedSeed(…)` through the crash report before the process dies.
///
/// Inputs are not shrunk: each case is one seed, and the seed reproduces it exactly.
public func fuzz<Input: Sendable>(
    _ label: String, count: Int,
    make: @escaping @Sendable (inout Xoshiro) -> Input,
    check: (Input) throws -> Void,
    sourceLocation: SourceLocation = #_sourceLocation
) async {
    let slot = FuzzCrashReport.slot(label)
    let input = Generator<Input, Shrink.None<Input>> { rng in
        var xoshiro = (rng as? Xoshiro) ?? Xoshiro(seed: (rng.next(), rng.next(), rng.next(), rng.next()))
        FuzzCrashReport.record(slot, seed: xoshiro.currentState)
        let value = make(&xoshiro)
        rng = xoshiro
        return value
    }
    await propertyCheck(count: count, input: input, perform: { try check($0) }, sourceLocation: sourceLocation)
    FuzzCrashReport.finish(slot)
}
