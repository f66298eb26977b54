import Foundation
import PatronTestSupport
import Testing

/// A load on Citus commits on every worker it wrote to by two-phase commit, so that a worker
/// crashing at the commit cannot lose its part of a load the coordinator committed
/// (sql/models/citus_distribution.sql, begin_distributed_load; docs/scale-out.md, "Fault
/// injection"). Read from Citus's own log of the commands it sends (citus.log_remote_commands).
@Suite("Citus: a load's writes take part in the two-phase commit on every worker",
       .enabled(if: CitusCluster.url != nil, "skipped: no Citus cluster (scripts/test starts one where Citus is installed: scripts/citus-local build SRC)"))
struct CitusCommitTests {
    /// The loader's pattern: a read of every shard, then rows from a temporary table, which
    /// Citus sends to the shards by COPY, into tables of two co-location groups. `first` is the
    /// statement that opens the transaction.
    static func transaction(schema: String, first: String, keys: ClosedRange<Int>) -> String {
        """
        SET citus.log_remote_commands = on;
        SET client_min_messages = notice;
        SET search_path = \(schema), pg_catalog;
        BEGIN;
        \(first);
        SELECT count(*) FROM customer_identifiers WHERE source = 'nowhere';
        SELECT count(*) FROM customers WHERE created_by_run = -1;
        CREATE TEMP TABLE staged AS SELECT g::bigint AS customer_key FROM generate_series(\(keys.lowerBound), \(keys.upperBound)) AS g;
        INSERT INTO customers (customer_key) SELECT customer_key FROM staged;
        INSERT INTO customer_identifiers (value, kind, source, customer_key)
        SELECT 'c' || customer_key || '@commit.test', 'email', '', customer_key FROM staged;
        COMMIT;
        """
    }

    /// Per connection that Citus opened (by its connectionId): whether it wrote, and how it
    /// committed.
    struct Connection { var server = ""; var wrote = false; var prepared = false; var plainCommit = false }

    static func connections(inLog log: String) -> [String: Connection] {
        var result: [String: Connection] = [:]
        var command: String?
        for line in log.split(separator: "\n").map(String.init) {
            if let range = line.range(of: "NOTICE:  issuing ") {
                command = String(line[range.upperBound...])
            } else if let command, let id = line.range(of: "connectionId: "), let server = line.range(of: "on server ") {
                var connection = result[String(line[id.upperBound...]), default: Connection()]
                connection.server = String(line[server.upperBound..<id.lowerBound]).trimmingCharacters(in: .whitespaces)
                if ["COPY ", "INSERT ", "UPDATE ", "DELETE "].contains(where: command.hasPrefix) { connection.wrote = true }
                if command.hasPrefix("PREPARE TRANSACTION") { connection.prepared = true }
                if command == "COMMIT" { connection.plainCommit = true }
                result[String(line[id.upperBound...])] = connection
            }
            if line.contains("connectionId: ") { command = nil }
        }
        return result
    }

    func run(_ cluster: CitusCluster, _ script: String) throws -> String {
        let run = try cluster.psqlScript(script)
        try #require(run.status == 0, "psql failed:\n\(run.stderr.suffix(2000))")
        return run.stderr
    }

    @Test("begin_distributed_load: every connection that wrote gets PREPARE TRANSACTION; without it, one does not")
    func everyWriterPrepares() throws {
        let cluster = try #require(CitusCluster.url.map(CitusCluster.init))
        let schema = "dist_commit"
        _ = try cluster.psql("DROP SCHEMA IF EXISTS \(schema) CASCADE")  // (a cluster kept from an earlier run)
        let migrated = try PatronProcess.run(["migrate", "--citus", "--schema", schema], url: cluster.url)
        try #require(migrated.status == 0, "\(migrated.stderr)")

        let guarded = Self.connections(inLog: try run(cluster, Self.transaction(
            schema: schema, first: "SELECT begin_distributed_load()", keys: 1_000_001...1_000_200)))
        let writers = guarded.values.filter(\.wrote)
        // 200 customers over 32 shards: both workers got rows.
        #expect(Set(writers.map(\.server)).count == 2, "\(guarded)")
        #expect(writers.allSatisfy { $0.prepared && !$0.plainCommit }, "a writing connection committed without PREPARE: \(guarded)")

        // The control, with Citus 12.1 as scripts/citus-local builds it: the same statements
        // without begin_distributed_load leave a connection that received COPY rows after its
        // read to a plain COMMIT. (If a later Citus counts those writes, this expectation fails
        // and begin_distributed_load may go.)
        let unguarded = Self.connections(inLog: try run(cluster, Self.transaction(
            schema: schema, first: "SELECT false", keys: 1_000_201...1_000_400)))
        #expect(unguarded.values.contains { $0.wrote && $0.plainCommit && !$0.prepared }, "\(unguarded)")

        let stored = try cluster.psql("SELECT count(*) FROM \(schema).customers WHERE customer_key > 1000000")
        #expect(stored == "400")
    }
}
