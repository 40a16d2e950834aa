import NeuroloomAPI

/// A condition on memory metadata, parsed from the API's `filters` object:
///
/// ```json
/// {"topic": "ui", "priority": {"$gte": 2}, "tags": {"$in": ["a", "b"]}, "user.id": {"$exists": true}}
/// ```
///
/// Each member names a metadata field (dots reach into nested objects) and gives either a value
/// (equality) or an object of operators: `$eq $ne $gt $gte $lt $lte $in $nin $exists`. All members
/// must hold. `$and` / `$or` take arrays of such objects, `$not` one object. Equality against an
/// array field matches if the array contains the value.
///
/// The top-level paths `createdAt` and `updatedAt` name the memory's own timestamps (not
/// metadata): their operands are ISO 8601 strings, compared as instants with every operator.
public indirect enum MetadataFilter: Sendable, Equatable {
    case all([MetadataFilter])
    case any([MetadataFilter])
    case not(MetadataFilter)
    case field(path: [String], FieldCondition)

    /// Paths that name a memory's timestamps rather than metadata.
    static let timestampFields: Set<String> = ["createdAt", "updatedAt"]

    public enum FieldCondition: Sendable, Equatable {
        case equals(JSONValue)
        case notEquals(JSONValue)
        case greaterThan(Double), greaterThanOrEqual(Double), lessThan(Double), lessThanOrEqual(Double)
        case among([JSONValue])
        case notAmong([JSONValue])
        case exists(Bool)
    }

    static let maximumConditions = 64

    /// Parses and validates a filters object; errors name the offending member (`filters.priority`).
    public init(parsing value: JSONValue, field: String = "filters") throws(StoreError) {
        var budget = MetadataFilter.maximumConditions
        self = try MetadataFilter.parseObject(value, field: field, budget: &budget, depth: 0)
    }

    private static func parseObject(_ value: JSONValue, field: String, budget: inout Int, depth: Int) throws(StoreError) -> MetadataFilter {
        guard case .object(let members) = value else { throw .invalid(field: field, message: "must be a JSON object") }
        guard depth < 4 else { throw .invalid(field: field, message: "$and/$or nest at most 4 levels") }
        var parts: [MetadataFilter] = []
        for key in members.keys.sorted() {
            let member = members[key] ?? .null
            let path = "\(field).\(key)"
            budget -= 1
            guard budget >= 0 else { throw .invalid(field: field, message: "has more than \(maximumConditions) conditions") }
            switch key {
            case "$and", "$or":
                guard case .array(let items) = member, !items.isEmpty else { throw .invalid(field: path, message: "must be a non-empty array of filter objects") }
                var subfilters: [MetadataFilter] = []
                for (index, item) in items.enumerated() {
                    subfilters.append(try parseObject(item, field: "\(path)[\(index)]", budget: &budget, depth: depth + 1))
                }
                parts.append(key == "$and" ? .all(subfilters) : .any(subfilters))
            case "$not":
                parts.append(.not(try parseObject(member, field: path, budget: &budget, depth: depth + 1)))
            default:
                guard !key.hasPrefix("$") else { throw .invalid(field: path, message: "unknown operator \(key)") }
                let segments = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
                guard !segments.contains(where: \.isEmpty) else { throw .invalid(field: path, message: "is not a valid field path") }
                parts.append(contentsOf: try parseConditions(member, path: segments, field: path))
            }
        }
        return parts.count == 1 ? parts[0] : .all(parts)
    }

    private static func parseConditions(_ value: JSONValue, path: [String], field: String) throws(StoreError) -> [MetadataFilter] {
        let isTimestamp = path.count == 1 && timestampFields.contains(path[0])
        /// Timestamp operands: ISO 8601 strings, held as milliseconds since the epoch.
        func instant(_ operand: JSONValue, _ where_: String) throws(StoreError) -> JSONValue {
            guard isTimestamp else { return operand }
            guard let text = operand.stringValue, let time = Timestamp(iso8601: text) else {
                throw .invalid(field: where_, message: "must be an ISO 8601 date-time such as 2026-11-27T08:00:00Z")
            }
            return .number(Double(time.millisecondsSinceEpoch))
        }
        guard case .object(let operators) = value, operators.keys.contains(where: { $0.hasPrefix("$") }) else {
            return [.field(path: path, .equals(try instant(value, field)))]
        }
        var conditions: [MetadataFilter] = []
        for name in operators.keys.sorted() {
            let operand = operators[name] ?? .null
            let where_ = "\(field).\(name)"
            func number() throws(StoreError) -> Double {
                if isTimestamp, let millis = try instant(operand, where_).doubleValue { return millis }
                guard let number = operand.doubleValue else { throw .invalid(field: where_, message: "must be a number") }
                return number
            }
            func list() throws(StoreError) -> [JSONValue] {
                guard case .array(let items) = operand else { throw .invalid(field: where_, message: "must be an array") }
                var values: [JSONValue] = []
                for (index, item) in items.enumerated() { values.append(try instant(item, "\(where_)[\(index)]")) }
                return values
            }
            let condition: FieldCondition
            switch name {
            case "$eq": condition = .equals(try instant(operand, where_))
            case "$ne": condition = .notEquals(try instant(operand, where_))
            case "$gt": condition = .greaterThan(try number())
            case "$gte": condition = .greaterThanOrEqual(try number())
            case "$lt": condition = .lessThan(try number())
            case "$lte": condition = .lessThanOrEqual(try number())
            case "$in": condition = .among(try list())
            case "$nin": condition = .notAmong(try list())
            case "$exists":
                guard case .bool(let flag) = operand else { throw .invalid(field: where_, message: "must be true or false") }
                condition = .exists(flag)
            default:
                throw .invalid(field: where_, message: "unknown operator (use $eq, $ne, $gt, $gte, $lt, $lte, $in, $nin or $exists)")
            }
            conditions.append(.field(path: path, condition))
        }
        return conditions
    }

    /// Whether a memory with this metadata (and, for `createdAt`/`updatedAt`, these times)
    /// satisfies the filter.
    public func matches(_ metadata: JSONValue, createdAt: Timestamp? = nil, updatedAt: Timestamp? = nil) -> Bool {
        switch self {
        case .all(let parts): return parts.allSatisfy { $0.matches(metadata, createdAt: createdAt, updatedAt: updatedAt) }
        case .any(let parts): return parts.contains { $0.matches(metadata, createdAt: createdAt, updatedAt: updatedAt) }
        case .not(let part): return !part.matches(metadata, createdAt: createdAt, updatedAt: updatedAt)
        case .field(let path, let condition):
            if path.count == 1, MetadataFilter.timestampFields.contains(path[0]) {
                let time = path[0] == "createdAt" ? createdAt : updatedAt
                return condition.holds(for: time.map { .number(Double($0.millisecondsSinceEpoch)) })
            }
            var value: JSONValue? = metadata
            for segment in path { value = value?.objectValue?[segment] }
            return condition.holds(for: value)
        }
    }
}

extension MetadataFilter.FieldCondition {
    func holds(for value: JSONValue?) -> Bool {
        switch self {
        case .exists(let expected): return (value != nil) == expected
        case .equals(let expected): return value.map { $0.looselyEquals(expected) || $0.arrayContains(expected) } ?? false
        case .notEquals(let expected): return !(value.map { $0.looselyEquals(expected) || $0.arrayContains(expected) } ?? false)
        case .among(let options): return value.map { item in options.contains { item.looselyEquals($0) || item.arrayContains($0) } } ?? false
        case .notAmong(let options): return !(value.map { item in options.contains { item.looselyEquals($0) || item.arrayContains($0) } } ?? false)
        case .greaterThan(let bound): return value?.doubleValue.map { $0 > bound } ?? false
        case .greaterThanOrEqual(let bound): return value?.doubleValue.map { $0 >= bound } ?? false
        case .lessThan(let bound): return value?.doubleValue.map { $0 < bound } ?? false
        case .lessThanOrEqual(let bound): return value?.doubleValue.map { $0 <= bound } ?? false
        }
    }
}

extension JSONValue {
    /// Equality where `2` and `2.0` are the same number.
    func looselyEquals(_ other: JSONValue) -> Bool {
        if let left = doubleValue, let right = other.doubleValue { return left == right }
        return self == other
    }

    func arrayContains(_ element: JSONValue) -> Bool {
        guard case .array(let items) = self else { return false }
        return items.contains { $0.looselyEquals(element) }
    }
}
