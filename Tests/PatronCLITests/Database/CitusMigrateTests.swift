import Foundation
import PatronTestSupport
import Testing

/// `patron migrate --citus` where Citus is not installed (the test cluster is plain
/// PostgreSQL): a configuration error that says what to do, and a warehouse that still works
/// on one server. The distributed path itself is checked on a Citus cluster (docs/scale-out.md).
@Suite("migrate --citus without Citus")
struct CitusMigrateTests {
    @Test("refused with exit 78 naming the extension; the single-node warehouse is left working")
    func withoutCitus() throws {
        let w = try ScratchWarehouse()
        let refused = try PatronProcess.run(["migrate", "--citus", "--schema", w.schema], url: w.url)
        #expect(refused.status == 78, "\(refused.stderr)")
        #expect(refused.stderr.contains("citus extension is not installed"), "\(refused.stderr)")
        #expect(refused.stderr.contains("CREATE EXTENSION citus"), "\(refused.stderr)")
        // Nothing distributed, the summaries' triggers kept: a load and an analysis work as before.
        #expect(try w.value("SELECT is_distributed_by_customer('purchases')::text") == "false")
        #expect(try w.value("SELECT count(*)::text FROM pg_trigger WHERE tgrelid = 'purchases'::regclass AND NOT tgisinternal") == "3")
        let file = try w.write("p.csv", "order_id,customer_id,ordered_at,amount,currency\nA1,C1,2024-01-05T10:00:00Z,5,EUR\n")
        let loaded = try PatronProcess.run(["load", "purchases", file, "--source", "shop", "--schema", w.schema], url: w.url)
        #expect(loaded.status == 0, "\(loaded.stderr)")
        let revenue = try PatronProcess.run(["run", "revenue", "--schema", w.schema, "--format", "csv"], url: w.url)
        #expect(revenue.status == 0, "\(revenue.stderr)")
        #expect(revenue.stdout.contains("2024-01-01"), "\(revenue.stdout)")
    }

    @Test("--check with --citus is a usage error: --check changes nothing")
    func checkAndCitus() throws {
        let w = try ScratchWarehouse()
        let refused = try PatronProcess.run(["migrate", "--check", "--citus", "--schema", w.schema], url: w.url)
        #expect(refused.status == 64, "\(refused.stderr)")
        #expect(refused.stderr.contains("--check and --citus cannot be combined"), "\(refused.stderr)")
    }
}
