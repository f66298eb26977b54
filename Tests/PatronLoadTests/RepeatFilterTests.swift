import PatronCore
@testable import PatronLoad
import PatronTestSupport
import Testing

@Suite("Repeated-id filter")
struct RepeatFilterTests {
    @Test("a repeated id is always reported; distinct ids almost never")
    func repeatsAreNeverMissed() {
        var filter = RepeatFilter(bits: 1 << 23)
        // 100,000 distinct ids in 2^23 bits (84 bits per id): false positives should be about
        // one in ten million; allow a few so the test does not depend on luck.
        var falsePositives = 0
        for n in 0..<100_000 where filter.insert("O\(n)") { falsePositives += 1 }
        #expect(falsePositives <= 2)
        for n in stride(from: 0, to: 100_000, by: 997) {
            let seen = filter.insert("O\(n)")
            #expect(seen, "O\(n) was inserted before")
        }
        let first = filter.insert("Ö1")
        let second = filter.insert("Ö1")
        #expect(!first && second)
    }

    @Test("sized by the input: one bit per byte, within 1 and 16 MiB")
    func sizing() {
        #expect(RepeatFilter(expectedBytes: 10).bitCount == 1 << 23)
        #expect(RepeatFilter(expectedBytes: 100_000_000).bitCount == 1 << 27)
        #expect(RepeatFilter(expectedBytes: 10_000_000_000).bitCount == 1 << 27)
        #expect(RepeatFilter(expectedBytes: nil).bitCount == 1 << 26)
    }
}
