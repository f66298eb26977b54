import PatronCore
import PatronInput

extension Entity {
    package var spec: EntitySpec { EntitySpec.of(self) }

    /// The column holding the row's id in its source (order_id, ticket_id, …).
    package var idColumn: String { spec.columns[0].name }

    /// The named-statement file that loads this entity.
    package var loadSQLFile: String { "load/\(rawValue).sql" }
}

/// How one input column is validated and what it becomes in the staging table.
package enum ValueKind: Sendable {
    /// The row's id in its source: trimmed, must not be empty. Also a reference to a row
    /// (`order_id`, `ticket_id`) or to a source (`ticket_source`): trimmed, empty is NULL.
    case sourceID
    case customerID, email, phone, handle
    /// Free text, stored exactly as given.
    case text
    /// Trimmed and lower-cased (mention platforms).
    case lowercasedName
    case timestamp
    case money
    case currency
    case enumeration([String])
    /// A non-negative integer that fits Postgres `integer`.
    case count
    /// A non-negative integer that fits `bigint`.
    case bigCount
    /// An integer score in a range, stored as `smallint`.
    case score(ClosedRange<Int64>)
    case boolean
    case sentiment

    package var isIdentifier: Bool {
        switch self {
        case .customerID, .email, .phone, .handle: return true
        default: return false
        }
    }
}

package struct ColumnSpec: Sendable {
    package let name: String
    package let kind: ValueKind
    package let required: Bool
    /// What the column gets when a row is first inserted without a value: the entity's
    /// `insert` statement (sql/load/<entity>.sql) applies it on the staging path, the direct
    /// path applies it in the client (DirectRowFramer). nil: NULL.
    package var insertDefault: InsertDefault? = nil
}

/// A value the loader fills in for an empty column when it inserts a row.
package enum InsertDefault: Sendable, Equatable {
    /// `--currency` (or $PATRON_CURRENCY, else USD); also for an empty currency on update.
    case defaultCurrency
    /// A fixed value, e.g. a purchase's status `completed`.
    case constant(String)
    /// `present` when the named column of the row has a value, else `absent`: a ticket's
    /// status is `solved` when it has a resolved_at, else `open`.
    case dependsOn(column: String, present: String, absent: String)
}

/// One entity's input contract: its columns in staging order, and the rules that span columns.
package struct EntitySpec: Sendable {
    package let entity: Entity
    package let columns: [ColumnSpec]
    /// At least one of these must be given (customer identifiers; for returns also order_id).
    package let oneOfRequired: [String]
    /// Whether rows carry customer identifiers to resolve (all but mentions).
    package let resolvesCustomers: Bool

    package var columnNames: [String] { columns.map(\.name) }
    /// Whether rows carry handle_key, their handle or else ':' + their id (mentions; migration
    /// 0014), which links them to a customer and places them on a Citus shard.
    package var placedByHandle: Bool { entity == .mentions }
    /// Whether the entity's load statements take the default currency as `$3`.
    package var usesDefaultCurrency: Bool { columns.contains { $0.insertDefault == .defaultCurrency } }
    package var requiredNames: Set<String> { Set(columns.filter(\.required).map(\.name)) }
    package func index(of name: String) -> Int? { columns.firstIndex { $0.name == name } }

    package static func of(_ entity: Entity) -> EntitySpec {
        switch entity {
        case .customers: return customers
        case .purchases: return purchases
        case .returns: return returns
        case .tickets: return tickets
        case .mentions: return mentions
        case .surveys: return surveys
        }
    }

    private static func req(_ name: String, _ kind: ValueKind) -> ColumnSpec { ColumnSpec(name: name, kind: kind, required: true) }
    private static func opt(_ name: String, _ kind: ValueKind, default insertDefault: InsertDefault? = nil) -> ColumnSpec {
        ColumnSpec(name: name, kind: kind, required: false, insertDefault: insertDefault)
    }

    static let customers = EntitySpec(
        entity: .customers,
        columns: [
            req("customer_id", .customerID), opt("email", .email), opt("phone", .phone), opt("handle", .handle),
            opt("name", .text), opt("country", .text), opt("signup_at", .timestamp), opt("segment", .text),
        ],
        oneOfRequired: [], resolvesCustomers: true)

    static let purchases = EntitySpec(
        entity: .purchases,
        columns: [
            req("order_id", .sourceID), opt("customer_id", .customerID), opt("email", .email), opt("phone", .phone),
            req("ordered_at", .timestamp), req("amount", .money), opt("currency", .currency, default: .defaultCurrency),
            opt("channel", .text), opt("items", .count),
            opt("status", .enumeration(["completed", "cancelled"]), default: .constant("completed")),
        ],
        oneOfRequired: ["customer_id", "email", "phone"], resolvesCustomers: true)

    static let returns = EntitySpec(
        entity: .returns,
        columns: [
            req("return_id", .sourceID), opt("order_id", .sourceID), opt("customer_id", .customerID),
            opt("email", .email), opt("phone", .phone), req("returned_at", .timestamp), req("amount", .money),
            opt("currency", .currency, default: .defaultCurrency), opt("reason", .text),
        ],
        oneOfRequired: ["customer_id", "email", "phone", "order_id"], resolvesCustomers: true)

    static let tickets = EntitySpec(
        entity: .tickets,
        columns: [
            req("ticket_id", .sourceID), opt("customer_id", .customerID), opt("email", .email), opt("phone", .phone),
            opt("handle", .handle), req("created_at", .timestamp),
            opt("channel", .enumeration(["email", "chat", "phone", "social", "web", "other"])),
            opt("category", .text), opt("priority", .text),
            opt("status", .enumeration(["new", "open", "pending", "solved", "closed"]),
                default: .dependsOn(column: "resolved_at", present: "solved", absent: "open")),
            opt("agent", .text), opt("first_response_at", .timestamp), opt("resolved_at", .timestamp),
            opt("reopens", .count), opt("agent_replies", .count), opt("customer_replies", .count),
            opt("handle_seconds", .bigCount), opt("csat", .score(1...5)), opt("ces", .score(1...7)),
        ],
        oneOfRequired: ["customer_id", "email", "phone", "handle"], resolvesCustomers: true)

    static let mentions = EntitySpec(
        entity: .mentions,
        columns: [
            req("mention_id", .sourceID), req("platform", .lowercasedName), opt("handle", .handle),
            req("posted_at", .timestamp), opt("text", .text), opt("sentiment", .sentiment),
            opt("is_complaint", .boolean), opt("reach", .bigCount), opt("responded_at", .timestamp),
        ],
        oneOfRequired: [], resolvesCustomers: false)

    static let surveys = EntitySpec(
        entity: .surveys,
        columns: [
            req("response_id", .sourceID), opt("customer_id", .customerID), opt("email", .email), opt("phone", .phone),
            req("kind", .enumeration(["nps", "csat", "ces"])), req("score", .score(0...10)),
            req("responded_at", .timestamp), opt("ticket_id", .sourceID),
            // The source of the ticket ticket_id names; empty: the survey's own (a source name is
            // trimmed and compared exactly, like --source).
            opt("ticket_source", .sourceID), opt("comment", .text),
        ],
        oneOfRequired: ["customer_id", "email", "phone"], resolvesCustomers: true)
}

extension EntitySpec {
    /// The columns of the entity's `copy_direct` statement, in order.
    package var directColumns: [String] {
        var names = ["source", columns[0].name]
        if resolvesCustomers { names.append("customer_key") }
        if placedByHandle { names.append("handle_key") }
        names += columns.dropFirst().map(\.name)
        return names + ["loaded_by_run", "changed_by_run"]
    }

    /// The identifier columns a direct load joins into customers: (column index, kind tag).
    /// The tag is also the identifier's column in identity_sets (1 customer_id … 4 handle).
    package var identifierColumns: [(index: Int, kind: UInt8)] {
        guard resolvesCustomers else { return [] }
        return columns.indices.compactMap { i in
            switch columns[i].kind {
            case .customerID: return (i, 1)
            case .email: return (i, 2)
            case .phone: return (i, 3)
            case .handle: return (i, 4)
            default: return nil
            }
        }
    }
}

extension EntitySpec {
    /// A CSV header with none of the columns of which a row needs one (customer_id, email, …)
    /// fails the whole file: every row would be rejected. Checked on the file's first row.
    package func checkHeader(firstRow row: InputRow, format: InputFormat, file: String) throws {
        let groupIndexes = oneOfRequired.compactMap(index(of:))
        guard format == .csv, !groupIndexes.isEmpty, !groupIndexes.contains(where: { row.present[$0] }) else { return }
        throw InputError(file: file, line: 1, column: nil,
                         message: "the header has none of \(oneOfRequired.joined(separator: ", ")); at least one is required")
    }
}
