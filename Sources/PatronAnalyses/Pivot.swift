/// Turns a long result (one row per key × column value) into a wide one: the row keys, then one
/// column per distinct value of the column key, in order of first appearance, holding the value
/// column. Needs the whole result, which for the analyses that pivot (cohort × offset) is small.
import PatronCore
struct Pivot {
    let spec: PivotSpec
    private let rowKeyIndexes: [Int]
    private let columnIndex: Int
    private let valueIndex: Int
    private let completeIndex: Int?
    /// Per row key: the last column value whose cell was flagged complete.
    private var completeThrough: [[String?]: String] = [:]
    private let keyColumns: [ResultColumn]
    private let valueKind: ResultColumn.Kind
    private var columnValues: [String] = []
    private var columnPositions: [String: Int] = [:]
    private var rowOrder: [[String?]] = []
    private var cells: [[String?]: [Int: String?]] = [:]

    init(spec: PivotSpec, columns: [ResultColumn]) throws {
        func index(_ name: String) throws -> Int {
            guard let index = columns.firstIndex(where: { $0.name == name }) else {
                throw PatronError.configuration("pivot: the result has no column \(name)")
            }
            return index
        }
        self.spec = spec
        rowKeyIndexes = try spec.rowKeys.map(index)
        columnIndex = try index(spec.columnKey)
        valueIndex = try index(spec.valueColumn)
        completeIndex = try spec.completeColumn.map(index)
        keyColumns = rowKeyIndexes.map { columns[$0] }
        valueKind = columns[valueIndex].kind
    }

    mutating func add(_ row: [String?]) {
        let key = rowKeyIndexes.map { row[$0] }
        let column = row[columnIndex] ?? ""
        let position: Int
        if let known = columnPositions[column] {
            position = known
        } else {
            position = columnValues.count
            columnValues.append(column)
            columnPositions[column] = position
        }
        if cells[key] == nil {
            rowOrder.append(key)
            cells[key] = [:]
        }
        cells[key]![position] = row[valueIndex]
        if let completeIndex, row[completeIndex] == "t" { completeThrough[key] = column }
    }

    /// Row keys, then `<column key>_<value>` for each value (e.g. `period_offset_3`).
    var columns: [ResultColumn] {
        keyColumns
            + (completeIndex == nil ? [] : [ResultColumn(name: "complete_through", kind: .text)])
            + columnValues.map { ResultColumn(name: "\(spec.columnKey)_\($0)", kind: valueKind) }
    }

    var rows: [[String?]] {
        rowOrder.map { key in
            let row = cells[key] ?? [:]
            let flag: [String?] = completeIndex == nil ? [] : [completeThrough[key]]
            return key + flag + columnValues.indices.map { row[$0] ?? nil }
        }
    }
}
