@testable import PatronLoad
import Testing

@Suite("Repeat confirmer (direct loads)")
struct RepeatConfirmerTests {
    @Test("a suspect whose hash occurred at an earlier row is a repeat, found within the check interval")
    func confirmsRealRepeats() throws {
        var confirmer = try RepeatConfirmer(rowsPerCheck: 100)
        // Rows 0…9 with hashes 1000…1009; row 10 repeats row 3's hash (line 14 = row + 4).
        for row in 0..<10 { try confirmer.add(hash: UInt64(1000 + row), suspect: false, line: row + 4) }
        try confirmer.add(hash: 1003, suspect: true, line: 14)
        // Not yet checked: fewer than 100 rows since the suspect, one suspect in the batch.
        for row in 11..<110 { try confirmer.add(hash: UInt64(5000 + row), suspect: false, line: row + 4) }
        // The 100th row after the suspect (row 110) triggers the check.
        #expect(throws: RepeatConfirmer.Repeat.self) {
            try confirmer.add(hash: 9999, suspect: false, line: 114)
        }
    }

    @Test("false positives of the filter do not count: a suspect seen nowhere earlier passes every check")
    func passesFalsePositives() throws {
        var confirmer = try RepeatConfirmer(rowsPerCheck: 10)
        // Every row a suspect (as a saturated filter would say), all hashes distinct: 64-suspect
        // batches and 10-row intervals trigger many checks, none may throw.
        for row in 0..<3_000 {
            try confirmer.add(hash: UInt64(row) &* 0x9E37_79B9_7F4A_7C15, suspect: true, line: row + 2)
        }
        try confirmer.finish()
        #expect(confirmer.checks >= 250)  // one check every 11 rows: 3,000 / 11 ≈ 273
        #expect(confirmer.rows == 3_000)
    }

    @Test("a repeat among the last rows is found by finish(), naming the later line")
    func finishFindsTheLastRepeat() throws {
        var confirmer = try RepeatConfirmer(rowsPerCheck: 1 << 20)
        // More than a spill buffer (1 MiB = 131,072 hashes), so the check reads the file back.
        for row in 0..<200_000 { try confirmer.add(hash: UInt64(row), suspect: false, line: row + 2) }
        try confirmer.add(hash: 7, suspect: true, line: 200_002)
        do {
            try confirmer.finish()
            Issue.record("the repeat of row 7 was not found")
        } catch let found as RepeatConfirmer.Repeat {
            #expect(found.line == 200_002)
        }
    }
}
