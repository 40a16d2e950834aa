#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A point in time with millisecond precision, as the API shows it: ISO 8601 UTC with milliseconds
/// (`2026-11-26T23:28:00.123Z`). Stored as milliseconds since the Unix epoch (big-endian on disk).
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var millisecondsSinceEpoch: Int64

    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    /// The current wall-clock time.
    public static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(millisecondsSinceEpoch: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
    }

    /// This time moved by `milliseconds`, saturating at the ends of `Int64` instead of overflowing.
    public func adding(milliseconds: Int64) -> Timestamp {
        let (sum, overflow) = millisecondsSinceEpoch.addingReportingOverflow(milliseconds)
        return Timestamp(millisecondsSinceEpoch: overflow ? (milliseconds > 0 ? .max : .min) : sum)
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    public var iso8601: String {
        let millis = millisecondsSinceEpoch
        let (days, msOfDay) = millis.floorDivided(by: 86_400_000)
        let (year, month, day) = Timestamp.civil(fromDays: days)
        let hours = msOfDay / 3_600_000
        let minutes = (msOfDay / 60_000) % 60
        let seconds = (msOfDay / 1000) % 60
        let ms = msOfDay % 1000
        guard (0...9999).contains(year) else {
            // Any Int64 (a stored time is read from disk): negative years keep their sign.
            func pad(_ value: Int64, _ width: Int) -> String {
                let text = String(value.magnitude)
                let padded = text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
                return value < 0 ? "-" + padded : padded
            }
            return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hours, 2)):\(pad(minutes, 2)):\(pad(seconds, 2)).\(pad(ms, 3))Z"
        }
        // The common case, on every response: 24 ASCII bytes written in place.
        return String(unsafeUninitializedCapacity: 24) { buffer in
            func put(_ value: Int64, _ width: Int, at offset: Int) {
                var rest = value
                for index in stride(from: offset + width - 1, through: offset, by: -1) {
                    buffer[index] = UInt8(truncatingIfNeeded: 0x30 + rest % 10)
                    rest /= 10
                }
            }
            put(year, 4, at: 0); buffer[4] = 0x2D
            put(month, 2, at: 5); buffer[7] = 0x2D
            put(day, 2, at: 8); buffer[10] = 0x54
            put(hours, 2, at: 11); buffer[13] = 0x3A
            put(minutes, 2, at: 14); buffer[16] = 0x3A
            put(seconds, 2, at: 17); buffer[19] = 0x2E
            put(ms, 3, at: 20); buffer[23] = 0x5A
            return 24
        }
    }

    public var description: String { iso8601 }

    /// Parses an RFC 3339 date-time as people write it, or a bare date; `nil` for anything else.
    /// Never traps, whatever the text.
    ///
    /// Accepted (ASCII, nothing before or after):
    /// - `YYYY-MM-DD`: midnight UTC;
    /// - `YYYY-MM-DD`, then `T`, `t` or a space, then `HH:MM[:SS[.fraction]]`, then `Z`, `z` or `±HH:MM`.
    ///
    /// The fraction may have any number of digits: milliseconds are kept, further digits are
    /// truncated (`.123999` is `.123`). Every field is range-checked: month 1–12, day within the
    /// month, hour < 24, minute and second < 60, offset up to ±23:59. A leap second (`:60`) is
    /// refused, as Unix time has no place for it. `HH:MM` without seconds (ISO 8601, not RFC 3339)
    /// is accepted because the API has always documented it.
    public init?(iso8601 text: String) {
        guard let milliseconds = Timestamp.parseMilliseconds(Array(text.utf8)) else { return nil }
        self.millisecondsSinceEpoch = milliseconds
    }

    /// The grammar of ``init(iso8601:)`` over UTF-8 bytes: milliseconds since the epoch, or `nil`.
    private static func parseMilliseconds(_ bytes: [UInt8]) -> Int64? {
        var index = 0
        /// Exactly `count` ASCII digits.
        func number(_ count: Int) -> Int64? {
            guard bytes.count - index >= count else { return nil }
            var value: Int64 = 0
            for _ in 0..<count {
                let digit = bytes[index] &- 0x30
                guard digit <= 9 else { return nil }
                value = value * 10 + Int64(digit)
                index += 1
            }
            return value
        }
        /// Consumes one byte if it is `first` or `second`.
        func take(_ first: UInt8, or second: UInt8? = nil) -> Bool {
            guard index < bytes.count, bytes[index] == first || bytes[index] == second else { return false }
            index += 1
            return true
        }
        guard let year = number(4), take(0x2D), let month = number(2), take(0x2D), let day = number(2),
              (1...12).contains(month), (1...Timestamp.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        var msOfDay: Int64 = 0
        var offsetMinutes: Int64 = 0
        if index < bytes.count {
            guard take(0x54, or: 0x74) || take(0x20),  // T, t or a space
                  let hours = number(2), hours < 24, take(0x3A), let minutes = number(2), minutes < 60
            else { return nil }
            var seconds: Int64 = 0
            var millis: Int64 = 0
            if take(0x3A) {
                guard let value = number(2), value < 60 else { return nil }
                seconds = value
                if take(0x2E) {
                    // Any number of digits; the first three are the milliseconds.
                    var digits = 0
                    while index < bytes.count, case let digit = bytes[index] &- 0x30, digit <= 9 {
                        if digits < 3 { millis = millis * 10 + Int64(digit) }
                        digits += 1
                        index += 1
                    }
                    guard digits > 0 else { return nil }
                    while digits < 3 {
                        millis *= 10
                        digits += 1
                    }
                }
            }
            msOfDay = ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis
            if !take(0x5A, or: 0x7A) {  // Z or z
                let sign: Int64
                if take(0x2B) { sign = 1 } else if take(0x2D) { sign = -1 } else { return nil }
                guard let offsetHours = number(2), offsetHours < 24, take(0x3A),
                      let offsetMins = number(2), offsetMins < 60
                else { return nil }
                offsetMinutes = sign * (offsetHours * 60 + offsetMins)
            }
        }
        guard index == bytes.count else { return nil }
        // Four-digit years keep every figure below 2^49; the checked arithmetic says so rather than trusts it.
        let (dayStart, overflow1) = Timestamp.days(fromCivil: year, month, day).multipliedReportingOverflow(by: 86_400_000)
        let (local, overflow2) = dayStart.addingReportingOverflow(msOfDay)
        let (utc, overflow3) = local.subtractingReportingOverflow(offsetMinutes * 60_000)
        guard !overflow1, !overflow2, !overflow3 else { return nil }
        return utc
    }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // Howard Hinnant's civil-date algorithms (public domain).
    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

extension Int64 {
    fileprivate func floorDivided(by divisor: Int64) -> (Int64, Int64) {
        var quotient = self / divisor
        var remainder = self % divisor
        if remainder < 0 { quotient -= 1; remainder += divisor }
        return (quotient, remainder)
    }
}

/// Where the store reads the time. Tests inject a controllable clock to exercise expiry.
public struct StoreClock: Sendable {
    public var now: @Sendable () -> Timestamp
    public init(now: @escaping @Sendable () -> Timestamp) { self.now = now }
    public static let system = StoreClock(now: { Timestamp.now() })
}
