// The loader's client side (read → validate → encode binary COPY) over files, without a server.
// Usage: PatronLoadBench ENTITY FILE... (scripts/bench-parse builds it in release mode and times it).
// Prints per file: rows, rejected, repeated, encoded bytes, CRC-32 of the encoded stream, seconds.
import Dispatch
import Foundation
import PatronCore

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 2, let entity = Entity(rawValue: arguments[0]) else {
    FileHandle.standardError.write("usage: PatronLoadBench ENTITY FILE...\n".data(using: .utf8)!)
    exit(2)
}
for path in arguments.dropFirst() {
    let start = DispatchTime.now().uptimeNanoseconds
    let r = try ClientStageBench.run(path: path, entity: entity)
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let crc = String(r.crc32, radix: 16)
    print("\(path): \(r.rows) rows, \(r.rejected) rejected, \(r.repeated) repeated, \(r.bytes) bytes, crc32 \(String(repeating: "0", count: 8 - crc.count) + crc), \(String(format: "%.3f", seconds)) s")
}
