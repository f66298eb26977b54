import ArgumentParser
import PatronCore

struct GrantCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grant",
        abstract: "Give an existing role the privileges of a reader or a loader on Patron's schema.",
        discussion: """
            Run by the schema's owner (the role that ran `patron migrate`), on an up-to-date schema. \
            A reader may run every analysis, status and rejects; a loader may also load, import and \
            sync, but never changes the schema. Tables, views and functions that the owner's later \
            migrations create are covered too. The role must exist (CREATE ROLE … LOGIN); Patron \
            never creates roles or sets passwords. See docs/deploying.md.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("A role to make a reader: analyses, status, rejects.", valueName: "role"))
    var reader: [String] = []

    @Option(help: ArgumentHelp("A role to make a loader: load, import, sync (and read).", valueName: "role"))
    var loader: [String] = []

    func validate() throws {
        if reader.isEmpty && loader.isEmpty { throw ValidationError("name a role with --reader ROLE or --loader ROLE") }
        if (reader + loader).contains(where: \.isEmpty) { throw ValidationError("a role name must not be empty") }
    }

    func run() throws {
        try reportingErrors {
            let logger = global.makeLogger("patron.grant")
            let warehouse = try global.openWarehouse(logger: logger)
            let grants = Grants(warehouse: warehouse)
            for (kind, roles) in [(GrantedRole.reader, reader), (.loader, loader)] {
                for role in roles {
                    let report = try grants.grant(kind, to: role)
                    if !global.quiet {
                        Terminal.line("role \(role) may now \(kind.ability) in schema \(warehouse.schema)")
                    }
                    // Granted to PUBLIC by default; only the database's owner can give them back.
                    if !report.canConnect {
                        Terminal.line("patron: warning: role \(role) may not connect to database \(report.database): "
                            + "its owner can run `GRANT CONNECT ON DATABASE \(report.database) TO \(role)`")
                    }
                    if !report.canUseTemp {
                        Terminal.line("patron: warning: role \(role) may not create temporary tables in database \(report.database), "
                            + "which loads and `clv --method predictive` need: its owner can run "
                            + "`GRANT TEMPORARY ON DATABASE \(report.database) TO \(role)`")
                    }
                }
            }
            return .success
        }
    }
}
