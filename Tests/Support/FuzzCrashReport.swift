#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The seed of every fuzz case in flight, printed if the process dies.
///
/// PropertyBased prints a failing case's seed when an expectation fails, but a trap (the very
/// thing the parser fuzzers look for) kills the test process first. So each fuzz generator records
/// its case's seed here before the case runs, and a handler for the fatal signals writes every
/// recorded seed to stderr — `add .fixedSeed("…") to the test to reproduce` — then hands the
/// signal back to the handler that was installed before (the Swift runtime's backtracer, or the
/// default action), so the usual crash report follows.
///
/// The handler only reads preallocated memory and calls `write(2)`; the recording side is a few
/// plain stores per case. Tests run in parallel, so several slots may be in flight at once: all
/// are printed, each with its test's label.
public enum FuzzCrashReport {
    /// One test's place in the table.
    public struct Slot: Sendable {
        let index: Int
    }

    private static let slotCount = 64
    /// Per slot: in-flight flag (1), label (63, NUL-padded), seed words (32).
    private static let slotSize = 96
    private static let labelCapacity = 63

    /// Written by the recording side, read by the signal handler. nonisolated(unsafe): a torn read
    /// could only garble one diagnostic line of a process that is dying anyway.
    nonisolated(unsafe) fileprivate static let table: UnsafeMutablePointer<UInt8> = {
        let pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: slotCount * slotSize)
        pointer.initialize(repeating: 0, count: slotCount * slotSize)
        return pointer
    }()
    /// Scratch space for formatting one line inside the handler (no allocation there).
    nonisolated(unsafe) fileprivate static let line = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
    /// The handlers that were installed before ours, by signal number.
    nonisolated(unsafe) fileprivate static let previous: UnsafeMutablePointer<sigaction> = {
        let pointer = UnsafeMutablePointer<sigaction>.allocate(capacity: 64)
        pointer.initialize(repeating: sigaction(), count: 64)
        return pointer
    }()

    private static let labels = Mutex<[String: Int]>([:])

    /// The slot of the test named `label` (the same slot every time it is asked for).
    public static func slot(_ label: String) -> Slot {
        _ = installed
        let index = labels.withLock { labels -> Int in
            if let index = labels[label] { return index }
            let index = min(labels.count, slotCount - 1)
            labels[label] = index
            return index
        }
        let base = table + index * slotSize
        let bytes = Array(label.utf8.prefix(labelCapacity))
        for offset in 0..<labelCapacity { base[1 + offset] = offset < bytes.count ? bytes[offset] : 0 }
        return Slot(index: index)
    }

    /// Records that `slot`'s test is about to run the case of this seed (PropertyBased's
    /// `Xoshiro.currentState`, which `.fixedSeed` takes base64-encoded).
    public static func record(_ slot: Slot, seed: (UInt64, UInt64, UInt64, UInt64)) {
        let base = UnsafeMutableRawPointer(table + slot.index * slotSize + 1 + labelCapacity)
        base.storeBytes(of: seed.0, toByteOffset: 0, as: UInt64.self)
        base.storeBytes(of: seed.1, toByteOffset: 8, as: UInt64.self)
        base.storeBytes(of: seed.2, toByteOffset: 16, as: UInt64.self)
        base.storeBytes(of: seed.3, toByteOffset: 24, as: UInt64.self)
        table[slot.index * slotSize] = 1
    }

    /// The test of `slot` has finished: nothing of it is in flight.
    public static func finish(_ slot: Slot) {
        table[slot.index * slotSize] = 0
    }

    private static let installed: Void = {
        for signal in [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGFPE, SIGABRT] {
            var action = sigaction()
            #if canImport(Glibc)
            action.__sigaction_handler.sa_handler = fuzzCrashHandler
            #else
            action.__sigaction_u.__sa_handler = fuzzCrashHandler
            #endif
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(signal, &action, previous + Int(signal))
        }
    }()

    /// Writes one line per in-flight slot to stderr. Async-signal-safe: no allocation, no locks.
    fileprivate static func writeInFlight() {
        for index in 0..<slotCount {
            let slot = table + index * slotSize
            guard slot[0] == 1 else { continue }
            var length = 0
            func put(_ byte: UInt8) {
                if length < 256 { line[length] = byte; length += 1 }
            }
            func put(_ text: StaticString) {
                let start = text.utf8Start
                for offset in 0..<text.utf8CodeUnitCount { put(start[offset]) }
            }
            put("\nfuzz case in flight when the process died: ")
            for offset in 0..<labelCapacity where slot[1 + offset] != 0 { put(slot[1 + offset]) }
            put("\n  reproduce it: add .fixedSeed(\"")
            // The 32 seed bytes in standard base64 with padding, as PropertyBased spells seeds.
            let seed = slot + 1 + labelCapacity
            func character(_ value: UInt8) -> UInt8 {
                switch value {
                case 0..<26: return 0x41 + value
                case 26..<52: return 0x61 + value - 26
                case 52..<62: return 0x30 + value - 52
                case 62: return 0x2B
                default: return 0x2F
                }
            }
            var offset = 0
            while offset < 32 {
                let remaining = 32 - offset
                let b0 = seed[offset], b1 = remaining > 1 ? seed[offset + 1] : 0, b2 = remaining > 2 ? seed[offset + 2] : 0
                put(character(b0 >> 2))
                put(character((b0 & 0x03) << 4 | b1 >> 4))
                put(remaining > 1 ? character((b1 & 0x0F) << 2 | b2 >> 6) : 0x3D)
                put(remaining > 2 ? character(b2 & 0x3F) : 0x3D)
                offset += 3
            }
            put("\") to the test\n")
            _ = write(2, line, length)
        }
    }
}

/// The fatal-signal handler: reports, puts the previous handler back, and lets the signal reach it
/// (a fault re-executes the faulting instruction on return; an abort is raised again).
private func fuzzCrashHandler(_ signal: Int32) {
    FuzzCrashReport.writeInFlight()
    sigaction(signal, FuzzCrashReport.previous + Int(signal), nil)
    if signal == SIGABRT { raise(signal) }
}
