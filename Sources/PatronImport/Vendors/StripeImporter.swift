import PatronCore
import PatronInput

/// Stripe's payments export (Payments → Export, `unified_payments.csv`; one row per charge or
/// uncharged PaymentIntent) and the refunds list (`GET /v1/refunds`, `stripe refunds list`: list
/// objects, one page or pages concatenated). Mapping and its choices: docs/vendors/stripe.md.
///
/// Returns come only from the refunds list. The export's `Amount Refunded` / `Refunded date
/// (UTC)` are not read: they add up every refund of a charge under one date, and returns made
/// from them would count the same money again next to the refunds list (other ids).
public final class StripeImporter: VendorImporter {
    public static let vendor = "stripe"
    static let payments = VendorFileKind(vendor: vendor, name: "payments",
                                         summary: "payments export CSV (Payments → Export, unified_payments.csv)",
                                         entities: [.purchases], readOrder: 0)
    static let refunds = VendorFileKind(vendor: vendor, name: "refunds",
                                        summary: "refunds list JSON (stripe refunds list, or GET /v1/refunds)",
                                        entities: [.returns], readOrder: 1)
    public static let kinds = [payments, refunds]

    public static func columns(for entity: Entity) -> [String] {
        switch entity {
        case .purchases: return ["order_id", "customer_id", "email", "phone", "ordered_at", "amount", "currency", "status"]
        case .returns: return ["return_id", "order_id", "returned_at", "amount", "currency", "reason"]
        default: return []
        }
    }

    /// The payments export's columns Patron reads; matched by name (case-insensitive), never by
    /// position. The creation time is `Created date (UTC)` in current exports, `Created (UTC)`
    /// in older ones.
    static let paymentColumns = [
        "id", "Created date (UTC)", "Created (UTC)", "Amount", "Currency", "Captured", "Status",
        "Customer ID", "Customer Email", "Customer Phone",
    ]

    public init(settings: ImportSettings) {}

    public func recognize(_ file: InputFile) throws -> VendorFileKind? {
        guard let first = try firstByte(InputFile(path: file.path)) else { return nil }
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
            return try looksLikeRefunds(file) ? Self.refunds : nil
        }
        let header = Set(try csvHeader(file).map { $0.lowercased() })
        if header.contains("id") && header.contains("amount") && header.contains("currency")
            && (header.contains("created date (utc)") || header.contains("created (utc)")) {
            return Self.payments
        }
        return nil
    }

    public func convert(_ file: InputFile, kind: VendorFileKind, into sink: ImportSink) throws {
        if kind == Self.payments { try convertPayments(file, sink) } else { try convertRefunds(file, sink) }
    }

    // MARK: payments → purchases

    private func convertPayments(_ file: InputFile, _ sink: ImportSink) throws {
        let names = Self.paymentColumns.map { $0.lowercased() }
        let reader = try makeRowReader(file: file, format: .csv, columns: names, required: ["id", "amount", "currency"])
        var row = InputRow(columnCount: names.count)
        var checkedHeader = false
        while try reader.next(into: &row) {
            if !checkedHeader {
                checkedHeader = true
                guard row.present[1] || row.present[2] else {
                    throw InputError(file: file.displayName, line: 1, column: "Created date (UTC)",
                                     message: "missing required column: Created date (UTC) (or Created (UTC) in older exports)")
                }
            }
            if row.rejection != nil {
                // A malformed CSV line: passed on with no order_id, so the loader rejects it.
                var bad = self.row(.purchases, SourceRecord(line: row.line, label: ""))
                bad.set("order_id", nil)
                try sink.emit(bad)
                continue
            }
            let v = row.values
            let id = VendorValues.trimmed(v[0])
            let record = SourceRecord(line: row.line, label: id.map { "charge \($0)" } ?? "")
            guard let id else {
                let status = VendorValues.trimmed(v[6]).map { " (Status \($0))" } ?? ""
                sink.skip(.purchases, record, reason: "no charge: a payment attempt without a charge id\(status)")
                continue
            }
            let status = VendorValues.trimmed(v[6])?.lowercased()
            if status == "failed" {
                sink.skip(.purchases, record, reason: "failed charge: nothing was bought")
                continue
            }
            if VendorValues.trimmed(v[5])?.lowercased() == "false" {
                sink.skip(.purchases, record, reason: "uncaptured charge (Captured=false): nothing was bought")
                continue
            }
            var purchase = self.row(.purchases, record)
            purchase.set("order_id", id)
            // The customer columns are optional in the export's column set: one left out is
            // absent, so a re-import keeps what is stored.
            for (index, column) in [(7, "customer_id"), (8, "email"), (9, "phone")] where row.present[index] {
                purchase.set(column, VendorValues.trimmed(v[index]))
            }
            // UTC by the column's name only: the instant is written with its Z.
            let created = row.present[1] ? v[1] : v[2]
            purchase.set("ordered_at", VendorValues.utcByColumnName(created))
            purchase.set("amount", VendorValues.trimmed(v[3]))
            purchase.set("currency", VendorValues.trimmed(v[4])?.uppercased())
            purchase.set("status", "completed")
            try sink.emitDroppingJunkIdentifiers(purchase)
        }
    }

    // MARK: refunds → returns

    private func convertRefunds(_ file: InputFile, _ sink: ImportSink) throws {
        let json = try JSONStreamReader(file: file)
        while let opening = try json.beginDocument() {
            if opening == UInt8(ascii: "[") {
                // A bare array of refund objects.
                while try json.nextElement() { try refund(json, sink) }
                continue
            }
            var isList = false
            while let key = try json.nextKey() {
                switch key {
                case "object":
                    let value = try json.readValue()
                    guard value.text == "list" else {
                        throw json.error("expected a list of refunds (\"object\": \"list\"), found \"object\": \(value.shown)")
                    }
                    isList = true
                case "data":
                    guard try json.beginArray() else { continue }
                    while try json.nextElement() { try refund(json, sink) }
                    isList = true
                default:
                    try json.skipValue()
                }
            }
            if !isList { throw json.error("expected a list of refunds (an object with \"data\": […])") }
        }
    }

    private func refund(_ json: JSONStreamReader, _ sink: ImportSink) throws {
        let line = try json.lineOfNextValue()
        let value = try json.readValue()
        guard let refund = value.object else {
            throw InputError(file: json.displayName, line: line, message: "expected a refund object, found \(value.shown)")
        }
        let id = refund["id"]?.text.flatMap(VendorValues.trimmed)
        let record = SourceRecord(line: line, label: id.map { "refund \($0)" } ?? "")
        if let object = refund["object"]?.text, object != "refund" {
            throw InputError(file: json.displayName, line: line,
                             message: "expected refund objects in the list, found a \(object) object")
        }
        let status = refund["status"]?.text ?? ""
        guard status == "succeeded" else {
            let why: String
            switch status {
            case "pending": why = "it may still fail"
            case "requires_action": why = "it waits for the customer and may still fail"
            case "failed", "canceled": why = "no money was returned"
            default: why = "only succeeded refunds returned money"
            }
            sink.skip(.returns, record, reason: "refund \(status.isEmpty ? "without a status" : status): \(why)")
            return
        }
        // `charge` is an id, or the charge object when the list was fetched with expand[]=data.charge.
        let chargeValue = refund["charge"]
        let charge = (chargeValue?.object?["id"] ?? chargeValue)?.text.flatMap(VendorValues.trimmed)
        guard let charge else {
            sink.skip(.returns, record, reason: "refund of no charge: it cannot be tied to a purchase")
            return
        }
        guard let created = refund["created"], !created.isNull else {
            sink.skip(.returns, record, reason: "undatable refund: it has no created time")
            return
        }
        guard let currency = refund["currency"]?.text.flatMap(VendorValues.trimmed) else {
            sink.skip(.returns, record, reason: "refund without a currency: its amount in minor units cannot be read")
            return
        }
        let minor = refund["amount"].flatMap { $0.isNull ? nil : $0.text }
        if let minor, Int64(minor) == nil {
            sink.skip(.returns, record, reason: "refund amount \(minor) is not a whole number of minor units")
            return
        }
        var row = self.row(.returns, record)
        row.set("return_id", id)
        row.set("order_id", charge)
        row.set("returned_at", VendorValues.unixSeconds(created))
        // Minor units (cents; yen; fils): divided by 10^(the currency's exponent).
        row.set("amount", minor.map { VendorValues.majorUnits(minor: $0, currency: currency) })
        row.set("currency", currency.uppercased())
        row.set("reason", refund["reason"]?.text)
        try sink.emit(row)
    }

    // MARK: recognizing

    /// The first byte that is not white space or a UTF-8 byte order mark.
    private func firstByte(_ file: InputFile) throws -> UInt8? {
        var skippedMark = false
        while let chunk = try file.nextChunk() {
            var bytes = chunk[...]
            if !skippedMark, bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
            skippedMark = true
            if let b = bytes.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }) { return b }
        }
        return nil
    }

    /// A list object whose `object` is `list` and whose first element (or `url`) is a refund;
    /// or an array whose first element is a refund object.
    private func looksLikeRefunds(_ file: InputFile) throws -> Bool {
        let json = try JSONStreamReader(file: file)
        do {
            guard let opening = try json.beginDocument() else { return false }
            if opening == UInt8(ascii: "[") {
                guard try json.nextElement() else { return false }
                return try json.readValue()["object"]?.text == "refund"
            }
            var isList = false
            while let key = try json.nextKey() {
                switch key {
                case "object":
                    isList = try json.readValue().text == "list"
                    if !isList { return false }
                case "data":
                    guard try json.beginArray(), try json.nextElement() else { continue }
                    return try json.readValue()["object"]?.text == "refund"
                case "url":
                    if try json.readValue().text?.hasPrefix("/v1/refunds") == true && isList { return true }
                default:
                    try json.skipValue()
                }
            }
            return false
        } catch is InputError {
            return false
        }
    }
}
