import Foundation
import Testing
import PatronCore
import PatronImport
import PatronInput

/// Stripe exports built from the layout of real payments exports (the 83-column
/// `unified_payments.csv` header, `Created date (UTC)` without an offset, lower-case currencies,
/// rows without a charge id, junk phones) and the refund object of the API; expected rows
/// written by hand.
@Suite struct StripeImporterTests {
    static let paymentsHeader = "id,Created date (UTC),Amount,Amount Refunded,Currency,Captured,Converted Amount,Converted Amount Refunded,Converted Currency,Decline Reason,Description,Fee,Is Link,Link Funding,Mode,PaymentIntent ID,Payment Source Type,Refunded date (UTC),Statement Descriptor,Status,Seller Message,Taxes On Fee,Card ID,Card Name,Card Address Line1,Card Address Line2,Card Address City,Card Address State,Card Address Country,Card Address Zip,Card AVS Line1 Status,Card AVS Zip Status,Card Brand,Card CVC Status,Card Exp Month,Card Exp Year,Card Fingerprint,Card Funding,Card Issue Country,Card Last4,Card Tokenization Method,Customer ID,Customer Description,Customer Email,Customer Phone,Shipping Name,Shipping Address Line1,Shipping Address Line2,Shipping Address City,Shipping Address State,Shipping Address Country,Shipping Address Postal Code,Disputed Amount,Dispute Date (UTC),Dispute Evidence Due (UTC),Dispute Reason,Dispute Status,Invoice ID,Invoice Number,Checkout Session ID,Checkout Custom Field 1 Key,Checkout Custom Field 1 Value,Checkout Custom Field 2 Key,Checkout Custom Field 2 Value,Checkout Custom Field 3 Key,Checkout Custom Field 3 Value,Checkout Line Item Summary,Checkout Promotional Consent,Checkout Terms of Service Consent,Client Reference ID,Payment Link ID,UTM Campaign,UTM Content,UTM Medium,UTM Source,UTM Term,Terminal Location ID,Terminal Reader ID,Application Fee,Application ID,Destination,Transfer,Transfer Group"

    /// One export line with the named fields set (quoted when needed) and the others empty.
    static func line(_ header: String, _ fields: [String: String]) -> String {
        header.split(separator: ",").map { name in
            let v = fields[String(name)] ?? ""
            return v.contains(",") || v.contains("\"") ? "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : v
        }.joined(separator: ",")
    }

    static func paid(_ fields: [String: String]) -> [String: String] {
        ["Captured": "true", "Status": "Paid", "Mode": "Live", "Payment Source Type": "card"].merging(fields) { $1 }
    }

    static let payments = [
        paymentsHeader,
        // line 2: one second before midnight UTC; --tz Europe/Copenhagen must not move it to the 10th.
        line(paymentsHeader, paid(["id": "ch_3Q1chloe", "Created date (UTC)": "2024-11-09 23:59:59", "Amount": "49.90",
                                   "Amount Refunded": "25.50", "Currency": "eur", "Refunded date (UTC)": "2024-11-12 08:00:00",
                                   "Customer ID": "cus_Chloe", "Customer Email": "Chloe.Martin@Example.com",
                                   "Description": "Order 1042, gift wrap"])),
        // line 3: yen have no decimals: 5000 is ¥5,000.
        line(paymentsHeader, paid(["id": "ch_3Q2kenji", "Created date (UTC)": "2024-11-02 03:15:00", "Amount": "5000",
                                   "Amount Refunded": "2000", "Currency": "jpy", "Customer ID": "cus_Kenji",
                                   "Customer Email": "kenji@example.jp", "Customer Phone": "+81 3-1234-5678"])),
        // line 4: Kuwaiti dinar: three decimals.
        line(paymentsHeader, paid(["id": "py_3Q3omar", "Created date (UTC)": "2024-11-03 10:00:00", "Amount": "12.345",
                                   "Currency": "kwd", "Customer Email": "omar@example.com",
                                   "Payment Source Type": "bank_transfer"])),
        // line 5: declined: Status Failed, Captured false → skipped.
        line(paymentsHeader, ["id": "ch_3Q4fail", "Created date (UTC)": "2024-11-04 11:00:00", "Amount": "19.00",
                              "Currency": "usd", "Captured": "false", "Status": "Failed",
                              "Decline Reason": "insufficient_funds", "Customer Email": "dina@example.com"]),
        // line 6: authorized, never captured → skipped.
        line(paymentsHeader, ["id": "ch_3Q5hold", "Created date (UTC)": "2024-11-04 12:00:00", "Amount": "30.00",
                              "Currency": "usd", "Captured": "false", "Status": "Paid", "Customer Email": "ed@example.com"]),
        // line 7: a PaymentIntent that never got a charge: empty id → skipped.
        line(paymentsHeader, ["id": "", "Created date (UTC)": "2024-11-04 13:00:00", "Amount": "15.00",
                              "Currency": "usd", "Captured": "false", "Status": "requires_payment_method",
                              "PaymentIntent ID": "pi_3Q6none", "Customer Email": "fay@example.com"]),
        // line 8: the customer typed a username as phone: dropped, the e-mail keeps the row.
        line(paymentsHeader, paid(["id": "ch_3Q7lena", "Created date (UTC)": "2024-11-05 09:30:00", "Amount": "14.99",
                                   "Currency": "usd", "Customer ID": "cus_Lena", "Customer Email": "lena@example.com",
                                   "Customer Phone": "lena_n"])),
        // line 9: a guest payment through a Payment Link: no identifier at all (the loader rejects it).
        line(paymentsHeader, paid(["id": "ch_3Q8guest", "Created date (UTC)": "2024-11-05 10:00:00", "Amount": "5.00",
                                   "Currency": "usd", "Payment Link ID": "plink_1"])),
    ].joined(separator: "\n") + "\n"

    /// Two list pages one after another (the second `has_more: false`), newest first as the API
    /// returns them. Times: 1731024000 = 2024-11-08T00:00:00Z.
    static let refunds = """
        {
          "object": "list",
          "data": [
            {"id": "re_1kenjiA", "object": "refund", "amount": 1500, "balance_transaction": "txn_1",
             "charge": "ch_3Q2kenji", "created": 1731067200, "currency": "jpy", "metadata": {},
             "payment_intent": "pi_2", "reason": "requested_by_customer", "status": "succeeded"},
            {"id": "re_2kenjiB", "object": "refund", "amount": 500, "charge": "ch_3Q2kenji",
             "created": 1731024000, "currency": "jpy", "reason": null, "status": "succeeded"},
            {"id": "re_3omar", "object": "refund", "amount": 2500, "charge": "py_3Q3omar",
             "created": 1731024000, "currency": "kwd", "reason": "duplicate", "status": "succeeded"},
            {"id": "re_4pending", "object": "refund", "amount": 1000, "charge": "ch_3Q1chloe",
             "created": 1731024000, "currency": "eur", "reason": null, "status": "pending"}
          ],
          "has_more": true,
          "url": "/v1/refunds"
        }
        {"object": "list", "data": [
            {"id": "re_5chloe", "object": "refund", "amount": 2550, "charge": {"id": "ch_3Q1chloe", "object": "charge"},
             "created": 1731398400, "currency": "eur", "reason": "requested_by_customer", "status": "succeeded",
             "failure_reason": null},
            {"id": "re_6canceled", "object": "refund", "amount": 700, "charge": "ch_3Q1chloe",
             "created": 1731398400, "currency": "eur", "reason": null, "status": "canceled"},
            {"id": "re_7nocharge", "object": "refund", "amount": 700, "charge": null, "payment_intent": null,
             "created": 1731398400, "currency": "usd", "reason": null, "status": "succeeded"},
            {"id": "re_8undated", "object": "refund", "amount": 700, "charge": "ch_3Q7lena",
             "currency": "usd", "reason": null, "status": "succeeded"}
          ], "has_more": false, "url": "/v1/refunds"}
        """

    static var copenhagen: ImportSettings {
        var settings = ImportSettings()
        settings.timeZone = TimeZone(identifier: "Europe/Copenhagen")!
        return settings
    }

    @Test func paymentsAndRefundsBecomeCanonicalRows() throws {
        let folder = try FixtureFolder()
        // Refunds first on the command line: the payments are still read first.
        let sink = try convert(StripeImporter.self, [try folder.write("refunds.json", Self.refunds),
                                                     try folder.write("unified_payments.csv", Self.payments)],
                               settings: Self.copenhagen)
        #expect(sink.rows[.purchases] == [
            // UTC by the column's name: Z appended, --tz ignored; lower-case eur upper-cased.
            ["order_id": "ch_3Q1chloe", "customer_id": "cus_Chloe", "email": "Chloe.Martin@Example.com", "phone": "",
             "ordered_at": "2024-11-09T23:59:59Z", "amount": "49.90", "currency": "EUR", "status": "completed"],
            // The CSV is in major units: 5000 yen stay 5000.
            ["order_id": "ch_3Q2kenji", "customer_id": "cus_Kenji", "email": "kenji@example.jp",
             "phone": "+81 3-1234-5678", "ordered_at": "2024-11-02T03:15:00Z", "amount": "5000", "currency": "JPY",
             "status": "completed"],
            ["order_id": "py_3Q3omar", "customer_id": "", "email": "omar@example.com", "phone": "",
             "ordered_at": "2024-11-03T10:00:00Z", "amount": "12.345", "currency": "KWD", "status": "completed"],
            // The junk phone is dropped (absent), the row kept by its id and e-mail.
            ["order_id": "ch_3Q7lena", "customer_id": "cus_Lena", "email": "lena@example.com",
             "ordered_at": "2024-11-05T09:30:00Z", "amount": "14.99", "currency": "USD", "status": "completed"],
            // No identifier: handed on as it is, the loader rejects it.
            ["order_id": "ch_3Q8guest", "customer_id": "", "email": "", "phone": "",
             "ordered_at": "2024-11-05T10:00:00Z", "amount": "5.00", "currency": "USD", "status": "completed"],
        ])
        #expect(sink.records[.purchases]?.map(\.line) == [2, 3, 4, 8, 9])
        #expect(sink.rows[.returns] == [
            // 1731067200 = 1731024000 + 12·3600 → 2024-11-08T12:00:00Z; yen: exponent 0, 1500 → 1500.
            ["return_id": "re_1kenjiA", "order_id": "ch_3Q2kenji", "returned_at": "2024-11-08T12:00:00Z",
             "amount": "1500", "currency": "JPY", "reason": "requested_by_customer"],
            // 500 + 1500 = 2000 = the CSV's cumulative Amount Refunded, which is not read.
            ["return_id": "re_2kenjiB", "order_id": "ch_3Q2kenji", "returned_at": "2024-11-08T00:00:00Z",
             "amount": "500", "currency": "JPY", "reason": ""],
            // Dinar: exponent 3, 2500 fils → 2.500.
            ["return_id": "re_3omar", "order_id": "py_3Q3omar", "returned_at": "2024-11-08T00:00:00Z",
             "amount": "2.500", "currency": "KWD", "reason": "duplicate"],
            // Euro: exponent 2, 2550 cents → 25.50; 1731398400 = 1731024000 + 104 h → 2024-11-12T08:00:00Z.
            // The charge came expanded (an object): its id.
            ["return_id": "re_5chloe", "order_id": "ch_3Q1chloe", "returned_at": "2024-11-12T08:00:00Z",
             "amount": "25.50", "currency": "EUR", "reason": "requested_by_customer"],
        ])
        #expect(sink.skipped.map { "\($0.entity.rawValue) \($0.record): \($0.reason)" } == [
            "purchases charge ch_3Q4fail (line 5): failed charge: nothing was bought",
            "purchases charge ch_3Q5hold (line 6): uncaptured charge (Captured=false): nothing was bought",
            "purchases line 7: no charge: a payment attempt without a charge id (Status requires_payment_method)",
            "returns refund re_4pending (line 11): refund pending: it may still fail",
            "returns refund re_6canceled (line 21): refund canceled: no money was returned",
            "returns refund re_7nocharge (line 23): refund of no charge: it cannot be tied to a purchase",
            "returns refund re_8undated (line 25): undatable refund: it has no created time",
        ])
        #expect(sink.dropped.map { "\($0.record) \($0.column)=\($0.value): \($0.reason)" } == [
            "charge ch_3Q7lena (line 8) phone=lena_n: not a phone (contains letters)",
        ])
    }

    @Test func olderExportsWithCreatedUTCAndAFewColumnsAreRead() throws {
        let folder = try FixtureFolder()
        // The older payments.csv header (Created (UTC)), columns in another order, names in another case.
        let old = """
            id,Description,Seller Message,Created (UTC),Amount,Amount Refunded,Currency,Converted Amount,Status,Customer ID,Customer Email,captured,Card ID
            ch_1old,Subscription,Payment complete.,2019-03-31 00:30:00,"1250.00",0.00,gbp,1250.00,Paid,cus_Old,old@example.co.uk,true,card_1
            """
        let sink = try convert(StripeImporter.self, [try folder.write("payments.csv", old)], settings: Self.copenhagen)
        // No Customer Phone column: the phone is absent (a re-import keeps what is stored).
        #expect(sink.rows[.purchases] == [
            ["order_id": "ch_1old", "customer_id": "cus_Old", "email": "old@example.co.uk",
             "ordered_at": "2019-03-31T00:30:00Z", "amount": "1250.00", "currency": "GBP", "status": "completed"],
        ])
    }

    @Test func aPaymentsExportWithoutItsCreatedColumnFailsNamingIt() throws {
        let folder = try FixtureFolder()
        let path = try folder.write("payments.csv", "id,Created,Amount,Currency,Captured\nch_1,2024-01-01 00:00:00,1.00,usd,true\n")
        #expect(throws: (any Error).self) { _ = try convert(StripeImporter.self, [path]) }
        let trimmed = try folder.write("trimmed.csv", "id,Amount,Currency,Created date (UTC)\nch_1,1.00,usd,\n")
        // An empty creation time is handed on empty: the loader rejects the row (ordered_at is required).
        #expect(try convert(StripeImporter.self, [trimmed]).rows[.purchases]?.first?["ordered_at"] == "")
    }

    @Test func aBareArrayOfRefundsIsAcceptedAndOtherJSONIsRefused() throws {
        let folder = try FixtureFolder()
        let array = try folder.write("refunds.json", """
            [{"id": "re_9", "object": "refund", "amount": 199, "charge": "ch_9", "created": 1730419200,
              "currency": "usd", "reason": "fraudulent", "status": "succeeded"}]
            """)
        // 1730419200 = 2024-11-01T00:00:00Z; 199 cents → 1.99.
        #expect(try convert(StripeImporter.self, [array]).rows[.returns] == [
            ["return_id": "re_9", "order_id": "ch_9", "returned_at": "2024-11-01T00:00:00Z", "amount": "1.99",
             "currency": "USD", "reason": "fraudulent"],
        ])
        let charges = try folder.write("charges.json", #"{"object": "list", "data": [{"id": "ch_1", "object": "charge"}], "url": "/v1/charges"}"#)
        #expect {
            _ = try convert(StripeImporter.self, [charges])
        } throws: { error in
            "\(error)".contains("expected one of: payments (payments export CSV") && "\(error)".contains("refunds (refunds list JSON")
        }
    }

    @Test func aTruncatedRefundsPageFailsTheFile() throws {
        let folder = try FixtureFolder()
        let cut = String(Self.refunds.prefix(600))
        let path = try folder.write("refunds.json", cut)
        #expect {
            _ = try convert(StripeImporter.self, [path])
        } throws: { error in
            "\(error)".contains("truncated")
        }
    }
}
