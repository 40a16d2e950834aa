import NeuroloomStore
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Per-key rate limiting with GCRA (the generic cell rate algorithm): the exact behaviour of a token
/// bucket holding `burst` tokens refilled at `rate` per second, kept as one number per key (the
/// "theoretical arrival time"), in memory.
final class RateLimiter: Sendable {
    struct Decision: Sendable, Equatable {
        let allowed: Bool
        let limit: Int
        /// Requests that could be made right now.
        let remaining: Int
        /// Seconds until the bucket is full again.
        let resetSeconds: Int
        /// On refusal, whole seconds until a request will be allowed (≥ 1).
        let retryAfterSeconds: Int
    }

    let rate: Double
    let burst: Int
    private let interval: Int64     // nanoseconds per token
    private let tolerance: Int64    // burst × interval
    private let state = Mutex<(arrivals: [KeyID: Int64], decisions: Int)>(([:], 0))
    private let now: @Sendable () -> Int64

    init(rate: Double, burst: Int, now: @escaping @Sendable () -> Int64 = RateLimiter.monotonicNanoseconds) {
        // Clamped so that no configuration can trap: an infinite or NaN rate would divide to 0 or
        // convert NaN to Int64, and interval × burst could overflow.
        self.rate = rate.isNaN ? 0.001 : min(max(rate, 0.001), 1e9)
        self.burst = min(max(burst, 1), 1_000_000)
        self.interval = max(1, Int64((1e9 / self.rate).rounded(.up)))
        self.tolerance = interval.multipliedReportingOverflow(by: Int64(self.burst)).overflow
            ? Int64.max / 4 : interval * Int64(self.burst)
        self.now = now
    }

    func decide(for key: KeyID) -> Decision {
        let now = now()
        return state.withLock { state in
            state.decisions += 1
            if state.decisions % 10_000 == 0 {
                // Keys idle long enough to be full again carry no information: forget them.
                state.arrivals = state.arrivals.filter { $0.value > now }
            }
            let arrival = max(state.arrivals[key] ?? now, now)
            let next = arrival + interval
            let allowAt = next - tolerance
            if now < allowAt {
                let wait = allowAt - now
                return Decision(allowed: false, limit: burst, remaining: 0,
                                resetSeconds: RateLimiter.ceilSeconds(arrival - now),
                                retryAfterSeconds: max(1, RateLimiter.ceilSeconds(wait)))
            }
            state.arrivals[key] = next
            let remaining = Int((now - allowAt) / interval)
            return Decision(allowed: true, limit: burst, remaining: min(remaining, burst - 1),
                            resetSeconds: RateLimiter.ceilSeconds(next - now), retryAfterSeconds: 0)
        }
    }

    static func ceilSeconds(_ nanoseconds: Int64) -> Int {
        Int((nanoseconds + 999_999_999) / 1_000_000_000)
    }

    @Sendable static func monotonicNanoseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }
}
