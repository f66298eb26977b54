import Foundation
import PatronCore
@testable import PatronDemo
import PatronInput
import PatronLoad
import PatronTestSupport
import Testing

/// Generates a demo data set into a fresh temporary directory.
private func generateDemo(customers: Int, seed: UInt64, gzip: Bool = false) throws -> (URL, DemoManifest) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("patron-demo-\(UUID().uuidString.prefix(8))")
    let manifest = try DemoGenerator(options: DemoOptions(customers: customers, seed: seed, gzip: gzip)).generate(into: directory)
    return (directory, manifest)
}

/// Loads every file of a demo data set under its source, in the manifest's order.
private func loadDemo(_ w: ScratchWarehouse, _ directory: URL, _ manifest: DemoManifest) throws -> [String: LoadReport] {
    var reports: [String: LoadReport] = [:]
    for file in manifest.files {
        let entity = try #require(Entity(rawValue: file.entity))
        reports[file.file] = try w.load(entity, path: directory.appendingPathComponent(file.file).path, source: file.source)
    }
    return reports
}

/// Every file under `directory` (the vendor exports are in subdirectories), by relative path.
private func bytes(_ directory: URL) throws -> [String: Data] {
    var result: [String: Data] = [:]
    let enumerator = try #require(FileManager.default.enumerator(atPath: directory.path))
    while let name = enumerator.nextObject() as? String {
        var isDirectory: ObjCBool = false
        let path = directory.appendingPathComponent(name).path
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
            result[name] = try Data(contentsOf: URL(fileURLWithPath: path))
        }
    }
    return result
}

@Suite("Demo data generator")
struct DemoGeneratorTests {
    @Test("the same seed gives the same bytes; another seed other data")
    func deterministic() throws {
        let (a, _) = try generateDemo(customers: 300, seed: 7)
        let (b, _) = try generateDemo(customers: 300, seed: 7)
        let (c, _) = try generateDemo(customers: 300, seed: 8)
        defer { for d in [a, b, c] { try? FileManager.default.removeItem(at: d) } }
        let first = try bytes(a), second = try bytes(b), other = try bytes(c)
        #expect(Set(first.keys) == ["customers.csv", "purchases.csv", "returns.csv", "tickets.csv", "mentions.csv",
                                    "surveys.csv", "manifest.json", "README.md",
                                    "vendors/shopify/customers_export.csv", "vendors/shopify/orders_export.csv",
                                    "vendors/zendesk/tickets.json", "vendors/zendesk/users.json",
                                    "vendors/delighted/survey_responses.json"])
        #expect(first == second)
        for name in ["purchases.csv", "tickets.csv", "mentions.csv", "surveys.csv"] {
            #expect(first[name] != other[name], "\(name)")
        }
    }

    @Test("gzip output is reproducible and loads like the plain files")
    func gzipOutput() throws {
        let (plain, manifest) = try generateDemo(customers: 300, seed: 11)
        let (z1, zipped) = try generateDemo(customers: 300, seed: 11, gzip: true)
        let (z2, _) = try generateDemo(customers: 300, seed: 11, gzip: true)
        defer { for d in [plain, z1, z2] { try? FileManager.default.removeItem(at: d) } }
        #expect(try bytes(z1) == bytes(z2))
        #expect(zipped.files.map(\.file) == manifest.files.map { $0.file + ".gz" })
        #expect(zipped.files.map(\.rows) == manifest.files.map(\.rows))
        let w = try ScratchWarehouse()
        let report = try w.load(.tickets, path: z1.appendingPathComponent("tickets.csv.gz").path, source: "helpdesk")
        let tickets = try #require(manifest.files.first { $0.entity == "tickets" })
        #expect(report.counts.read == Int64(tickets.rows))
        #expect(report.counts.rejected == Int64(tickets.badRows))
    }

    @Test("every file loads with exactly the planted bad rows rejected, at their line and column")
    func plantedRejects() throws {
        let (directory, manifest) = try generateDemo(customers: 300, seed: 3)
        defer { try? FileManager.default.removeItem(at: directory) }
        let w = try ScratchWarehouse()
        let reports = try loadDemo(w, directory, manifest)
        for file in manifest.files {
            let report = try #require(reports[file.file])
            // 300 customers give every file more than 8 rows, so each has a planted bad row.
            #expect(file.badRows >= 1, "\(file.file)")
            #expect(report.counts.read == Int64(file.rows), "\(file.file)")
            #expect(report.counts.rejected == Int64(file.badRows), "\(file.file)")
            #expect(report.counts.inserted == Int64(file.rows - file.badRows), "\(file.file)")
            #expect(report.counts.reconciles)
            let rejected = try w.rows("SELECT line::text, column_name FROM rejected_rows WHERE run_id = $1 ORDER BY line",
                                      [try #require(report.runID)])
            #expect(rejected == file.bad.map { [String($0.line), $0.column] }, "\(file.file)")
        }
        // Loading the same files again changes nothing.
        let again = try loadDemo(w, directory, manifest)
        for file in manifest.files {
            let c = try #require(again[file.file]).counts
            #expect(c.inserted == 0 && c.updated == 0 && c.unchanged == Int64(file.rows - file.badRows), "\(file.file)")
        }
    }

    @Test("one person appears in several sources under e-mail, phone and handle")
    func identityAcrossSources() throws {
        let (directory, manifest) = try generateDemo(customers: 300, seed: 5)
        defer { try? FileManager.default.removeItem(at: directory) }
        let w = try ScratchWarehouse()
        _ = try loadDemo(w, directory, manifest)
        // Tickets never carry the shop's customer id, yet nearly all land on shop customers
        // (the exceptions: people whose shop row was broken on purpose).
        let tickets = try #require(Int(try w.value("SELECT count(*) FROM tickets") ?? ""))
        let linked = try #require(Int(try w.value("""
            SELECT count(*) FROM tickets t
            WHERE EXISTS (SELECT 1 FROM customer_profiles p WHERE p.source = 'shop' AND p.customer_key = t.customer_key)
            """) ?? ""))
        #expect(tickets > 50)
        #expect(Double(linked) >= 0.95 * Double(tickets))
        #expect(try w.value("SELECT count(*) FROM tickets WHERE customer_id IS NOT NULL") == "0")
        // Phone tickets link through a phone written differently than in the shop.
        #expect(Int(try w.value("""
            SELECT count(*) FROM tickets t JOIN customer_profiles p ON p.customer_key = t.customer_key
            WHERE t.email IS NULL AND t.phone IS NOT NULL AND p.phone = t.phone
            """) ?? "") ?? 0 > 0)
        // Surveys by e-mail land on shop customers too.
        let unlinkedSurveys = try #require(Double(try w.value("""
            SELECT count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM customer_profiles p WHERE p.customer_key = s.customer_key))::float8
                   / count(*) FROM surveys s
            """) ?? ""))
        #expect(unlinkedSurveys < 0.05)
        // Fewer customers than identifiers: people carry several.
        let customers = try w.count("customers"), identifiers = try w.count("customer_identifiers")
        #expect(customers >= 300 && customers < 310)
        #expect(identifiers > customers * 2)
        // Mentions: some by known customers (their handle), some by strangers.
        let mentions = try w.rows("""
            SELECT count(*) FILTER (WHERE ci.customer_key IS NOT NULL)::text, count(*) FILTER (WHERE ci.customer_key IS NULL)::text
            FROM mentions m LEFT JOIN customer_identifiers ci ON ci.kind = 'handle' AND ci.value = m.handle
            """)[0]
        #expect(Int(mentions[0] ?? "") ?? 0 > 10)
        #expect(Int(mentions[1] ?? "") ?? 0 > 10)
    }

    @Test("the planted effect: after a bad support experience, customers buy again less often")
    func plantedEffect() throws {
        let (directory, manifest) = try generateDemo(customers: 1500, seed: 42)
        defer { try? FileManager.default.removeItem(at: directory) }
        let w = try ScratchWarehouse()
        _ = try loadDemo(w, directory, manifest)
        // Per ticket created at least 180 days before the last one: bad = unresolved, first
        // response after more than 24 h, or CSAT ≤ 2 (on the ticket or its survey); outcome =
        // a purchase within 180 days after the ticket.
        let rows = try w.rows("""
            WITH horizon AS (SELECT max(created_at) AS h FROM tickets),
            experience AS (
                SELECT t.customer_key, t.created_at,
                       t.status NOT IN ('solved', 'closed')
                       OR coalesce(t.first_response_at - t.created_at > interval '24 hours', false)
                       OR coalesce(coalesce(t.csat, s.score) <= 2, false) AS bad
                FROM tickets t
                LEFT JOIN surveys s ON s.kind = 'csat' AND s.ticket_id = t.ticket_id
                WHERE t.created_at < (SELECT h FROM horizon) - interval '180 days'
            )
            SELECT e.bad::text, count(*)::text,
                   avg((EXISTS (SELECT 1 FROM purchases p
                                WHERE p.customer_key = e.customer_key AND p.status = 'completed'
                                  AND p.ordered_at > e.created_at
                                  AND p.ordered_at <= e.created_at + interval '180 days'))::int)::float8::text
            FROM experience e GROUP BY e.bad ORDER BY e.bad
            """)
        #expect(rows.count == 2)
        let good = try #require(rows.first { $0[0] == "false" }), bad = try #require(rows.first { $0[0] == "true" })
        #expect(Int(bad[1] ?? "") ?? 0 >= 30, "enough bad experiences to compare")
        let goodRate = try #require(Double(good[2] ?? "")), badRate = try #require(Double(bad[2] ?? ""))
        #expect(badRate < 0.6 * goodRate, "bought again: \(badRate) after a bad experience vs \(goodRate)")
    }

    @Test("dates and ids")
    func helpers() {
        #expect(DemoTime.parseDate("2024-02-29") == 19782)
        #expect(DemoTime.parseDate("2023-02-29") == nil)
        #expect(DemoTime.dateText(days: 19782) == "2024-02-29")
        #expect(DemoTime.weekday(Double(DemoTime.parseDate("2024-03-04")!) * DemoTime.day) == 0)  // a Monday
        #expect(TimestampStyle.isoZulu.format(1_709_287_200) == "2024-03-01T10:00:00Z")
        #expect(TimestampStyle.spaceOffset.format(1_709_287_200) == "2024-03-01 10:00:00+00:00")
        #expect(BadRowKind.yearEarlier("2024-02-29 10:00:00+00:00") == "2020-02-29 10:00:00+00:00")
        #expect(BadRowKind.february30("2024-07-14T10:00:00Z") == "2024-02-30T10:00:00Z")
        #expect(centsText(5) == "0.05" && centsText(12345) == "123.45" && centsText(-100) == "-1.00")
        let ids = Set((0..<2000).flatMap { i in (1...5).map { DemoID.make("T-", index: i, sequence: $0) } })
        #expect(ids.count == 10_000)
    }
}

@Suite("patron demo generate")
struct DemoCommandTests {
    @Test("writes the files, prints their counts on stdout and a summary on stderr; bad options are usage errors")
    func generateCommand() throws {
        let url = try testDatabaseURL()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("patron-demo-cli-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try PatronProcess.run(["demo", "generate", "--customers", "50", "--seed", "9", "--years", "2",
                                         "--start", "2024-01-01", "--bad-rows", "0", "--out", directory.path], url: url)
        #expect(run.status == 0, "\(run.stderr)")
        let manifest = try DemoManifest.read(from: directory)
        #expect(manifest.customers == 50 && manifest.start == "2024-01-01" && manifest.end == "2026-01-01")
        #expect(manifest.totalBadRows == 0)
        #expect(run.stdout.contains("customers.csv  customers  shop"))
        #expect(run.stdout.split(separator: "\n").count == 2 + 6)
        #expect(run.stderr.contains("wrote \(manifest.totalRows) rows"))
        // Every instant lies inside the two years asked for.
        let purchases = try String(contentsOf: directory.appendingPathComponent("purchases.csv"), encoding: .utf8)
        for line in purchases.split(separator: "\n").dropFirst() {
            let orderedAt = line.split(separator: ",")[2]
            #expect(orderedAt >= "2024-01-01" && orderedAt < "2026-01-01", "\(line)")
        }

        for bad in [["--customers", "0"], ["--start", "2024-02-30"], ["--years", "0"], ["--bad-rows", "-1"]] {
            let failed = try PatronProcess.run(["demo", "generate", "--out", directory.path] + bad, url: url)
            #expect(failed.status == 64, "\(bad)")
        }
    }
}
