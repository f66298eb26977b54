import Foundation
import PatronCore
import PatronInput

/// One kind of file a vendor exports (Shopify's orders export, Zendesk's users export …).
public struct VendorFileKind: Sendable, Hashable, CustomStringConvertible {
    public let vendor: String
    /// Short name, unique within the vendor: `orders`, `customers`, `tickets`, `users` …
    public let name: String
    /// What the user exported, for help and for "expected one of" messages.
    public let summary: String
    /// The canonical entities the file yields, in the order they are loaded.
    public let entities: [Entity]
    /// Files are read in this order (lower first): lookups such as Zendesk's users must be
    /// known before the tickets that refer to them, and customers load before facts.
    public let readOrder: Int

    public init(vendor: String, name: String, summary: String, entities: [Entity], readOrder: Int) {
        self.vendor = vendor
        self.name = name
        self.summary = summary
        self.entities = entities
        self.readOrder = readOrder
    }

    /// `shopify orders`: how load_runs names the format of an imported file.
    public var description: String { "\(vendor) \(name)" }
}

/// What every vendor option can set. Each importer reads the ones it documents.
public struct ImportSettings: Sendable {
    /// Zone for offset-less times that are not UTC by definition (`--tz`); Meltwater's export
    /// zone is this too (the exporting user's display zone).
    public var timeZone = TimeZone(identifier: "UTC")!
    /// Zendesk: the custom field holding the ticket category, and the one holding handle seconds.
    public var categoryField: String?
    public var handleTimeField: String?
    /// Delighted: the person property holding the ticket id, and the source those tickets are in.
    public var ticketProperty: String?
    public var ticketSource: String?

    public init() {}
}

/// Reads one vendor's export files and hands canonical rows to a sink. Holds lookups between
/// files of one import (Zendesk users for the tickets that follow), so use one importer per
/// import command.
public protocol VendorImporter: AnyObject {
    /// `shopify`, `zendesk` … (the subcommand and the `vendor` of a sync source).
    static var vendor: String { get }
    /// The kinds of file this vendor exports that Patron reads.
    static var kinds: [VendorFileKind] { get }
    /// Per entity, the canonical columns this vendor fills (the converted file's header).
    static func columns(for entity: Entity) -> [String]
    /// The columns this importer fills with its settings and the files read so far: a subset of
    /// `columns(for:)` in the same order (Zendesk's category without `--category-field` is not
    /// filled), so a converted CSV file has no column that would clear stored values.
    func filledColumns(for entity: Entity) -> [String]

    init(settings: ImportSettings)

    /// Which kind `file` is, from its content (header or top-level keys), or nil when it is
    /// none of them. Reads only the start of the file.
    func recognize(_ file: InputFile) throws -> VendorFileKind?

    /// Converts one file of a recognized kind. Throws `InputError` for a file that cannot be
    /// read as that kind at all (a truncated JSON page, a renamed required column).
    func convert(_ file: InputFile, kind: VendorFileKind, into sink: ImportSink) throws
}

extension VendorImporter {
    /// A fresh row of `entity` with this vendor's columns, all absent.
    public func row(_ entity: Entity, _ record: SourceRecord) -> ImportRow {
        ImportRow(entity, columns: filledColumns(for: entity), record: record)
    }

    public func filledColumns(for entity: Entity) -> [String] { Self.columns(for: entity) }

    /// Recognizes every file and puts them in reading order (ties keep the command-line order).
    /// A file that is none of the vendor's kinds fails naming what was expected.
    public func recognizeAll(_ paths: [String]) throws -> [(path: String, kind: VendorFileKind)] {
        var found: [(path: String, kind: VendorFileKind, position: Int)] = []
        for (position, path) in paths.enumerated() {
            let file = try InputFile(path: path)
            guard let kind = try recognize(file) else {
                let expected = Self.kinds.map { "\($0.name) (\($0.summary))" }.joined(separator: "; ")
                throw InputError(file: file.displayName,
                                 message: "not a \(Self.vendor) export this command reads; expected one of: \(expected)")
            }
            found.append((path, kind, position))
        }
        return found.sorted { ($0.kind.readOrder, $0.position) < ($1.kind.readOrder, $1.position) }
            .map { ($0.path, $0.kind) }
    }
}

/// The importers Patron has, by vendor name.
public enum Vendors {
    public static let all: [any VendorImporter.Type] = [
        ShopifyImporter.self, ZendeskImporter.self, IntercomImporter.self, StripeImporter.self, MeltwaterImporter.self,
        DelightedImporter.self,
    ]

    public static func named(_ name: String) -> (any VendorImporter.Type)? {
        all.first { $0.vendor == name }
    }
}
