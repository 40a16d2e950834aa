#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// Sends one API call: JSON in, JSON out, errors mapped to ``NeuroloomError``, 429/503 retried
/// according to the ``RetryPolicy``.
struct Transport: Sendable {
    let httpClient: HTTPClient
    /// Scheme, host and port without a trailing slash, e.g. `http://127.0.0.1:8080`.
    let baseURL: String
    /// The `Authorization` header value: `Bearer nlk_…`.
    let authorization: String
    let retry: RetryPolicy
    let timeout: TimeAmount

    /// The largest response body accepted (a full page of 100 maximal memories is about 5 MiB).
    static let maximumResponseBytes = 64 << 20

    /// Sends `body` as JSON and decodes the 2xx answer as `Output`.
    func call<Output: Decodable>(_ method: HTTPMethod, _ path: String, body: some Encodable,
                                 as output: Output.Type) async throws -> Output {
        let bytes = try Self.encode(body)
        let answer = try await perform(method, path, body: bytes)
        return try Self.decode(output, from: answer)
    }

    /// Sends a request without a body and decodes the 2xx answer as `Output`.
    func call<Output: Decodable>(_ method: HTTPMethod, _ path: String, as output: Output.Type) async throws -> Output {
        let answer = try await perform(method, path, body: nil)
        return try Self.decode(output, from: answer)
    }

    /// Sends a request without a body whose 2xx answer has no content (204).
    func callWithoutContent(_ method: HTTPMethod, _ path: String) async throws {
        _ = try await perform(method, path, body: nil)
    }

    /// The request/retry loop: returns a 2xx body; throws the mapped error otherwise.
    func perform(_ method: HTTPMethod, _ path: String, body: [UInt8]?) async throws -> [UInt8] {
        var retries = 0
        while true {
            let reply = try await exchange(method, path, body: body)
            if (200..<300).contains(reply.status) { return reply.body }
            let error = NeuroloomError.fromResponse(status: reply.status, retryAfter: reply.retryAfter, body: reply.body)
            retries += 1
            guard let wait = retry.delay(before: retries, after: error) else { throw error }
            try await Task.sleep(for: wait)
        }
    }

    private struct Reply: Sendable {
        let status: Int
        let retryAfter: Int?
        let body: [UInt8]
    }

    /// One HTTP exchange. Transport failures become ``NeuroloomError/transport(_:)``; cancellation
    /// of the calling task becomes `CancellationError`.
    private func exchange(_ method: HTTPMethod, _ path: String, body: [UInt8]?) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Authorization", value: authorization)
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "neuroloom-swift")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        do {
            let response = try await httpClient.execute(request, timeout: timeout)
            let buffer = try await response.body.collect(upTo: Self.maximumResponseBytes)
            return Reply(status: Int(response.status.code),
                         retryAfter: Self.retryAfterSeconds(response.headers.first(name: "Retry-After")),
                         body: Array(buffer.readableBytesView))
        } catch {
            if error is CancellationError || Task.isCancelled { throw CancellationError() }
            if let clientError = error as? HTTPClientError, clientError == .cancelled { throw CancellationError() }
            throw NeuroloomError.transport(String(describing: error))
        }
    }

    /// `Retry-After` in its delay-seconds form; the HTTP-date form (never sent by Neuroloom) is ignored.
    static func retryAfterSeconds(_ value: String?) -> Int? {
        guard let value else { return nil }
        return Int(value.filter { !$0.isWhitespace })
    }

    static func encode(_ value: some Encodable) throws -> [UInt8] {
        do {
            return Array(try JSONEncoder().encode(value))
        } catch {
            // e.g. a non-finite Double in metadata: JSON cannot carry it.
            throw NeuroloomError.transport("The request cannot be encoded as JSON: \(error)")
        }
    }

    static func decode<Output: Decodable>(_ type: Output.Type, from bytes: [UInt8]) throws -> Output {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch {
            throw NeuroloomError.decoding("The response is not a valid \(Output.self): \(error)")
        }
    }

    /// A path segment with everything but ASCII letters, digits, `-`, `_` and `~` percent-encoded,
    /// so an id can never change the path it is placed in.
    static func segment(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out = String.UnicodeScalarView()
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(Unicode.Scalar(byte))
            default:
                out.append("%")
                out.append(Unicode.Scalar(hex[Int(byte >> 4)]))
                out.append(Unicode.Scalar(hex[Int(byte & 0x0F)]))
            }
        }
        return String(out)
    }

    /// A `Duration` as NIO's `TimeAmount`, clamped to 0 … 1 year (NIO deadlines must not overflow).
    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        let year: Int64 = 365 * 24 * 3600
        if seconds < 0 { return .nanoseconds(0) }
        if seconds >= year { return .seconds(year) }
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
