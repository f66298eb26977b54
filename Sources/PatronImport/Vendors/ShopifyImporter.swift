import PatronCore
import PatronInput

/// Shopify's orders export (`orders_export.csv`, one row per line item) and customers export
/// (`customers_export.csv`). Mapping and its choices: docs/vendors/shopify.md.
public final class ShopifyImporter: VendorImporter {
    public static let vendor = "shopify"
    static let orders = VendorFileKind(vendor: vendor, name: "orders", summary: "orders export CSV (Orders → Export)",
                                       entities: [.purchases, .returns], readOrder: 1)
    static let customers = VendorFileKind(vendor: vendor, name: "customers",
                                          summary: "customers export CSV (Customers → Export)",
                                          entities: [.customers], readOrder: 0)
    public static let kinds = [customers, orders]

    public static func columns(for entity: Entity) -> [String] {
        switch entity {
        case .customers: return ["customer_id", "email", "phone", "name", "country"]
        case .purchases: return ["order_id", "email", "phone", "ordered_at", "amount", "currency", "channel", "items", "status"]
        case .returns: return ["return_id", "order_id", "returned_at", "amount", "currency"]
        default: return []
        }
    }

    /// The orders export's columns Patron reads; matched by name, never by position.
    static let orderColumns = [
        "Name", "Email", "Financial Status", "Currency", "Total", "Created at", "Lineitem quantity", "Cancelled at",
        "Refunded Amount", "Source", "Phone",
    ]
    static let customerColumns = ["Customer ID", "First Name", "Last Name", "Email", "Phone", "Default Address Country Code"]

    public init(settings: ImportSettings) {}

    public func recognize(_ file: InputFile) throws -> VendorFileKind? {
        let header = Set(try csvHeader(file).map { $0.lowercased() })
        if header.contains("name") && header.contains("lineitem quantity") && header.contains("financial status") {
            return Self.orders
        }
        if header.contains("first name") && header.contains("last name") && header.contains("email")
            && (header.contains("total spent") || header.contains("accepts email marketing") || header.contains("accepts marketing")) {
            return Self.customers
        }
        return nil
    }

    public func convert(_ file: InputFile, kind: VendorFileKind, into sink: ImportSink) throws {
        if kind == Self.orders { try convertOrders(file, sink) } else { try convertCustomers(file, sink) }
    }

    // MARK: orders

    private func convertOrders(_ file: InputFile, _ sink: ImportSink) throws {
        let names = Self.orderColumns.map { $0.lowercased() }
        let reader = try makeRowReader(file: file, format: .csv, columns: names,
                                       required: ["name", "created at", "total", "currency", "lineitem quantity"])
        var row = InputRow(columnCount: names.count)
        var order: OrderRows?
        while try reader.next(into: &row) {
            if let rejection = row.rejection {
                // A malformed CSV line (wrong number of fields, text after a closing quote).
                try flush(&order, sink)
                sink.reject(RejectedRecord(entity: .purchases, record: SourceRecord(line: row.line, label: ""),
                                           column: rejection.column, value: rejection.value, reason: rejection.reason))
                continue
            }
            let v = row.values
            let name = VendorValues.trimmed(v[0])
            if let current = order, let name, current.name == name {
                order?.add(quantity: v[6])
                continue
            }
            try flush(&order, sink)
            order = OrderRows(first: v, line: row.line)
        }
        try flush(&order, sink)
    }

    /// One order's rows: the order-level fields of its first row, and the quantities of all.
    private struct OrderRows {
        let first: [String?]
        let line: Int
        var name: String? { VendorValues.trimmed(first[0]) }
        var quantities: [String?]

        init(first: [String?], line: Int) {
            self.first = first
            self.line = line
            quantities = [first[6]]
        }

        mutating func add(quantity: String?) { quantities.append(quantity) }

        /// Σ Lineitem quantity; the first unreadable quantity as written (the loader rejects it).
        var items: String? {
            var total: Int64 = 0
            for q in quantities {
                guard let q = VendorValues.trimmed(q) else { continue }
                guard let n = Int64(q), n >= 0 else { return q }
                total += n
            }
            return String(total)
        }
    }

    private func flush(_ order: inout OrderRows?, _ sink: ImportSink) throws {
        guard let o = order else { return }
        order = nil
        let v = o.first
        let name = o.name
        let record = SourceRecord(line: o.line, label: name.map { "order \($0)" } ?? "")
        var purchase = row(.purchases, record)
        purchase.set("order_id", name)
        purchase.set("email", VendorValues.trimmed(v[1]))
        purchase.set("phone", Self.strippingApostrophe(v[10]))
        purchase.set("ordered_at", Self.storeTime(v[5]))
        purchase.set("amount", VendorValues.trimmed(v[4]))
        purchase.set("currency", VendorValues.trimmed(v[3]))
        purchase.set("channel", VendorValues.trimmed(v[9]))
        purchase.set("items", o.items)
        let cancelledAt = VendorValues.trimmed(v[7])
        let voided = VendorValues.trimmed(v[2])?.lowercased() == "voided"
        purchase.set("status", cancelledAt != nil || voided ? "cancelled" : "completed")
        try sink.emitDroppingJunkIdentifiers(purchase)

        // The export's only refund is cumulative and undated; it is a return only when the
        // order was cancelled (its cancellation time is the return's time).
        guard let refunded = VendorValues.trimmed(v[8]), let amount = Double(refunded), amount > 0 else { return }
        guard let cancelledAt else {
            sink.skip(.returns, record, reason: "refund without a date (the orders export has no refund time; only cancelled orders' refunds are returns)")
            return
        }
        var refund = row(.returns, record)
        refund.set("return_id", name.map { $0 + ":refund" })
        refund.set("order_id", name)
        refund.set("returned_at", Self.storeTime(cancelledAt))
        refund.set("amount", refunded)
        refund.set("currency", VendorValues.trimmed(v[3]))
        try sink.emit(refund)
    }

    /// `2024-11-03 01:30:00 -0400` (store time with its offset) → the instant. Anything else
    /// (an Excel serial number such as `45384.34789351852`) is passed on for the loader to reject.
    static func storeTime(_ text: String?) -> String? {
        guard let t = VendorValues.trimmed(text) else { return nil }
        var joined = t
        if t.count == 25, let space = t.lastIndex(of: " "), t.distance(from: t.startIndex, to: space) == 19 {
            joined.remove(at: space)
        }
        guard let instant = VendorValues.instant(joined), instant != joined else { return t }
        return instant
    }

    /// Shopify writes ids, phones and zips as `'7401…` so spreadsheets keep them as text.
    static func strippingApostrophe(_ text: String?) -> String? {
        guard var t = VendorValues.trimmed(text) else { return nil }
        if t.hasPrefix("'") { t.removeFirst() }
        return VendorValues.trimmed(t)
    }

    // MARK: customers

    private func convertCustomers(_ file: InputFile, _ sink: ImportSink) throws {
        let names = Self.customerColumns.map { $0.lowercased() }
        let reader = try makeRowReader(file: file, format: .csv, columns: names, required: [])
        var row = InputRow(columnCount: names.count)
        while try reader.next(into: &row) {
            if let rejection = row.rejection {
                sink.reject(RejectedRecord(entity: .customers, record: SourceRecord(line: row.line, label: ""),
                                           column: rejection.column, value: rejection.value, reason: rejection.reason))
                continue
            }
            guard row.present[0] else {
                throw InputError(file: file.displayName, line: 1, column: "Customer ID",
                                 message: "this customers export has no Customer ID column (an older Shopify layout): export the customers again from the current admin")
            }
            let v = row.values
            let id = Self.strippingApostrophe(v[0])
            var customer = self.row(.customers, SourceRecord(line: row.line, label: id.map { "customer \($0)" } ?? ""))
            customer.set("customer_id", id)
            customer.set("email", VendorValues.trimmed(v[3]))
            customer.set("phone", Self.strippingApostrophe(v[4]))
            let name = [VendorValues.trimmed(v[1]), VendorValues.trimmed(v[2])].compactMap { $0 }.joined(separator: " ")
            customer.set("name", name)
            customer.set("country", VendorValues.trimmed(v[5]))
            try sink.emitDroppingJunkIdentifiers(customer)
        }
    }
}

/// The header names of a CSV file, as written (trimmed). Reads only the first record.
func csvHeader(_ file: InputFile, delimiter: UInt8 = UInt8(ascii: ",")) throws -> [String] {
    try makeRowReader(file: file, format: .csv, columns: [], required: [], delimiter: delimiter).unknownColumns
}
