import Foundation
import PatronTestSupport
import Testing

/// `patron load` stays under 200 MB of memory whatever the file: a record of a gigabyte, a
/// gzip bomb of zeros, a header without end. The files are made here, gzip members
/// concatenated (a gigabyte of text costs a few kilobytes and milliseconds to write), and the
/// real executable is measured from outside.
@Suite("Bounded memory on any input")
struct BoundedMemoryTests {
    static let memoryLimit = 200_000_000
    static let header = "order_id,customer_id,ordered_at,amount\n"

    @Test("a gzip holding one 1 GiB line: that record is rejected with its reason, the others load, exit 2, under 200 MB")
    func hugeLineIsRejected() throws {
        let w = try ScratchWarehouse()
        // Lines: 1 header, 2 a good row, 3 one row of 1 GiB, 4 a good row.
        let x = try gzipMember([UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20))
        var bytes = try gzipMember(Array((Self.header + "X1,C1,2024-01-01,5\nX2,C1,2024-01-01,").utf8))
        for _ in 0..<1024 { bytes += x }
        bytes += try gzipMember(Array("\nX3,C1,2024-01-02,7\n".utf8))
        let path = try w.write("huge-line.csv.gz", bytes: bytes)

        let run = try MeasuredRun(["load", "purchases", path, "--schema", w.schema], url: w.url)
        #expect(run.peakBytes < Self.memoryLimit, "peak RSS \(run.peakBytes / 1_000_000) MB")
        #expect(run.status == 2, "\(run.stderr.prefix(500))")
        #expect(run.stderr.contains("1 rejected"), "\(run.stderr.prefix(500))")
        #expect(try w.count("purchases") == 2)
        let rejects = try PatronProcess.run(["rejects", "--schema", w.schema, "--format", "csv"], url: w.url)
        #expect(rejects.status == 0)
        let line = rejects.stdout.split(separator: "\n").first { $0.contains("longer than 16 MiB") }
        #expect(line?.contains("huge-line.csv.gz") == true, "\(rejects.stdout.prefix(1000))")
        #expect(line?.contains(",3,") == true, "\(rejects.stdout.prefix(1000))")
    }

    @Test("a gzip of zeros fails at once naming line 1 and the NUL byte, in little memory")
    func gzipOfZerosFailsFast() throws {
        let w = try ScratchWarehouse()
        let zeros = try gzipMember([UInt8](repeating: 0, count: 1 << 20))
        var bytes: [UInt8] = []
        for _ in 0..<1024 { bytes += zeros }
        let path = try w.write("zeros.csv.gz", bytes: bytes)

        let run = try MeasuredRun(["load", "purchases", path, "--schema", w.schema], url: w.url)
        #expect(run.peakBytes < Self.memoryLimit, "peak RSS \(run.peakBytes / 1_000_000) MB")
        #expect(run.status == 3, "\(run.stderr.prefix(500))")
        #expect(run.stderr.contains("zeros.csv.gz, line 1: contains a NUL byte"), "\(run.stderr.prefix(500))")
        // One chunk is read, not the gigabyte behind it.
        #expect(run.seconds < 10, "took \(run.seconds) s")
    }

    @Test("a CSV header longer than 1 MiB fails the file with a message naming it")
    func overWideHeaderFails() throws {
        let w = try ScratchWarehouse()
        let name = String(repeating: "n", count: 2 << 20)
        let path = try w.write("wide.csv", "order_id,customer_id,ordered_at,amount,\(name)\nX1,C1,2024-01-01,5,x\n")

        let run = try MeasuredRun(["load", "purchases", path, "--schema", w.schema], url: w.url)
        #expect(run.peakBytes < Self.memoryLimit, "peak RSS \(run.peakBytes / 1_000_000) MB")
        #expect(run.status == 3, "\(run.stderr.prefix(500))")
        #expect(run.stderr.contains("wide.csv, line 1: the header row is longer than 1 MiB"), "\(run.stderr.prefix(500))")
        #expect(try w.count("purchases") == 0)
    }

    @Test("--max-record-bytes raises the limit, and takes only sizes")
    func maxRecordBytesOption() throws {
        let w = try ScratchWarehouse()
        let long = String(repeating: "y", count: 1 << 20)
        let path = try w.write("long.csv", Self.header + "X1,C1,2024-01-01,5\nX2,C1,2024-01-01,\(long)\n")
        let small = try PatronProcess.run(["load", "purchases", path, "--schema", w.schema, "--max-record-bytes", "512KiB"],
                                          url: w.url)
        #expect(small.status == 2, "\(small.stderr.prefix(500))")
        let rejects = try PatronProcess.run(["rejects", "--schema", w.schema, "--format", "csv"], url: w.url)
        #expect(rejects.stdout.contains("longer than 512 KiB"), "\(rejects.stdout.prefix(1000))")
        // Within 2 MiB the record is read, and rejected for what it holds: an amount of y's.
        let large = try PatronProcess.run(["load", "purchases", path, "--schema", w.schema, "--max-record-bytes", "2MiB"],
                                          url: w.url)
        #expect(large.status == 2, "\(large.stderr.prefix(500))")
        let again = try PatronProcess.run(["rejects", "--schema", w.schema, "--format", "csv"], url: w.url)
        #expect(again.stdout.contains("amount"), "\(again.stdout.prefix(1000))")
        let usage = try PatronProcess.run(["load", "purchases", path, "--max-record-bytes", "lots"], url: w.url)
        #expect(usage.status == 64)
        #expect(usage.stderr.contains("--max-record-bytes"), "\(usage.stderr.prefix(500))")
    }
}

/// One gzip member holding `bytes` (members concatenated are one gzip stream of their contents).
private func gzipMember(_ bytes: [UInt8]) throws -> [UInt8] {
    let input = FileManager.default.temporaryDirectory.appendingPathComponent("patron-gzip-\(UUID().uuidString)")
    try Data(bytes).write(to: input)
    defer { try? FileManager.default.removeItem(at: input) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/gzip")
    process.arguments = ["-c", "-n", input.path]
    let out = Pipe()
    process.standardOutput = out
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
    return Array(data)
}

/// Runs `patron` and samples its peak resident memory (VmHWM in /proc, a high-water mark, so a
/// sample misses nothing that happened before it) every 10 ms until it exits. A process past
/// three times the limit is killed: a failing test must not take the machine with it.
private struct MeasuredRun {
    let status: Int32
    let stderr: String
    let peakBytes: Int
    let seconds: Double

    init(_ arguments: [String], url: String) throws {
        let started = Date()
        let (process, out, err) = try PatronProcess.start(arguments, url: url)
        let pid = process.processIdentifier
        // Drained while it runs, so a full pipe never blocks it.
        let drained = DispatchGroup()
        let errData = DataBox()
        DispatchQueue.global().async(group: drained) { _ = out.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: drained) { errData.data = err.fileHandleForReading.readDataToEndOfFile() }
        var peak = 0
        while process.isRunning {
            if let hwm = Self.highWaterMark(pid) { peak = max(peak, hwm) }
            if peak > 3 * BoundedMemoryTests.memoryLimit { kill(pid, SIGKILL) }
            usleep(10_000)
        }
        process.waitUntilExit()
        drained.wait()
        status = process.terminationStatus
        stderr = String(decoding: errData.data, as: UTF8.self)
        peakBytes = peak
        seconds = Date().timeIntervalSince(started)
    }

    /// VmHWM of a running process, in bytes; nil once it is gone.
    static func highWaterMark(_ pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return nil }
        let kilobytes = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap { Int($0) }
        return kilobytes.map { $0 * 1024 }
    }
}

/// Written by one reader thread, read after `DispatchGroup.wait`.
private final class DataBox: @unchecked Sendable {
    var data = Data()
}
