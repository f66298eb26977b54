import ArgumentParser
import PatronCore

@main
struct Patron: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "patron",
        abstract: "Customer-journey warehouse and analytics on PostgreSQL.",
        discussion: """
            Loads help-desk, shop, survey and social exports into one warehouse and answers \
            questions across them. Exit codes: 0 ok, 2 some rows rejected, 3 a file failed to \
            load (nothing of it stored), 4 database error, 5 lock busy (--no-wait), 6 analysis cannot be computed from the data, \
            7 no customer has that identifier, 8 the identifier matches several customers, \
            64 usage, 78 configuration (including a privilege the role lacks), 1 internal error.
            """,
        version: "0.1.0",
        subcommands: [LoadCommand.self, ImportCommand.self, SyncCommand.self, StatusCommand.self, RejectsCommand.self, MigrateCommand.self, GrantCommand.self,
                      ListCommand.self, DescribeCommand.self, RunCommand.self, ReportCommand.self, CustomerCommand.self, DemoCommand.self]
    )
}
