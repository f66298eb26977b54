import Foundation
import Testing
import PatronCore
import PatronImport
import PatronInput
import PatronLoad
import PatronTestSupport

extension ScratchWarehouse {
    /// Imports `paths` as `patron import VENDOR` does: recognized, in reading order, one
    /// transaction per file.
    @discardableResult
    func importFiles<I: VendorImporter>(_ type: I.Type, _ paths: [String], source: String,
                                        settings: ImportSettings = ImportSettings(),
                                        _ configure: (inout LoadOptions) -> Void = { _ in }) throws -> [ImportReport] {
        let importer = I(settings: settings)
        let loader = Loader(warehouse: warehouse)
        return try importer.recognizeAll(paths).map { path, kind in
            var options = LoadOptions(entity: kind.entities[0])
            options.source = source
            // As `patron import` does: the vendor's zone is also the load's zone.
            options.timeZone = settings.timeZone
            configure(&options)
            return try loader.importFile(path: path, kind: kind, importer: importer, options: options)
        }
    }

    /// Every stored row of the entity tables, without the keys and run ids that differ between
    /// two warehouses loaded the same way: equal snapshots mean the same rows were stored.
    func entitySnapshot() throws -> [String: [String]] {
        var snapshot: [String: [String]] = [:]
        for table in ["customer_profiles", "purchases", "returns", "tickets", "surveys", "mentions"] {
            snapshot[table] = try rows("""
                SELECT (to_jsonb(t) - ARRAY['customer_key', 'loaded_by_run', 'changed_by_run'])::text
                FROM \(table) AS t ORDER BY 1
                """).map { $0[0] ?? "" }
        }
        snapshot["identifiers"] = try rows("SELECT kind || ':' || source || ':' || value FROM customer_identifiers ORDER BY 1").map { $0[0] ?? "" }
        return snapshot
    }
}

/// Converts `paths` to canonical CSV files (`--convert-to`), loads those with `patron load`'s
/// loader into one warehouse and imports `paths` into another: both must store the same rows.
/// Returns the importing warehouse and its reports.
func expectConvertedEqualsImported<I: VendorImporter>(_ type: I.Type, _ paths: [String], source: String,
                                                      settings: ImportSettings = ImportSettings(),
                                                      prepare: (ScratchWarehouse) throws -> Void = { _ in },
                                                      sourceLocation: SourceLocation = #_sourceLocation) throws
    -> (warehouse: ScratchWarehouse, reports: [ImportReport]) {
    let viaFiles = try ScratchWarehouse()
    try prepare(viaFiles)
    let importer = I(settings: settings)
    let folder = viaFiles.directory.appendingPathComponent("converted")
    let writer = try CanonicalFileWriter(directory: folder, format: .csv, columns: { importer.filledColumns(for: $0) })
    for (path, kind) in try importer.recognizeAll(paths) {
        try importer.convert(try InputFile(path: path), kind: kind, into: writer)
    }
    try writer.finish()
    for entity in Entity.allCases.sorted(by: { ($0 == .customers ? 0 : 1) < ($1 == .customers ? 0 : 1) }) {
        guard let path = writer.path(of: entity) else { continue }
        // With the import's zone: a value the importer passed on as written (a local time in a
        // daylight-saving gap) is then read, and rejected, the same way.
        _ = try viaFiles.load(entity, path: path, source: source) { $0.timeZone = settings.timeZone }
    }

    let imported = try ScratchWarehouse()
    try prepare(imported)
    let reports = try imported.importFiles(type, paths, source: source, settings: settings)
    #expect(try imported.entitySnapshot() == viaFiles.entitySnapshot(), sourceLocation: sourceLocation)
    return (imported, reports)
}
