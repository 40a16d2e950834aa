import HTTPTypes

/// Reads the key out of an `Authorization` header: the one parser for the REST API and `/mcp`.
public enum BearerToken {
    /// The token of the request's one `Authorization` header; `nil` if it has none, several, or
    /// one that is not a bearer token.
    public static func parse(_ headers: HTTPFields) -> Substring? {
        parse(headers.uniqueValue(.authorization))
    }

    /// The token of `Bearer <token>` (the scheme word in any case, one or more spaces after it),
    /// or `nil` for anything else. Reads the UTF-8 bytes in place: it runs on every request.
    public static func parse(_ header: String?) -> Substring? {
        guard let header else { return nil }
        let utf8 = header.utf8
        var index = utf8.startIndex
        for expected in "bearer".utf8 {
            // `| 0x20` lower-cases an ASCII letter; only `B` and `b` map to `b`, and so on.
            guard index < utf8.endIndex, utf8[index] | 0x20 == expected else { return nil }
            index = utf8.index(after: index)
        }
        guard index < utf8.endIndex, utf8[index] == UInt8(ascii: " ") else { return nil }
        while index < utf8.endIndex, utf8[index] == UInt8(ascii: " ") { index = utf8.index(after: index) }
        guard index < utf8.endIndex else { return nil }
        return header[index...]
    }
}

extension HTTPFields {
    /// The value of `name` when the request carries exactly one such field, else `nil`. Cheaper
    /// than the subscript (which joins repeated fields into a new string), and stricter: a request
    /// with two `Authorization` headers is not authenticated by either.
    func uniqueValue(_ name: HTTPField.Name) -> String? {
        var found: String?
        for field in self where field.name == name {
            if found != nil { return nil }
            found = field.value
        }
        return found
    }
}
