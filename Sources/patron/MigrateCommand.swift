import ArgumentParser
import PatronCore

struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or upgrade the warehouse schema (sql/migrations, each once), then its models (sql/models).",
        discussion: """
            `patron load` does this by itself when needed. --check lists pending migrations and out-of-date models, \
            changes nothing, and exits 0 when the schema is up to date, 78 when `patron migrate` would change it (for CI). \
            A schema migrated by a newer Patron is refused with exit 78.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Only list the migrations that would be applied and the models that would be created again; exit 78 if there are any.")
    var check = false

    @Flag(help: ArgumentHelp(
        "Then distribute the warehouse on the Citus coordinator this connects to (work in progress: docs/scale-out.md).",
        discussion: "Needs the citus extension in the database, with its workers added (scripts/citus-local start). Running it again changes nothing."))
    var citus = false

    func validate() throws {
        if check && citus { throw ValidationError("--check and --citus cannot be combined: --check changes nothing") }
    }

    func run() throws {
        try reportingErrors {
            let logger = global.makeLogger("patron.migrate")
            let warehouse = try global.openWarehouse(logger: logger)
            let migrator = Migrator(warehouse: warehouse)
            if check {
                let status = try migrator.status()
                for migration in status.pendingMigrations { Terminal.output("\(migration.id)\n") }
                for migration in status.supersededMigrations { Terminal.output("\(migration.id) (recorded checksum superseded)\n") }
                for model in status.staleModels { Terminal.output("\(model.file)\n") }
                for name in status.removedModels { Terminal.output("models/\(name).sql (removed)\n") }
                if !global.quiet {
                    Terminal.line("\(status.pendingMigrations.count) pending migration(s), \(status.supersededMigrations.count) superseded, "
                        + "\(status.staleModels.count + status.removedModels.count) model(s) out of date for schema \(warehouse.schema)")
                }
                // Not up to date is what CI gates on: EX_CONFIG, as `run` reports the same schema.
                return status.isUpToDate ? .success : .configuration
            }
            let report = try migrator.upgrade()
            for migration in report.applied { logger.info("applied migration \(migration.id)") }
            for migration in report.rerecorded { logger.info("recorded the new checksum of migration \(migration.id) (it supersedes the applied text)") }
            if !report.modelsCreated.isEmpty { logger.info("created \(report.modelsCreated.count) models again") }
            if citus {
                let distributed = try migrator.distributeOnCitus()
                logger.info(distributed ? "distributed the tables on Citus (docs/scale-out.md)" : "the tables were distributed on Citus already")
            } else if try migrator.isDistributedPartly() {
                logger.warning("schema \(warehouse.schema) was distributed on Citus by an earlier Patron, which left some tables on the coordinator: run `patron migrate --citus` to distribute them too (docs/scale-out.md)")
            }
            if !global.quiet {
                Terminal.line("schema \(warehouse.schema) is up to date (\(report.applied.count) migration(s) applied now, "
                    + "\(report.modelsCreated.isEmpty ? "models unchanged" : "\(report.modelsCreated.count) models created"))")
            }
            return .success
        }
    }
}
