import Foundation
import Testing
@testable import PatronInput

/// Reads the whole decompressed content of `file`.
func drain(_ file: InputFile) throws -> [UInt8] {
    var out: [UInt8] = []
    while let chunk = try file.nextChunk() {
        #expect(chunk.count <= InputFile.chunkSize)
        out.append(contentsOf: chunk)
    }
    #expect(try file.nextChunk() == nil)
    return out
}

@Suite("Input files, gzip and hashing")
struct InputFileTests {
    @Test("SHA-256 of the raw bytes: known vectors (\"abc\" and the empty input)")
    func sha256KnownVectors() throws {
        let path = try Fixture.file("abc")
        defer { Fixture.remove(path) }
        let f = try InputFile(path: path)
        #expect(try drain(f) == Array("abc".utf8))
        #expect(f.sha256Hex() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(f.rawBytesRead == 3)
        #expect(f.sizeInBytes == 3)
        #expect(f.isGzip == false)
        #expect(f.displayName == path)

        let empty = try Fixture.file("")
        defer { Fixture.remove(empty) }
        let e = try InputFile(path: empty)
        #expect(try drain(e).isEmpty)
        #expect(e.sha256Hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test("SHA-256 of a multi-chunk file matches sha256sum; of a gzip file it covers the compressed bytes")
    func sha256MatchesSystemTool() throws {
        var bytes = [UInt8]()
        for i in 0..<(3 * InputFile.chunkSize + 12345) { bytes.append(UInt8(truncatingIfNeeded: i &* 31 &+ i >> 7)) }
        let path = try Fixture.file(bytes)
        defer { Fixture.remove(path) }
        let f = try InputFile(path: path)
        #expect(try drain(f) == bytes)
        #expect(f.sha256Hex() == (try sha256sum(path)))
        #expect(f.rawBytesRead == Int64(bytes.count))

        let gz = try Fixture.file(try Fixture.gzip("id\n1\n"), name: "x.csv.gz")
        defer { Fixture.remove(gz) }
        let g = try InputFile(path: gz)
        #expect(try drain(g) == Array("id\n1\n".utf8))
        #expect(g.sha256Hex() == (try sha256sum(gz)))
        #expect(g.rawBytesRead == g.sizeInBytes)
    }

    func sha256sum(_ path: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        p.arguments = [path]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return String(out.prefix(64))
    }

    @Test("a file that cannot be opened is an InputError with the system's reason")
    func cannotOpen() throws {
        let e = #expect(throws: InputError.self) { try InputFile(path: "/nonexistent/dir/file.csv") }
        #expect(e?.message.contains("No such file or directory") == true)
        #expect(e?.file == "/nonexistent/dir/file.csv")
        let dir = try Fixture.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let d = #expect(throws: InputError.self) { try InputFile(path: dir.path) }
        #expect(d?.message.contains("directory") == true)
    }

    @Test("gzip is detected by its magic bytes and inflated transparently, whatever the name")
    func gzipTransparent() throws {
        let text = "id,name\n1,Ann\n2,Bob\n"
        let path = try Fixture.file(try Fixture.gzip(text), name: "export.csv")  // no .gz in the name
        defer { Fixture.remove(path) }
        let r = try readAll(path: path, format: .csv, columns: ["id", "name"])
        #expect(r.file.isGzip)
        #expect(r.rows.map(\.values) == [["1", "Ann"], ["2", "Bob"]])
    }

    @Test("gzip larger than a chunk, decompressed in bounded chunks")
    func gzipLarge() throws {
        var text = "id,name\n"
        for i in 0..<200_000 { text += "\(i),name \(i) \(i % 7 == 0 ? "\"q\"" : "")\n" }
        let path = try Fixture.file(try Fixture.gzip(text), name: "big.csv.gz")
        defer { Fixture.remove(path) }
        let f = try InputFile(path: path)
        #expect(try drain(f) == Array(text.utf8))
        let r = try readAll(path: path, format: .csv, columns: ["id", "name"])
        #expect(r.rows.count == 200_000)
        #expect(r.rows[199_999].values == ["199999", "name 199999 "])
        #expect(r.rows[199_999].line == 200_001)
    }

    @Test("line numbers of gzip input are lines of the decompressed text")
    func gzipLineNumbers() throws {
        let text = "id,name\n\n1,\"a\nb\"\n\n2,c\n"
        let path = try Fixture.file(try Fixture.gzip(text), name: "x.csv.gz")
        defer { Fixture.remove(path) }
        let r = try readAll(path: path, format: .csv, columns: ["id", "name"])
        #expect(r.rows.map(\.line) == [3, 6])
        let bad = try Fixture.file(try Fixture.gzip("id,name\n1,a\n2,\"open\n"), name: "y.csv.gz")
        defer { Fixture.remove(bad) }
        let e = #expect(throws: InputError.self) { try readAll(path: bad, format: .csv, columns: ["id"]) }
        #expect(e?.line == 3)
    }

    @Test("multi-member gzip (concatenated streams) is read to the end")
    func gzipMultiMember() throws {
        let a = try Fixture.gzip("id,name\n1,a\n")
        let b = try Fixture.gzip("2,b\n")
        let c = try Fixture.gzip("")  // an empty member in the middle
        let d = try Fixture.gzip("3,c\n")
        let path = try Fixture.file(a + b + c + d, name: "multi.csv.gz")
        defer { Fixture.remove(path) }
        let r = try readAll(path: path, format: .csv, columns: ["id", "name"])
        #expect(r.rows.map(\.values) == [["1", "a"], ["2", "b"], ["3", "c"]])
        #expect(r.rows.map(\.line) == [2, 3, 4])
    }

    @Test("a truncated gzip file fails the whole file", arguments: [1, 4, 8, 20])
    func gzipTruncated(cut: Int) throws {
        var text = "id,name\n"
        for i in 0..<5000 { text += "\(i),some name \(i)\n" }
        let gz = try Fixture.gzip(text)
        let path = try Fixture.file(Array(gz.dropLast(cut)), name: "cut.csv.gz")
        defer { Fixture.remove(path) }
        let e = #expect(throws: InputError.self) { try readAll(path: path, format: .csv, columns: ["id"]) }
        #expect(e?.message.contains("truncated") == true)
        // Only the magic bytes.
        let magic = try Fixture.file([0x1f, 0x8b], name: "magic.gz")
        defer { Fixture.remove(magic) }
        #expect(throws: InputError.self) { try drain(InputFile(path: magic)) }
    }

    @Test("corrupt gzip data fails the whole file")
    func gzipCorrupt() throws {
        var text = ""
        for i in 0..<5000 { text += "\(i),some name \(i)\n" }
        var gz = try Fixture.gzip(text)
        for i in stride(from: 40, to: 80, by: 1) { gz[i] ^= 0x5A }
        let path = try Fixture.file(gz, name: "bad.gz")
        defer { Fixture.remove(path) }
        let e = #expect(throws: InputError.self) { try drain(InputFile(path: path)) }
        #expect(e?.message.contains("gzip") == true)
    }

    @Test("bytes after the last gzip member that are not another member fail the file")
    func gzipTrailingGarbage() throws {
        let gz = try Fixture.gzip("id\n1\n")
        let path = try Fixture.file(gz + Array("garbage!".utf8), name: "trail.gz")
        defer { Fixture.remove(path) }
        let e = #expect(throws: InputError.self) { try drain(InputFile(path: path)) }
        #expect(e?.message.contains("after the end of the gzip stream") == true)
    }

    @Test("standard input: \"-\" reads fd 0, named \"standard input\", gzip detected there too", .serialized,
          arguments: [false, true])
    func standardInput(gzipped: Bool) throws {
        let text = "{\"id\": 1}\n{\"id\": 2}\n"
        let bytes = gzipped ? try Fixture.gzip(text) : Array(text.utf8)
        let path = try Fixture.file(bytes)
        defer { Fixture.remove(path) }
        // Temporarily redirect fd 0 to the file (nothing else in the tests reads stdin).
        let saved = dup(0)
        let fd = open(path, O_RDONLY)
        #expect(dup2(fd, 0) == 0)
        close(fd)
        defer {
            dup2(saved, 0)
            close(saved)
        }
        let f = try InputFile(path: "-")
        #expect(f.displayName == "standard input")
        #expect(f.path == "-")
        #expect(f.isGzip == gzipped)
        let reader = try makeRowReader(file: f, format: .jsonl, columns: ["id"], required: ["id"])
        var row = InputRow(columnCount: 1)
        var ids: [String?] = []
        while try reader.next(into: &row) { ids.append(row.values[0]) }
        #expect(ids == ["1", "2"])
    }

    @Test("the format is guessed from the name; .gz is ignored; unknown and \"-\" give nil", arguments: [
        ("a.csv", InputFormat.csv), ("dir.x/A.CSV", .csv), ("a.csv.gz", .csv), ("a.jsonl", .jsonl),
        ("a.ndjson", .jsonl), ("a.json", .jsonl), ("a.JSONL.GZ", .jsonl),
        ("a.tsv", nil), ("a.txt", nil), ("a.gz", nil), ("-", nil), ("csv", nil), (".csv", nil), ("a.csv.bak", nil),
    ] as [(String, InputFormat?)])
    func guessFormat(_ path: String, _ expected: InputFormat?) {
        #expect(InputFormat.guess(fromPath: path) == expected)
    }
}
