// The loader's client side (read → validate → encode binary COPY) over files, without a server.
// Usage: PatronLoadBench [--validator | --compare] ENTITY FILE... (scripts/bench-parse builds it in
// release mode and times it). Prints per file: rows, rejected, repeated, encoded bytes, CRC-32 of
// the encoded stream, seconds. --validator: the RowValidator + StageEncoder path RowStager
// replaces; --compare: both, exit status 1 if their streams differ.
import Dispatch
import Foundation
import PatronCore

var arguments = Array(CommandLine.arguments.dropFirst())
var paths: [ClientStageBench.Path] = [.stager]
if arguments.first == "--validator" { paths = [.validator]; arguments.removeFirst() }
if arguments.first == "--compare" { paths = [.stager, .validator]; arguments.removeFirst() }
guard arguments.count >= 2, let entity = Entity(rawValue: arguments[0]) else {
    FileHandle.standardError.write("usage: PatronLoadBench [--validator | --compare] ENTITY FILE...\n".data(using: .utf8)!)
    exit(2)
}
var differ = false
for path in arguments.dropFirst() {
    var results: [ClientStageBench.Result] = []
    for using in paths {
        let start = DispatchTime.now().uptimeNanoseconds
        let r = try ClientStageBench.run(path: path, entity: entity, using: using)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let crc = String(r.crc32, radix: 16)
        let label = paths.count > 1 ? " (\(using.rawValue))" : ""
        print("\(path)\(label): \(r.rows) rows, \(r.rejected) rejected, \(r.repeated) repeated, \(r.bytes) bytes, crc32 \(String(repeating: "0", count: 8 - crc.count) + crc), \(String(format: "%.3f", seconds)) s")
        results.append(r)
    }
    if results.count == 2 {
        let same = results[0].bytes == results[1].bytes && results[0].crc32 == results[1].crc32
            && results[0].rejected == results[1].rejected && results[0].repeated == results[1].repeated
        print("\(path): \(same ? "same" : "DIFFERENT") COPY stream from both paths")
        if !same { differ = true }
    }
}
exit(differ ? 1 : 0)
