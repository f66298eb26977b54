import Foundation

/// The demo shop (canonical source `shop`) as Shopify's admin exports it
/// (shopify.md of the vendor layout notes): `customers_export.csv` (the current 20-column
/// layout) and `orders_export.csv` (79 columns, one row per line item).
///
/// Mapping from the canonical files:
/// - Customers: one row per canonical customer. `Customer ID` is `'` + (7400000000000 + the
///   canonical number, `100001` → `'7400000100001`); `Phone` is the shop phone in E.164 with a
///   leading `'`, `Default Address Phone` its national form; `Tags` holds the segment;
///   `Total Spent` (orders minus refunds, cancelled orders left out) and `Total Orders` (every
///   order) are derived from the orders below. Sign-up time and handle are not in the layout.
/// - Orders: one per canonical purchase, consecutive rows, numbered `#1001`, `#1002`, … in the
///   order they are generated (customer by customer, not globally by time); `Id` is
///   5210000000000 + the number. `Created at` is the canonical `ordered_at` in the store's zone
///   (America/New_York, `-0500`/`-0400`). `Total` is the canonical amount exactly: `Shipping`
///   4.95 on orders from 10.00 to 49.99, else 0; `Taxes` 0 (prices are net); no discounts;
///   `Subtotal` = Σ Lineitem price × quantity = Total − Shipping. The canonical `items` are split
///   over 1–3 line items (Σ `Lineitem quantity` = items); order-level columns are on the first row
///   only, continuation rows repeat `Name`, `Email`, `Created at`, the `Lineitem …` columns,
///   `Vendor` and `Phone`. `Source` from the canonical channel: web → `web`, app → `iphone` or
///   `android`, phone → `shopify_draft_order`, marketplace → `tiktok`. `Email` is the customer's
///   (one order in twenty with a capitalised first letter), `Phone` the shop phone in E.164.
/// - Cancelled purchases: `Financial Status=voided`, `Cancelled at` a few minutes after
///   `Created at`, `Refunded Amount` 0.00, nothing paid or fulfilled.
/// - Returns: a full refund (the canonical return of the whole amount) is written the way
///   Shopify shows a cancelled, refunded order: `Financial Status=refunded`, `Cancelled at` =
///   the canonical `returned_at`, `Refunded Amount` = `Total`. An importer following shopify.md
///   then reads that order as `cancelled` (the canonical purchase is `completed`, fully
///   returned) and the refund as its return. Partial refunds (one or two canonical returns of
///   part of an order) give `partially_refunded` and their sum in `Refunded Amount`, but no date:
///   the export has no column for one, so those canonical returns cannot be expressed and an
///   importer skips them (expected; see shopify.md "No refund timestamp"). Return reasons are
///   not exported either.
final class ShopifyExport {
    static let customersHeader = [
        "Customer ID", "First Name", "Last Name", "Email", "Accepts Email Marketing", "Default Address Company",
        "Default Address Address1", "Default Address Address2", "Default Address City", "Default Address Province Code",
        "Default Address Country Code", "Default Address Zip", "Default Address Phone", "Phone", "Accepts SMS Marketing",
        "Total Spent", "Total Orders", "Note", "Tax Exempt", "Tags",
    ]

    static let ordersHeader = [
        "Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Fulfilled at", "Accepts Marketing",
        "Currency", "Subtotal", "Shipping", "Taxes", "Total", "Discount Code", "Discount Amount", "Shipping Method",
        "Created at", "Lineitem quantity", "Lineitem name", "Lineitem price", "Lineitem compare at price", "Lineitem sku",
        "Lineitem requires shipping", "Lineitem taxable", "Lineitem fulfillment status", "Billing Name",
        "Billing Street", "Billing Address1", "Billing Address2", "Billing Company", "Billing City", "Billing Zip",
        "Billing Province", "Billing Country", "Billing Phone", "Shipping Name", "Shipping Street",
        "Shipping Address1", "Shipping Address2", "Shipping Company", "Shipping City", "Shipping Zip",
        "Shipping Province", "Shipping Country", "Shipping Phone", "Notes", "Note Attributes", "Cancelled at",
        "Payment Method", "Payment Reference", "Refunded Amount", "Vendor", "Outstanding Balance", "Employee",
        "Location", "Device ID", "Id", "Tags", "Risk Level", "Source", "Lineitem discount", "Tax 1 Name",
        "Tax 1 Value", "Tax 2 Name", "Tax 2 Value", "Tax 3 Name", "Tax 3 Value", "Tax 4 Name", "Tax 4 Value",
        "Tax 5 Name", "Tax 5 Value", "Phone", "Receipt Number", "Duties", "Billing Province Name",
        "Shipping Province Name", "Payment ID", "Payment Terms Name", "Next Payment Due At", "Payment References",
    ]

    /// The columns a continuation row (second and later line item of an order) repeats.
    static let continuationColumns: Set<String> = Set(ordersHeader.filter { $0.hasPrefix("Lineitem ") })
        .union(["Name", "Email", "Created at", "Vendor", "Phone"])

    /// Positions of the columns this export fills.
    private enum Col {
        static let name = index("Name")
        static let email = index("Email")
        static let createdAt = index("Created at")
        static let lineitemQuantity = index("Lineitem quantity")
        static let lineitemName = index("Lineitem name")
        static let lineitemPrice = index("Lineitem price")
        static let lineitemSku = index("Lineitem sku")
        static let lineitemRequiresShipping = index("Lineitem requires shipping")
        static let lineitemTaxable = index("Lineitem taxable")
        static let lineitemFulfillmentStatus = index("Lineitem fulfillment status")
        static let vendor = index("Vendor")
        static let lineitemDiscount = index("Lineitem discount")
        static let phone = index("Phone")
        static let financialStatus = index("Financial Status")
        static let paidAt = index("Paid at")
        static let fulfillmentStatus = index("Fulfillment Status")
        static let fulfilledAt = index("Fulfilled at")
        static let acceptsMarketing = index("Accepts Marketing")
        static let currency = index("Currency")
        static let subtotal = index("Subtotal")
        static let shipping = index("Shipping")
        static let taxes = index("Taxes")
        static let total = index("Total")
        static let discountAmount = index("Discount Amount")
        static let shippingMethod = index("Shipping Method")
        static let notes = index("Notes")
        static let cancelledAt = index("Cancelled at")
        static let paymentMethod = index("Payment Method")
        static let refundedAmount = index("Refunded Amount")
        static let outstandingBalance = index("Outstanding Balance")
        static let id = index("Id")
        static let riskLevel = index("Risk Level")
        static let source = index("Source")
        static let paymentID = index("Payment ID")
        static let paymentReferences = index("Payment References")
        static let billingName = index("Billing Name")
        static let billingCity = index("Billing City")
        static let billingCountry = index("Billing Country")
        static let shippingName = index("Shipping Name")
        static let shippingCity = index("Shipping City")
        static let shippingCountry = index("Shipping Country")

        private static func index(_ name: String) -> Int { ShopifyExport.ordersHeader.firstIndex(of: name)! }
    }

    /// What the demo shop sells: name, SKU, vendor (names with a comma or quotes test the quoting).
    static let products: [(name: String, sku: String, vendor: String)] = [
        ("Merino Crew Socks", "PS-SOCK-MER", "Patron Basics"),
        ("Linen Shirt - Sand / M", "PS-LIN-SND-M", "Northwind Textiles"),
        ("Canvas Tote Bag", "PS-TOTE-CNV", "Patron Basics"),
        ("Stoneware Mug, 350 ml", "PS-MUG-350", "Harbor & Co."),
        ("Leather Card Wallet", "PS-WAL-CRD", "Harbor & Co."),
        ("Organic Cotton Hoodie - Navy / L", "PS-HOD-NVY-L", "Northwind Textiles"),
        ("Packable Rain Jacket", "PS-JKT-RAIN", "Fjellvik Outdoor"),
        ("Wool Beanie", "PS-BEA-WOL", "Fjellvik Outdoor"),
        ("Scented Candle \"Cedar\"", "PS-CAN-CED", "Lumen Home"),
        ("Dotted Notebook A5", "PS-NB-A5", "Lumen Home"),
        ("Bamboo Toothbrush (4-pack)", "PS-TB-BAM4", "Patron Basics"),
        ("Ceramic Plant Pot", "PS-POT-CER", "Lumen Home"),
    ]

    static let cities = ["US": "San Francisco", "GB": "London", "DE": "Berlin", "FR": "Paris", "CA": "Vancouver",
                         "AU": "Sydney", "NL": "Amsterdam", "ES": "Madrid", "IT": "Rome", "SE": "Stockholm"]

    let customersFile: VendorFile
    let ordersFile: VendorFile
    private(set) var orders = 0
    /// Canonical returns written with a date (full refunds) and without one (partial refunds).
    private(set) var datedReturns = 0
    private(set) var undatedReturns = 0
    private var nextOrderNumber = 1001

    /// The export instant (end of the history, unix seconds): nothing happens at or after it.
    let end: Int

    init(directory: URL, end: Int) throws {
        self.end = end
        let dir = directory.appendingPathComponent("shopify")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        customersFile = try VendorFile(directory: dir, name: "customers_export.csv")
        ordersFile = try VendorFile(directory: dir, name: "orders_export.csv")
        customersFile.writeCSV(Self.customersHeader)
        ordersFile.writeCSV(Self.ordersHeader)
    }

    func write(_ journey: JourneyRecord, _ random: inout DemoRandom) {
        let c = journey.customer
        let acceptsMarketing = random.chance(0.4)
        var spentCents = 0
        for order in journey.orders {
            spentCents += writeOrder(order, customer: c, acceptsMarketing: acceptsMarketing, &random)
        }
        let apostrophe = { (s: String?) in s.map { "'" + $0 } ?? "" }
        customersFile.writeCSV([
            "'\(7_400_000_000_000 + (Int(c.customerID) ?? c.index))", c.firstName, c.lastName, c.email,
            acceptsMarketing ? "yes" : "no", "", "", "", Self.cities[c.country] ?? "", "", c.country, "",
            apostrophe(c.nationalPhone), apostrophe(c.phone), "no",
            centsText(spentCents), String(journey.orders.count), "", "no", c.segment,
        ])
        customersFile.records += 1
    }

    /// Writes one order's rows; returns what it adds to the customer's `Total Spent`.
    private func writeOrder(_ order: JourneyRecord.Order, customer c: JourneyRecord.Customer, acceptsMarketing: Bool,
                            _ random: inout DemoRandom) -> Int {
        let number = nextOrderNumber
        nextOrderNumber += 1
        orders += 1
        let name = "#\(number)"
        let created = StoreTime.format(order.at)
        let email = random.chance(0.05) ? c.email.prefix(1).uppercased() + c.email.dropFirst() : c.email

        let shippingCents = (1000..<5000).contains(order.cents) ? 495 : 0
        let subtotal = order.cents - shippingCents
        let lines = Self.lineItems(subtotal: subtotal, items: order.items, &random)

        let cancelled = order.status == "cancelled"
        let refunded = order.returns.reduce(0) { $0 + $1.cents }
        let fullReturn = order.returns.first { $0.full }
        datedReturns += fullReturn == nil ? 0 : 1
        undatedReturns += order.returns.count - (fullReturn == nil ? 0 : 1)
        let financial = cancelled ? "voided" : fullReturn != nil ? "refunded" : refunded > 0 ? "partially_refunded" : "paid"
        let cancelledAt: Int? = cancelled ? min(order.at + random.int(120...1800), max(order.at, end - 1)) : fullReturn?.at
        // Shipped within a day (before any return, which comes a day or more later), if before the export.
        let fulfilledAt: Int? = cancelled ? nil : order.at + random.int(1800...20 * 3600)
        let fulfilled = fulfilledAt.map { $0 < end } ?? false
        let source: String
        switch order.channel {
        case "web": source = "web"
        case "app": source = random.chance(0.55) ? "iphone" : "android"
        case "phone": source = "shopify_draft_order"
        case "marketplace": source = "tiktok"
        default: source = order.channel
        }
        let payment = order.channel == "phone" ? "manual" : order.channel == "marketplace" ? "TikTok Shop" : "Shopify Payments"
        let city = Self.cities[c.country] ?? ""

        for (i, line) in lines.enumerated() {
            var row = [String](repeating: "", count: Self.ordersHeader.count)
            row[Col.name] = name
            row[Col.email] = email
            row[Col.createdAt] = created
            row[Col.lineitemQuantity] = String(line.quantity)
            row[Col.lineitemName] = line.product.name
            row[Col.lineitemPrice] = centsText(line.priceCents)
            row[Col.lineitemSku] = line.product.sku
            row[Col.lineitemRequiresShipping] = "true"
            row[Col.lineitemTaxable] = "false"
            row[Col.lineitemFulfillmentStatus] = fulfilled ? "fulfilled" : "pending"
            row[Col.vendor] = line.product.vendor
            row[Col.lineitemDiscount] = "0.00"
            row[Col.phone] = c.phone ?? ""
            if i == 0 {
                row[Col.financialStatus] = financial
                row[Col.paidAt] = cancelled ? "" : created
                row[Col.fulfillmentStatus] = fulfilled ? "fulfilled" : "unfulfilled"
                row[Col.fulfilledAt] = fulfilled ? StoreTime.format(fulfilledAt!) : ""
                row[Col.acceptsMarketing] = acceptsMarketing ? "yes" : "no"
                row[Col.currency] = order.currency
                row[Col.subtotal] = centsText(subtotal)
                row[Col.shipping] = centsText(shippingCents)
                row[Col.taxes] = "0.00"
                row[Col.total] = centsText(order.cents)
                row[Col.discountAmount] = "0.00"
                row[Col.shippingMethod] = shippingCents > 0 ? "Standard Shipping" : "Free Shipping"
                row[Col.billingName] = c.name
                row[Col.billingCity] = city
                row[Col.billingCountry] = c.country
                row[Col.shippingName] = c.name
                row[Col.shippingCity] = city
                row[Col.shippingCountry] = c.country
                if order.channel == "phone" { row[Col.notes] = "Phone order.\nCustomer asked us to call before delivery, thanks" }
                row[Col.cancelledAt] = cancelledAt.map(StoreTime.format) ?? ""
                row[Col.paymentMethod] = payment
                row[Col.refundedAmount] = centsText(refunded)
                row[Col.outstandingBalance] = "0.00"
                row[Col.id] = String(5_210_000_000_000 + number)
                row[Col.riskLevel] = "Low"
                row[Col.source] = source
                row[Col.paymentID] = "\(name).1"
                row[Col.paymentReferences] = "\(name).1"
            }
            ordersFile.writeCSV(row)
            ordersFile.records += 1
        }
        return cancelled ? 0 : order.cents - refunded
    }

    struct LineItem {
        var quantity: Int
        var priceCents: Int
        var product: (name: String, sku: String, vendor: String)
    }

    /// Splits `items` over 1–3 line items whose price × quantity adds up to `subtotal` exactly:
    /// the last line has quantity 1 and takes the remainder, the others a unit price between half
    /// and the whole of the average item price (so the remainder stays positive). One line only
    /// when the subtotal divides evenly by its quantity.
    static func lineItems(subtotal: Int, items: Int, _ random: inout DemoRandom) -> [LineItem] {
        let n = max(1, items)
        var k = random.int(1...min(3, n))
        if k == 1 && n > 1 && subtotal % n != 0 { k = 2 }
        var productIndexes: [Int] = []
        while productIndexes.count < k {
            let p = random.int(0...products.count - 1)
            if !productIndexes.contains(p) { productIndexes.append(p) }
        }
        if k == 1 {
            return [LineItem(quantity: n, priceCents: subtotal / n, product: products[productIndexes[0]])]
        }
        var quantities = [Int](repeating: 1, count: k - 1)
        for _ in 0..<(n - k) { quantities[random.int(0...k - 2)] += 1 }
        let average = subtotal / n
        var lines: [LineItem] = []
        var sum = 0
        for (i, q) in quantities.enumerated() {
            let price = max(0, Int(Double(average) * (0.5 + 0.5 * random.uniform())))
            sum += price * q
            lines.append(LineItem(quantity: q, priceCents: price, product: products[productIndexes[i]]))
        }
        lines.append(LineItem(quantity: 1, priceCents: subtotal - sum, product: products[productIndexes[k - 1]]))
        return lines
    }

    func close() throws {
        try customersFile.close()
        try ordersFile.close()
    }
}
