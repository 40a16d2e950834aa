/// Whether a ``Neuroloom`` client retries requests the server refused for now: 429 `rate_limited`
/// and 503 `unavailable`.
///
/// Both refusals happen before anything is changed (the rate limit is checked before the route runs;
/// a 503 aborts the storage transaction), so every method, writes included, is safe to retry.
/// A retry waits the response's `Retry-After` seconds (1 if absent) with `Task.sleep`, so
/// cancelling the calling task ends the wait at once with `CancellationError`.
///
/// Retrying is bounded twice: at most ``maxRetries`` retries per call, and never a wait longer than
/// ``maxDelay`` — when the server asks for more, the error is thrown at once instead.
/// Any other error (including transport failures) is never retried.
public struct RetryPolicy: Sendable, Hashable {
    /// Retries per call after the first attempt; 0 disables retrying.
    public var maxRetries: Int
    /// The longest `Retry-After` the client will wait; a longer one is thrown to the caller.
    public var maxDelay: Duration

    /// A policy retrying up to `maxRetries` times (negative counts as 0), waiting at most `maxDelay` each time.
    public init(maxRetries: Int, maxDelay: Duration = .seconds(30)) {
        self.maxRetries = max(0, maxRetries)
        self.maxDelay = maxDelay
    }

    /// Never retry: a 429 or 503 is thrown as ``NeuroloomError/rateLimited(retryAfter:message:requestId:)``
    /// or ``NeuroloomError/unavailable(retryAfter:message:requestId:)``. The default.
    public static let none = RetryPolicy(maxRetries: 0, maxDelay: .zero)

    /// Retry 429 and 503 up to `times` times, waiting `Retry-After` seconds (at most `maxDelay`) before each.
    public static func retrying(upTo times: Int, maxDelay: Duration = .seconds(30)) -> RetryPolicy {
        RetryPolicy(maxRetries: times, maxDelay: maxDelay)
    }

    /// The wait before retry number `attempt` (1-based) for an error, or `nil` to throw it instead.
    func delay(before attempt: Int, after error: NeuroloomError) -> Duration? {
        guard attempt <= maxRetries, let seconds = error.retryAfter else { return nil }
        let wait = Duration.seconds(max(1, seconds))
        return wait <= maxDelay ? wait : nil
    }
}

/// How ``Neuroloom/Memories/search(query:topK:mode:filters:minScore:)`` ranks memories.
public enum SearchMode: String, Sendable, Hashable, CaseIterable, Codable {
    /// Meaning and keywords combined (the server's default).
    case hybrid
    /// By meaning (embeddings).
    case semantic
    /// By keywords.
    case keyword
}

/// An API key's scope; each includes the ones before it: `read` ⊂ `write` ⊂ `admin`.
public enum KeyScope: String, Sendable, Hashable, CaseIterable, Codable {
    /// Read memories and search.
    case read
    /// Also create, update and delete memories.
    case write
    /// Also create, list and revoke the environment's API keys.
    case admin
}
