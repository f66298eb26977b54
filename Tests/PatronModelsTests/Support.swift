import Foundation
@testable import PatronModels

/// The fixture files next to this file.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// Numeric rows of a CSV file with a header line.
    static func rows(_ name: String) throws -> [[Double]] {
        let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
        return text.split(whereSeparator: \.isNewline).dropFirst().map { line in
            line.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces))! }
        }
    }

    /// CDNOW sample (Fader, Hardie & Lee 2005): 2357 customers, weeks; columns ID, x, t_x, T, zbar
    /// where zbar is the mean value of the repeat transactions (0 when x = 0).
    static func cdnow() throws -> [RFM] {
        try rows("cdnow_customers_summary.csv").map {
            RFM(frequency: $0[1], recency: $0[2], T: $0[3], monetary: $0[1] > 0 ? $0[4] : nil)
        }
    }

    /// 400 customers simulated by scripts/model-reference.py (columns x, t_x, T, m).
    static func simulated() throws -> [RFM] {
        try rows("simulated_bgnbd.csv").map {
            RFM(frequency: $0[0], recency: $0[1], T: $0[2], monetary: $0[0] > 0 ? $0[3] : nil)
        }
    }
}

func relativeDifference(_ value: Double, _ reference: Double) -> Double {
    abs(value - reference) / max(abs(reference), 1e-300)
}

/// Standard errors of the log-parameters at an optimum: the square roots of the diagonal of the
/// inverse observed information, with the Hessian of −ln L taken by central differences of the
/// analytic gradient (which is of the mean, hence the factor n).
func standardErrors(at theta: [Double], customers n: Int, objective: ([Double], inout [Double]) -> Double) -> [Double] {
    let k = theta.count
    let h = 1e-5
    var hessian = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
    for j in 0..<k {
        var plus = theta, minus = theta
        plus[j] += h
        minus[j] -= h
        var gPlus = [Double](repeating: 0, count: k), gMinus = gPlus
        _ = objective(plus, &gPlus)
        _ = objective(minus, &gMinus)
        for i in 0..<k { hessian[i][j] = Double(n) * (gPlus[i] - gMinus[i]) / (2 * h) }
    }
    // Gauss–Jordan inversion of the symmetrized Hessian.
    var a: [[Double]] = []
    for i in 0..<k {
        var row = [Double](repeating: 0, count: 2 * k)
        for j in 0..<k { row[j] = (hessian[i][j] + hessian[j][i]) / 2 }
        row[k + i] = 1
        a.append(row)
    }
    for column in 0..<k {
        let pivot = (column..<k).max { abs(a[$0][column]) < abs(a[$1][column]) }!
        a.swapAt(column, pivot)
        let divisor = a[column][column]
        a[column] = a[column].map { $0 / divisor }
        for row in 0..<k where row != column {
            let factor = a[row][column]
            a[row] = zip(a[row], a[column]).map { $0 - factor * $1 }
        }
    }
    return (0..<k).map { a[$0][k + $0].squareRoot() }
}
