@testable import PatronReport
import Testing

@Suite("Report number formats")
struct ReportFormatNumbersTests {
    @Test("grouped thousands with fixed decimals")
    func grouped() {
        #expect(HeadlineFigure.grouped(248.200413, decimals: 2) == "248.20")
        #expect(HeadlineFigure.grouped(15599.471, decimals: 2) == "15,599.47")
        #expect(HeadlineFigure.grouped(1234567, decimals: 0) == "1,234,567")
        #expect(HeadlineFigure.grouped(-1234.5, decimals: 1) == "-1,234.5")
        #expect(HeadlineFigure.grouped(-0.001, decimals: 2) == "0.00")
        #expect(HeadlineFigure.grouped(999, decimals: 0) == "999")
    }

    @Test("chart axes end on a round number at or above the data")
    func niceCeiling() {
        #expect(SVGChart.niceCeiling(0.37) == 0.5)
        #expect(SVGChart.niceCeiling(23) == 25)
        #expect(SVGChart.niceCeiling(1) == 1)
        #expect(SVGChart.niceCeiling(101) == 200)
    }
}
