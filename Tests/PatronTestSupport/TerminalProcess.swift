import Foundation

/// Runs the built `patron` executable with its standard output on a pseudo-terminal of a
/// given width, as a person at a terminal would see it (stderr stays a pipe).
public enum TerminalProcess {
    /// `environment` is added to (a nil value removes) the test's own; carriage returns the
    /// terminal adds before each newline are removed from `stdout`.
    public static func run(_ arguments: [String], url: String, columns: Int, environment extra: [String: String?] = [:]) throws -> PatronProcess.Outcome {
        let master = PseudoTerminal.openMaster(O_RDWR | O_NOCTTY)
        var nameBuffer = [CChar](repeating: 0, count: 128)
        guard master >= 0, PseudoTerminal.grant(master) == 0, PseudoTerminal.unlock(master) == 0,
              PseudoTerminal.name(master, &nameBuffer, nameBuffer.count) == 0 else {
            throw POSIXError(.EIO)
        }
        let name = String(decoding: nameBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { close(master) }
        var size = winsize(ws_row: 24, ws_col: UInt16(columns), ws_xpixel: 0, ws_ypixel: 0)
        _ = withUnsafeMutablePointer(to: &size) { ioctl(master, UInt(TIOCSWINSZ), $0) }
        let slave = open(name, O_RDWR | O_NOCTTY)
        guard slave >= 0 else { throw POSIXError(.EIO) }

        let process = Process()
        process.executableURL = PatronProcess.executable
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["PATRON_DATABASE_URL"] = url
        environment["PATRON_SQL_DIR"] = sqlDirectory.url.path
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle(fileDescriptor: slave, closeOnDealloc: false)
        let err = Pipe()
        process.standardError = err
        try process.run()
        close(slave)  // the child holds its own copy: reading ends when it exits

        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
            if count > 0 { output += buffer[0..<count] } else if count < 0 && errno == EINTR { continue } else { break }
        }
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return PatronProcess.Outcome(
            status: process.terminationStatus,
            stdout: String(decoding: output, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n"),
            stderr: String(decoding: stderr, as: UTF8.self))
    }
}

/// The C library's pseudo-terminal calls, which Swift's Glibc module does not export (they sit
/// behind _XOPEN_SOURCE in <stdlib.h>): looked up by name in the running process.
enum PseudoTerminal {
    private static func symbol<T>(_ name: String, as type: T.Type) -> T {
        guard let address = dlsym(dlopen(nil, RTLD_NOW), name) else { fatalError("libc has no \(name)") }
        return unsafeBitCast(address, to: type)
    }
    static let openMaster = symbol("posix_openpt", as: (@convention(c) (Int32) -> Int32).self)
    static let grant = symbol("grantpt", as: (@convention(c) (Int32) -> Int32).self)
    static let unlock = symbol("unlockpt", as: (@convention(c) (Int32) -> Int32).self)
    static let name = symbol("ptsname_r", as: (@convention(c) (Int32, UnsafeMutablePointer<CChar>, Int) -> Int32).self)
}
