import Foundation
import Testing
import PatronCore
import PatronImport
import PatronInput

/// Shopify exports built from the layout of real merchant exports (79-column orders header,
/// line-item rows, `±HHMM` store times, apostrophe-prefixed ids); expected rows written by hand.
@Suite struct ShopifyImporterTests {
    static let ordersHeader = "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,Lineitem sku,Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,Billing Name,Billing Street,Billing Address1,Billing Address2,Billing Company,Billing City,Billing Zip,Billing Province,Billing Country,Billing Phone,Shipping Name,Shipping Street,Shipping Address1,Shipping Address2,Shipping Company,Shipping City,Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Notes,Note Attributes,Cancelled at,Payment Method,Payment Reference,Refunded Amount,Vendor,Outstanding Balance,Employee,Location,Device ID,Id,Tags,Risk Level,Source,Lineitem discount,Tax 1 Name,Tax 1 Value,Tax 2 Name,Tax 2 Value,Tax 3 Name,Tax 3 Value,Tax 4 Name,Tax 4 Value,Tax 5 Name,Tax 5 Value,Phone,Receipt Number,Duties,Billing Province Name,Shipping Province Name,Payment ID,Payment Terms Name,Next Payment Due At,Payment References"
    static let columns = ordersHeader.split(separator: ",").map(String.init)

    /// One orders-export line with the named fields set (quoted when needed) and the others empty.
    static func line(_ fields: [String: String]) -> String {
        columns.map { name in
            let v = fields[name] ?? ""
            return v.contains(",") || v.contains("\n") || v.contains("\"") ? "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : v
        }.joined(separator: ",")
    }

    static let orders = [
        ordersHeader,
        // line 2–3: #1001's first row (its Note Attributes span two lines), order-level fields.
        line(["Name": "#1001", "Email": "Isabel.Romero@Example.com", "Financial Status": "paid", "Currency": "USD",
              "Subtotal": "80.00", "Shipping": "5.00", "Taxes": "0.00", "Total": "85.00",
              "Created at": "2024-11-03 01:30:00 -0400", "Lineitem quantity": "2", "Id": "12133307351371",
              "Source": "web", "Phone": "+16175550100", "Note Attributes": "gift: yes\nwrap: no"]),
        // line 4: #1001's continuation row: only Name, Email, Created at, line item columns.
        line(["Name": "#1001", "Email": "Isabel.Romero@Example.com", "Created at": "2024-11-03 01:30:00 -0400",
              "Lineitem quantity": "1"]),
        // line 5: New York's repeated hour: 01:45 -0500 is after #1001's 01:30 -0400.
        line(["Name": "#1002", "Email": "bob@example.com", "Financial Status": "refunded", "Currency": "USD",
              "Total": "40.00", "Created at": "2024-11-03 01:45:00 -0500", "Lineitem quantity": "1",
              "Cancelled at": "2024-11-05 10:00:00 -0500", "Refunded Amount": "40.00", "Source": "pos"]),
        // line 6: a partial refund on a live order: no date → skipped, the order stays.
        line(["Name": "#1003", "Email": "carol@example.com", "Financial Status": "partially_refunded",
              "Currency": "EUR", "Total": "20.00", "Created at": "2024-11-04 09:00:00 +0100",
              "Lineitem quantity": "1", "Refunded Amount": "5.00", "Source": "5690175"]),
        // line 7: voided, never cancelled → cancelled; a junk phone beside a good email is dropped.
        line(["Name": "#1004", "Email": "dan@example.com", "Financial Status": "voided", "Currency": "USD",
              "Total": "12.50", "Created at": "2024-11-06 12:00:00 +0000", "Lineitem quantity": "1",
              "Phone": "call me", "Source": "shopify_draft_order"]),
        // line 8: re-saved by Excel: the time became a serial number, passed on for the loader to reject.
        line(["Name": "#1005", "Email": "eve@example.com", "Financial Status": "paid", "Currency": "USD",
              "Total": "9.99", "Created at": "45384.34789351852", "Lineitem quantity": "1"]),
    ].joined(separator: "\n") + "\n"

    static let customers = """
        Customer ID,First Name,Last Name,Email,Accepts Email Marketing,Default Address Company,Default Address Address1,Default Address Address2,Default Address City,Default Address Province Code,Default Address Country Code,Default Address Zip,Default Address Phone,Phone,Accepts SMS Marketing,Total Spent,Total Orders,Note,Tax Exempt,Tags
        '7401,Isabel,Romero,isabel.romero@example.com,yes,,,,Boston,MA,US,'02139,'6175550100,'+16175550100,no,85.00,1,,no,"vip, new"
        '7402, Bob ,,bob@example.com,no,,,,,,GB,,,,no,0.00,0,,no,

        """

    @Test func ordersAndCustomersBecomeCanonicalRows() throws {
        let folder = try FixtureFolder()
        // Orders first on the command line: the customers file is still read first.
        let sink = try convert(ShopifyImporter.self, [try folder.write("orders_export.csv", Self.orders),
                                                      try folder.write("customers_export.csv", Self.customers)])
        #expect(sink.rows[.customers] == [
            ["customer_id": "7401", "email": "isabel.romero@example.com", "phone": "+16175550100",
             "name": "Isabel Romero", "country": "US"],
            ["customer_id": "7402", "email": "bob@example.com", "phone": "", "name": "Bob", "country": "GB"],
        ])
        #expect(sink.rows[.purchases] == [
            // 01:30 -0400 = 05:30Z; items 2 + 1 over the order's two rows.
            ["order_id": "#1001", "email": "Isabel.Romero@Example.com", "phone": "+16175550100",
             "ordered_at": "2024-11-03T05:30:00Z", "amount": "85.00", "currency": "USD", "channel": "web",
             "items": "3", "status": "completed"],
            // 01:45 -0500 = 06:45Z, after #1001 although its wall time reads earlier in the day's second 01:xx.
            ["order_id": "#1002", "email": "bob@example.com", "phone": "", "ordered_at": "2024-11-03T06:45:00Z",
             "amount": "40.00", "currency": "USD", "channel": "pos", "items": "1", "status": "cancelled"],
            // 09:00 +0100 = 08:00Z.
            ["order_id": "#1003", "email": "carol@example.com", "phone": "", "ordered_at": "2024-11-04T08:00:00Z",
             "amount": "20.00", "currency": "EUR", "channel": "5690175", "items": "1", "status": "completed"],
            // The junk phone is dropped (absent), the row kept.
            ["order_id": "#1004", "email": "dan@example.com", "ordered_at": "2024-11-06T12:00:00Z",
             "amount": "12.50", "currency": "USD", "channel": "shopify_draft_order", "items": "1", "status": "cancelled"],
            ["order_id": "#1005", "email": "eve@example.com", "phone": "", "ordered_at": "45384.34789351852",
             "amount": "9.99", "currency": "USD", "channel": "", "items": "1", "status": "completed"],
        ])
        // Cancelled 10:00 -0500 = 15:00Z; Refunded Amount = Total.
        #expect(sink.rows[.returns] == [
            ["return_id": "#1002:refund", "order_id": "#1002", "returned_at": "2024-11-05T15:00:00Z",
             "amount": "40.00", "currency": "USD"],
        ])
        #expect(sink.records[.purchases]?.map(\.line) == [2, 4 + 1, 6, 7, 8])
        #expect(sink.skipped.map { "\($0.entity.rawValue) \($0.record)" } == ["returns order #1003 (line 6)"])
        #expect(sink.dropped.map { "\($0.record.label) \($0.column)=\($0.value)" } == ["order #1004 phone=call me"])
    }

    @Test func aRenamedRequiredColumnFailsTheFileNamingIt() throws {
        let folder = try FixtureFolder()
        let renamed = Self.orders.replacingOccurrences(of: ",Total,", with: ",Order Total,")
        let path = try folder.write("orders_export.csv", renamed)
        #expect {
            _ = try convert(ShopifyImporter.self, [path])
        } throws: { error in
            "\(error)".contains("total")
        }
    }

    @Test func anOlderCustomersExportWithoutCustomerIDIsRefusedWithAReason() throws {
        let folder = try FixtureFolder()
        let old = "First Name,Last Name,Email,Company,Address1,Address2,City,Province,Province Code,Country,Country Code,Zip,Phone,Accepts Marketing,Total Spent,Total Orders,Tags,Note,Tax Exempt\nAna,Silva,ana@example.com,,,,,,,,PT,,,no,0,0,,,no\n"
        let path = try folder.write("customers_export.csv", old)
        #expect {
            _ = try convert(ShopifyImporter.self, [path])
        } throws: { error in
            "\(error)".contains("no Customer ID column")
        }
    }

    @Test func aFileOfAnotherKindIsRefusedSayingWhatWasExpected() throws {
        let folder = try FixtureFolder()
        let path = try folder.write("tickets.csv", "ticket_id,email,created_at\nT1,a@example.com,2024-01-01\n")
        #expect {
            _ = try convert(ShopifyImporter.self, [path])
        } throws: { error in
            "\(error)".contains("expected one of: customers") && "\(error)".contains("orders (orders export CSV")
        }
    }
}
