/// Checks shared by every entry point. Each failure names the field it is about.
enum Validation {
    /// A display name: 1–100 characters after trimming, no control characters.
    static func name(_ raw: String, field: String) throws(StoreError) -> String {
        let trimmed = raw.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw .invalid(field: field, message: "must not be empty") }
        guard trimmed.count <= 100 else { throw .invalid(field: field, message: "must be at most 100 characters") }
        guard !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalid(field: field, message: "must not contain control characters")
        }
        return trimmed
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[start...end])
    }
}
