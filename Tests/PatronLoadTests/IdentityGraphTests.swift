import Foundation
import Testing
import PatronCore
@testable import PatronLoad

/// `IdentityGraph`, the direct load's union–find over identifier hashes (Loader+Direct.swift):
/// each row's identifiers are looked up (`node`) and joined (`key(joining:)`); the row is keyed
/// by the root it returns (fresh base + root); after the file, `retiredRoots` names the roots
/// that keyed rows and were joined to an older one since (those rows are re-keyed in SQL), and
/// `find` gives every identifier's final component. Pure: no database.
@Suite("IdentityGraph: the direct load's components")
struct IdentityGraphTests {
    // The identifier kinds as the loader numbers them (Loader+Direct.swift, `kindNames`).
    static let customerID: UInt8 = 1, email: UInt8 = 2, phone: UInt8 = 3, handle: UInt8 = 4

    struct Found: Equatable, CustomStringConvertible {
        var node: Int32
        var isNew: Bool
        init(_ node: Int32, _ isNew: Bool) { self.node = node; self.isNew = isNew }
        var description: String { "node \(node)\(isNew ? " (new)" : "")" }
    }

    /// A graph driven the way the loader drives it: one row at a time.
    struct Driver {
        var graph: IdentityGraph
        init(limit: Int = 700_000) { graph = IdentityGraph(limit: limit) }

        /// The node of (kind, value) and whether it was new.
        mutating func node(_ kind: UInt8, _ value: String) throws -> Found {
            var isNew = false
            let bytes = Array(value.utf8)
            let node = try bytes.withUnsafeBytes { try graph.node(kind: kind, value: $0, isNew: &isNew) }
            return Found(node, isNew)
        }

        /// Reads one row: looks up its identifiers and returns the root that keys it.
        mutating func row(_ identifiers: [(UInt8, String)]) throws -> Int32 {
            let nodes = try identifiers.map { try node($0.0, $0.1).node }
            return graph.key(joining: nodes[...])
        }

        mutating func root(_ kind: UInt8, _ value: String) throws -> Int32 {
            let found = try node(kind, value)
            #expect(!found.isNew, "\(value) was not seen before")
            return graph.find(found.node)
        }

        mutating func retired() -> [[Int32]] { graph.retiredRoots().map { [$0.retired, $0.root] } }
    }

    @Test("each distinct identifier is one node, numbered in order of first sight")
    func nodes() throws {
        var d = Driver()
        #expect(d.graph.nodeCount == 0)
        #expect(try d.node(Self.email, "ann@example.com") == Found(1, true))
        #expect(try d.node(Self.phone, "+4930123") == Found(2, true))
        #expect(try d.node(Self.email, "ann@example.com") == Found(1, false))
        #expect(try d.node(Self.customerID, "C-1") == Found(3, true))
        #expect(try d.node(Self.phone, "+4930123") == Found(2, false))
        // Values are bytes: case, whitespace and non-ASCII text make other identifiers (the
        // loader normalizes before it looks up), and the empty value is an identifier too.
        #expect(try d.node(Self.email, "Ann@example.com") == Found(4, true))
        #expect(try d.node(Self.email, "ann@example.com ") == Found(5, true))
        #expect(try d.node(Self.handle, "zoë") == Found(6, true))
        #expect(try d.node(Self.handle, "zoe\u{308}") == Found(7, true))   // the same text, decomposed: other bytes
        #expect(try d.node(Self.handle, "") == Found(8, true))
        #expect(try d.node(Self.handle, "zoë") == Found(6, false))
        #expect(d.graph.nodeCount == 8)
        // Nothing is joined by looking up.
        for n in Int32(1)...8 { #expect(d.graph.find(n) == n) }
    }

    @Test("kinds are distinct: the same text as two kinds is two identifiers")
    func kindsAreDistinct() throws {
        var d = Driver()
        let text = "4930123"
        let nodes = try [Self.customerID, Self.email, Self.phone, Self.handle].map { try d.node($0, text) }
        #expect(nodes.map(\.node) == [1, 2, 3, 4])
        #expect(nodes.allSatisfy { $0.isNew })
        // Rows naming the text as different kinds share no identifier: separate customers.
        #expect(try d.row([(Self.email, "x@example.com")]) == 5)
        let a = try d.row([(Self.phone, "x@example.com")])
        let b = try d.row([(Self.handle, "x@example.com")])
        #expect(a == 6 && b == 7)
        #expect(d.retired().isEmpty)
    }

    @Test("rows that share any identifier end in one component, keyed by the first row's root")
    func sharedIdentifier() throws {
        var d = Driver()
        let first = try d.row([(Self.customerID, "C-1"), (Self.email, "ann@example.com")])
        // Shares only the email; brings a new phone.
        let second = try d.row([(Self.phone, "+4930123"), (Self.email, "ann@example.com")])
        // Shares only the phone.
        let third = try d.row([(Self.phone, "+4930123")])
        #expect(first == 1 && second == 1 && third == 1)
        // A row sharing nothing is another component.
        let other = try d.row([(Self.customerID, "C-2"), (Self.handle, "@bob")])
        #expect(other == 4)
        #expect(try d.root(Self.customerID, "C-1") == 1)
        #expect(try d.root(Self.email, "ann@example.com") == 1)
        #expect(try d.root(Self.phone, "+4930123") == 1)
        #expect(try d.root(Self.handle, "@bob") == 4)
        #expect(d.graph.nodeCount == 5)
        // Every row got its component's final key: nothing to re-key.
        #expect(d.retired().isEmpty)
    }

    @Test("joins are transitive: a–b, b–c, c alone are one component")
    func transitive() throws {
        var d = Driver()
        let keys = try [
            d.row([(Self.email, "a@x")]),
            d.row([(Self.email, "a@x"), (Self.phone, "b")]),
            d.row([(Self.phone, "b"), (Self.handle, "c")]),
            d.row([(Self.handle, "c")]),
            d.row([(Self.handle, "c"), (Self.customerID, "d")]),
        ]
        #expect(keys == [1, 1, 1, 1, 1])
        for (kind, value) in [(Self.email, "a@x"), (Self.phone, "b"), (Self.handle, "c"), (Self.customerID, "d")] {
            #expect(try d.root(kind, value) == 1, "\(value)")
        }
        #expect(d.retired().isEmpty)
    }

    @Test("a later row joining two earlier components: the older root survives, the younger is retired")
    func laterJoin() throws {
        var d = Driver()
        let ann = try d.row([(Self.email, "ann@x")])              // node 1
        let bob = try d.row([(Self.phone, "555")])                // node 2
        #expect(ann == 1 && bob == 2)
        // The younger identifier first in the row: the older root (1) still keys it.
        let joined = try d.row([(Self.phone, "555"), (Self.email, "ann@x")])
        #expect(joined == 1)
        #expect(try d.root(Self.phone, "555") == 1)
        // Later rows of either identifier get the survivor.
        #expect(try d.row([(Self.phone, "555")]) == 1)
        // The rows keyed 2 before the join must be re-keyed to 1.
        #expect(d.retired() == [[2, 1]])
    }

    @Test("a root that never keyed a row is not retired; a chain of joins retires to the final root")
    func retiredRoots() throws {
        var d = Driver()
        #expect(try d.row([(Self.email, "a")]) == 1)               // node 1 keys a row
        // Nodes 2 and 3 first appear together: 3 joins 2 before any row is keyed by 3.
        #expect(try d.row([(Self.email, "b"), (Self.email, "c")]) == 2)
        #expect(try d.row([(Self.email, "d")]) == 4)               // node 4 keys a row
        #expect(d.retired().isEmpty)
        // 4 joins 2 (2 survives), then 2 joins 1: 2 and 4 both end under 1.
        #expect(try d.row([(Self.email, "d"), (Self.email, "c")]) == 2)
        #expect(d.retired() == [[4, 2]])
        #expect(try d.row([(Self.email, "b"), (Self.email, "a")]) == 1)
        #expect(d.retired() == [[2, 1], [4, 1]])
        for value in ["a", "b", "c", "d"] { #expect(try d.root(Self.email, value) == 1, "\(value)") }
        // Joining what is already one component changes nothing.
        #expect(try d.row([(Self.email, "c"), (Self.email, "a"), (Self.email, "d")]) == 1)
        #expect(d.retired() == [[2, 1], [4, 1]])
    }

    @Test("the limit: that many distinct identifiers, then Full; known identifiers are still found")
    func limit() throws {
        var d = Driver(limit: 3)
        #expect(d.graph.limit == 3)
        for (i, value) in ["a", "b", "c"].enumerated() { #expect(try d.node(Self.email, value) == Found(Int32(i + 1), true)) }
        for _ in 0..<2 {
            do {
                _ = try d.node(Self.email, "d")
                Issue.record("a fourth identifier was accepted past the limit of 3")
            } catch let full as IdentityGraph.Full {
                #expect(full.limit == 3)
            }
        }
        #expect(d.graph.nodeCount == 3)
        #expect(try d.node(Self.email, "b") == Found(2, false))
        #expect(try d.row([(Self.email, "c"), (Self.email, "a")]) == 1)
        // The default limit the loader relies on (700,000 identifiers: at most 2²⁰ slots).
        #expect(IdentityGraph().limit == 700_000)
    }

    @Test("past the first table size (70% of 2¹⁶ slots) every identifier keeps its node, up to the default limit")
    func growth() throws {
        var d = Driver()
        let count = 700_000
        func value(_ i: Int) -> String { "customer-\(i)@example.com" }
        for i in 0..<count {
            let found = try d.node(Self.email, value(i))
            if found != Found(Int32(i + 1), true) { Issue.record("identifier \(i): \(found)"); return }
        }
        #expect(d.graph.nodeCount == count)
        for i in stride(from: 0, to: count, by: 7) {
            let found = try d.node(Self.email, value(i))
            if found != Found(Int32(i + 1), false) { Issue.record("identifier \(i) again: \(found)"); return }
        }
        // The same texts as phones are other identifiers, and the graph is full.
        #expect(throws: IdentityGraph.Full.self) { try d.node(Self.phone, value(0)) }
    }
}
