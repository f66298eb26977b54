/// The six kinds of input Patron loads (docs/inputs.md, "Entities"). Their columns and rules
/// are the loader's (`EntitySpec`, in PatronLoad).
public enum Entity: String, CaseIterable, Sendable {
    case customers, purchases, returns, tickets, mentions, surveys

    /// The table that holds the entity's rows.
    public var table: String { self == .customers ? "customer_profiles" : rawValue }
}
