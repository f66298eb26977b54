import Foundation
@testable import PatronAnalyses
import PatronCore
import PatronLoad
import PatronTestSupport
import Testing

@Suite("Support: the patron command")
struct SupportCommandLineTests {
    @Test("patron run with --schedule: CSV on stdout; a bad schedule file is exit 64 naming the line")
    func schedule() throws {
        let w = try ScratchWarehouse()
        try w.loadCleanly(.tickets, "tickets.csv", SupportBusinessHoursTests.tickets)
        let schedule = try w.write("berlin.schedule", SupportBusinessHoursTests.schedule)
        let run = try PatronProcess.run(["run", "time_to_resolution", "--schedule", schedule, "--format", "csv",
                                         "--schema", w.schema], url: w.url)
        #expect(run.status == 0, "\(run.stderr)")
        // H1 3 business hours (March), H5 50 (April): see SupportBusinessHoursTests.
        #expect(run.stdout == """
            segment,period,resolved,mean_hours,median_hours,p90_hours,complete
            ,2024-03-01,1,3,3,3,true
            ,2024-04-01,1,50,50,50,false

            """)
        let bad = try w.write("bad.schedule", "timezone = Europe/Berlin\nmon = 09:00-17:00\ntue = 9 to 5\n")
        let refused = try PatronProcess.run(["run", "first_response_time", "--schedule", bad, "--schema", w.schema], url: w.url)
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("line 3"))
        #expect(refused.stdout.isEmpty)
    }
}
