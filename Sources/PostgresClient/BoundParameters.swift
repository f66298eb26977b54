/// Statement parameters laid out for PQexecParams / PQsendQueryParams.
///
/// All values live NUL-terminated in ONE contiguous buffer, and the `const char *` array
/// pointing into it is built inside `withUnsafeValues`, so no pointer outlives its storage.
struct BoundParameters {
    private var storage: [UInt8] = []
    /// Start of each value in `storage`; nil for SQL NULL.
    private var offsets: [Int?] = []
    /// Parameter type OIDs (`paramTypes`), or nil to let the server infer every type.
    private let types: [UInt32]?

    init(_ parameters: [(any PostgresBindable)?], types: [UInt32]? = nil, statement: String) throws {
        if let types, types.count != parameters.count {
            throw PostgresError(kind: .client, message: "\(types.count) parameter types for \(parameters.count) parameters", statement: statement)
        }
        self.types = types
        offsets.reserveCapacity(parameters.count)
        for (index, parameter) in parameters.enumerated() {
            guard let parameter else {
                offsets.append(nil)
                continue
            }
            let start = storage.count
            storage.append(contentsOf: parameter.postgresText.utf8)
            // libpq takes C strings: an embedded NUL would silently cut the value short.
            if storage[start...].contains(0) {
                throw PostgresError(
                    kind: .client,
                    message: "parameter $\(index + 1) contains a NUL byte, which PostgreSQL text values cannot hold",
                    statement: statement
                )
            }
            storage.append(0)
            offsets.append(start)
        }
    }

    var count: Int32 { Int32(offsets.count) }

    /// Calls `body` with the `paramTypes` array (nil: inferred); valid only during the call.
    func withUnsafeTypes<R>(_ body: (UnsafePointer<UInt32>?) throws -> R) rethrows -> R {
        guard let types else { return try body(nil) }
        return try types.withUnsafeBufferPointer { try body($0.baseAddress) }
    }

    /// Calls `body` with the `paramValues` array; valid only during the call.
    func withUnsafeValues<R>(_ body: (UnsafePointer<UnsafePointer<CChar>?>?) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer { bytes in
            try bytes.withMemoryRebound(to: CChar.self) { chars in
                let values: [UnsafePointer<CChar>?] = offsets.map { offset in
                    guard let offset, let base = chars.baseAddress else { return nil }
                    return base + offset
                }
                return try values.withUnsafeBufferPointer { try body($0.baseAddress) }
            }
        }
    }
}
