import ArgumentParser
import PatronCore

struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or upgrade the warehouse schema (sql/migrations), each migration once.",
        discussion: "`patron load` does this by itself when needed. --check lists pending migrations and changes nothing."
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Only list the migrations that would be applied.")
    var check = false

    func run() throws {
        try reportingErrors {
            let logger = global.makeLogger("patron.migrate")
            let warehouse = try global.openWarehouse(logger: logger)
            let migrator = Migrator(warehouse: warehouse)
            if check {
                let pending = try migrator.pending()
                for migration in pending { Terminal.output("\(migration.id)\n") }
                if !global.quiet { Terminal.line("\(pending.count) pending migration(s) for schema \(warehouse.schema)") }
                return .success
            }
            let applied = try migrator.migrate()
            for migration in applied { logger.info("applied migration \(migration.id)") }
            if !global.quiet { Terminal.line("schema \(warehouse.schema) is up to date (\(applied.count) applied now)") }
            return .success
        }
    }
}
