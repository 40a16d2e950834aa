import Dispatch
import Synchronization

/// A fixed number of serial dispatch queues for work that blocks a thread or holds a core for
/// milliseconds: search scans, opening a partition (several fsync'd write transactions), control
/// environment commits (key management). Swift's cooperative pool has one thread per core and its
/// threads must stay free to make progress: on two cores, two searches running there would stall
/// every other request, a `GET` included, until they end.
///
/// A job goes to the worker with the fewest jobs queued or running; the calling task waits on a
/// continuation without holding a thread. The pool bounds how many such jobs run at once (the
/// rest queue), so the cooperative pool keeps its threads for the cheap requests.
public final class BlockingPool: Sendable {
    private let queues: [DispatchQueue]
    /// Jobs queued or running, per queue.
    private let pending: Mutex<[Int]>

    /// The number of jobs that may run at once.
    public var concurrency: Int { queues.count }

    public init(concurrency: Int, label: String) {
        let count = max(1, concurrency)
        queues = (0..<count).map { DispatchQueue(label: "\(label).\($0)") }
        pending = Mutex([Int](repeating: 0, count: count))
    }

    /// Runs `job` on the least busy queue and returns its result (or rethrows its error).
    public func run<Result: Sendable, Failure: Error>(
        _ job: @escaping @Sendable () throws(Failure) -> Result
    ) async throws(Failure) -> Result {
        let index = pending.withLock { counts -> Int in
            var best = 0
            for i in counts.indices where counts[i] < counts[best] { best = i }
            counts[best] += 1
            return best
        }
        defer { pending.withLock { $0[index] -= 1 } }
        let outcome: Swift.Result<Result, Failure> = await withCheckedContinuation { continuation in
            queues[index].async {
                continuation.resume(returning: Swift.Result { () throws(Failure) -> Result in try job() })
            }
        }
        return try outcome.get()
    }

    /// Jobs queued or running now (for metrics and tests).
    public var backlog: Int { pending.withLock { $0.reduce(0, +) } }
}
