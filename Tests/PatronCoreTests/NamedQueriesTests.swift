import Foundation
import PatronCore
import PatronTestSupport
import Testing

@Suite("Named statements in .sql files")
struct NamedQueriesTests {
    @Test("statements are split at `-- name:` lines; the text before the first is the header")
    func split() throws {
        let queries = try NamedQueries(text: """
            -- The file's header.

            -- name: first
            -- What the first one does.
            SELECT 1;

            -- name: second
            SELECT 2
            """, path: "x.sql")
        #expect(queries.header == "-- The file's header.\n")
        #expect(queries.names == ["first", "second"])
        #expect(try queries["first"] == "-- What the first one does.\nSELECT 1;")
        #expect(try queries["second"] == "SELECT 2")
        #expect(!queries.contains("third"))
    }

    @Test("an unknown, empty or repeated name is an error naming the file and the statement")
    func errors() throws {
        let queries = try NamedQueries(text: "-- name: a\nSELECT 1", path: "x.sql")
        #expect(throws: PatronError.self) { try queries["b"] }
        do {
            _ = try queries["b"]
        } catch {
            #expect("\(error)" == "x.sql has no statement named 'b'")
        }
        #expect("\(try #require(throwsError { try NamedQueries(text: "-- name: a\n\n-- name: b\nSELECT 1", path: "y.sql") }))"
            == "y.sql: statement 'a' is empty")
        #expect("\(try #require(throwsError { try NamedQueries(text: "-- name: a\nSELECT 1\n-- name: a\nSELECT 2", path: "z.sql") }))"
            == "z.sql: statement 'a' is defined twice")
    }

    @Test("every .sql file with named statements in sql/ parses, and no name is defined twice")
    func repositoryFiles() throws {
        let sql = SQLDirectory(url: repositoryRoot.appendingPathComponent("sql"))
        for folder in ["load", "internal"] {
            let names = try FileManager.default.contentsOfDirectory(atPath: sql.file(folder).path).filter { $0.hasSuffix(".sql") }
            #expect(!names.isEmpty)
            for name in names {
                let queries = try sql.queries("\(folder)/\(name)")
                #expect(!queries.names.isEmpty, "\(folder)/\(name) has no named statement")
            }
        }
    }
}

private func throwsError(_ body: () throws -> Void) -> Error? {
    do { try body(); return nil } catch { return error }
}
