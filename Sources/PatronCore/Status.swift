import Foundation
import PostgresClient

/// What is in the warehouse: per entity the rows stored, their time span and the last load;
/// and the rows a load rejected.
public struct WarehouseStatus {
    let warehouse: Warehouse

    public init(warehouse: Warehouse) { self.warehouse = warehouse }

    public func entities() throws -> TextTable {
        try table("entities")
    }

    public func customers() throws -> TextTable {
        try table("customers")
    }

    public func recentRuns(limit: Int) throws -> TextTable {
        try table("runs", [limit])
    }

    /// Whether load run `id` exists.
    public func runExists(_ id: Int64) throws -> Bool {
        try table("run_exists", [id]).rows.first?.first??.hasPrefix("t") == true
    }

    /// Per entity and source: rows stored, the latest event and the last load (`patron report`).
    public func freshness() throws -> TextTable {
        try table("freshness")
    }

    /// Rejected rows of one run, or of the latest run that rejected any.
    public func rejects(run: Int64?) throws -> TextTable {
        try table("rejects", [run])
    }

    /// What an import left out on purpose, and the junk identifiers it dropped.
    public func skipped(run: Int64?) throws -> TextTable {
        try table("skipped", [run])
    }

    private func table(_ name: String, _ parameters: [PostgresBindable?] = []) throws -> TextTable {
        let queries = try warehouse.sql.queries("internal/status.sql")
        return try warehouse.run {
            let result = try warehouse.connection.execute(try queries[name], parameters)
            return TextTable(columns: result.columns.map(\.name),
                             rows: result.rows.map { row in (0..<result.columns.count).map { row[$0] } })
        }
    }
}
