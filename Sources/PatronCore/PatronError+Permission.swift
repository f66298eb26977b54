import PostgresClient

/// SQLSTATE 42501 (insufficient_privilege), as Patron reports it. PostgreSQL's message names
/// the object ("permission denied for table load_runs") but not the privilege, nor what to do:
/// Patron adds the privilege the statement needed, the statement itself, and which
/// `patron grant` (or `patron migrate` by the owner) gives it. A missing privilege is a
/// deployment's configuration, not a passing database failure: exit 78.
extension PostgresError {
    public static let insufficientPrivilege = "42501"

    public var isInsufficientPrivilege: Bool { sqlState == Self.insufficientPrivilege }

    /// The message for a 42501 error; nil for any other.
    var permissionExplanation: String? {
        guard isInsufficientPrivilege else { return nil }
        let needed = neededPrivilege
        var text = message
        if let privilege = needed.privilege { text += " (the statement needs \(privilege))" }
        if let excerpt = statementExcerpt { text += " in `\(excerpt)`" }
        if let context, let first = context.split(separator: "\n").first { text += ", \(first)" }
        text += ". " + needed.remedy + "; see docs/deploying.md"
        return text
    }

    /// The privilege this error lacked, from the kind of object PostgreSQL names and the
    /// statement's first word, and who can give it.
    private var neededPrivilege: (privilege: String?, remedy: String) {
        let reader = "The schema's owner can give a role what analyses, status and rejects need with `patron grant --reader ROLE`"
        let loader = "The schema's owner can give a role what loads need with `patron grant --loader ROLE`"
        // `patron migrate` words its own refusal (Migrator.upgrade): creating a schema or a
        // table anywhere else is `run --into`'s.
        let into = "`run --into` writes only where its role may create tables: ask the owner for that privilege, or choose another schema"
        let verb = statementVerb
        if message.contains("to create temporary tables") {
            return ("TEMPORARY on the database", "The database's owner can give it with `GRANT TEMPORARY ON DATABASE … TO ROLE` (PostgreSQL grants it to PUBLIC by default)")
        }
        if message.contains("for database") {
            return ("CREATE on the database, to create a schema", into)
        }
        if message.contains("for schema") {
            return verb == "CREATE" ? ("CREATE on the schema", into) : ("USAGE on the schema", reader)
        }
        if message.contains("for sequence") { return ("USAGE and UPDATE on the sequence", loader) }
        if message.contains("for function") || message.contains("for procedure") { return ("EXECUTE", reader) }
        if message.hasPrefix("must be owner") {
            return ("ownership of the object", "Only the object's owner may do that: run the command as the schema's owner")
        }
        switch verb {
        case "SELECT", "WITH", "TABLE": return ("SELECT", reader)
        case "INSERT", "UPDATE", "DELETE", "MERGE": return (verb, loader)
        case "COPY": return ("INSERT", loader)
        default: return (nil, "The schema's owner can give a role what it needs with `patron grant --reader ROLE` or `patron grant --loader ROLE`")
        }
    }

    /// The statement's first SQL word, upper-cased, after any leading comment lines: of the
    /// innermost statement, when a function ran it (`SQL statement "INSERT …"` in the context).
    private var statementVerb: String? {
        let nested = context?.range(of: "SQL statement \"").map { String(context![$0.upperBound...]) }
        guard let sql = nested ?? internalQuery ?? statement else { return nil }
        let code = sql.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .first { !$0.isEmpty && !$0.hasPrefix("--") }
        return code?.split(whereSeparator: { !$0.isLetter }).first.map { $0.uppercased() }
    }

    /// The statement's first line of code, cut short: enough to find it in sql/.
    private var statementExcerpt: String? {
        guard let sql = internalQuery ?? statement else { return nil }
        guard let line = sql.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) })
            .first(where: { !$0.isEmpty && !$0.hasPrefix("--") }) else { return nil }
        return line.count > 80 ? String(line.prefix(77)) + "…" : line
    }
}
