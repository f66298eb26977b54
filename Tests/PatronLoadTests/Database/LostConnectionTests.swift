import Foundation
import PatronCore
import PatronLoad
import PostgresClient
import PatronTestSupport
import Testing

/// A load whose connection is lost midway changes nothing, and is still recorded as failed:
/// Patron connects once more to write its `load_runs` row.
@Suite("A lost connection mid-load")
struct LostConnectionTests {
    /// Terminates the loader's backend (from another connection) when the first progress
    /// report arrives, i.e. while rows are streaming.
    final class Saboteur: LoadProgress {
        let killer: Connection
        let victimPID: Int32
        var done = false

        init(url: String, victimPID: Int32) throws {
            killer = try Connection(conninfo: url)
            self.victimPID = victimPID
        }

        func rowsRead(_ rows: Int64, bytesRead: Int64, totalBytes: Int64?) {
            guard !done else { return }
            done = true
            _ = try? killer.execute("SELECT pg_terminate_backend($1, 10000)", [victimPID])
        }

        func phase(_ description: String) {}
    }

    @Test("the failed run is recorded after reconnecting, and nothing else changed", arguments: [true, false])
    func failedRunIsRecorded(direct: Bool) throws {
        let w = try ScratchWarehouse()
        _ = try w.load(.customers, "c.csv", "customer_id,email\nK1,k1@example.com\n", source: "shop")
        let before = try w.dump(excluding: ["load_runs", "rejected_rows"])
        let rows = (1...40_000).map { "O\($0),C\($0 % 500),2024-01-01,\($0 % 90 + 1)" }
        let path = try w.write("orders.csv", "order_id,customer_id,ordered_at,amount\n" + rows.joined(separator: "\n") + "\n")

        let saboteur = try Saboteur(url: w.url, victimPID: w.warehouse.connection.backendPID)
        let loader = Loader(warehouse: w.warehouse)
        loader.progress = saboteur
        var options = LoadOptions(entity: .purchases)
        options.source = "shop"
        options.directPath = direct
        let error = try #require(throws: PatronError.self) { try loader.load(path: path, options: options) }
        #expect(saboteur.done)
        #expect(error.exitStatus == .database, "\(error)")

        // The warehouse's connection works again, and the run is there.
        #expect(w.warehouse.connection.isUsable)
        let runs = try w.rows("SELECT entity, status, file, error FROM load_runs ORDER BY run_id")
        #expect(runs.count == 2)
        #expect(runs.last?[0] == "purchases")
        #expect(runs.last?[1] == "failed")
        #expect(runs.last?[2] == path)
        #expect(runs.last?[3]?.isEmpty == false)
        #expect(try w.dump(excluding: ["load_runs", "rejected_rows"]) == before)
    }
}
