import Dispatch
import Synchronization

/// A few serial dispatch queues that run forward passes, so that heavy compute never occupies
/// Swift's cooperative thread pool (whose threads must stay free to make progress on other tasks).
///
/// Each worker owns one ``Workspace``. A job goes to the worker with the fewest jobs queued or
/// running, and the calling task waits on a checked continuation without blocking a thread.
final class ComputePool: Sendable {
    private final class Worker: @unchecked Sendable {
        // @unchecked Sendable: `workspace` is mutable state, touched only by jobs running on `queue`,
        // which is serial.
        let queue: DispatchQueue
        let workspace: Workspace

        init(queue: DispatchQueue, workspace: Workspace) {
            self.queue = queue
            self.workspace = workspace
        }
    }

    private let workers: [Worker]
    /// Jobs queued or running, per worker.
    private let pending: Mutex<[Int]>

    /// The number of workers.
    var concurrency: Int { workers.count }

    init(concurrency: Int, label: String, makeWorkspace: () -> Workspace) {
        let count = max(1, concurrency)
        workers = (0..<count).map { index in
            Worker(queue: DispatchQueue(label: "\(label).\(index)", qos: .userInitiated), workspace: makeWorkspace())
        }
        pending = Mutex([Int](repeating: 0, count: count))
    }

    /// Runs `job` on the least busy worker and returns its result.
    func run<Result: Sendable>(_ job: @escaping @Sendable (Workspace) -> Result) async -> Result {
        let index = pending.withLock { counts -> Int in
            var best = 0
            for i in counts.indices where counts[i] < counts[best] { best = i }
            counts[best] += 1
            return best
        }
        defer { pending.withLock { $0[index] -= 1 } }
        let worker = workers[index]
        return await withCheckedContinuation { continuation in
            worker.queue.async {
                continuation.resume(returning: job(worker.workspace))
            }
        }
    }
}
