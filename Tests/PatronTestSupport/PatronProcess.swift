import Foundation

/// Runs the built `patron` executable, as cron or a user would.
public struct PatronProcess {
    public static var executable: URL {
        // The test bundle sits in the build directory next to the executable.
        let build = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let candidates = [build, build.deletingLastPathComponent(), repositoryRoot.appendingPathComponent(".build/debug")]
        return candidates.map { $0.appendingPathComponent("patron") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0].appendingPathComponent("patron")
    }

    public struct Outcome { public let status: Int32; public let stdout: String; public let stderr: String }

    public static func start(_ arguments: [String], url: String, stdin: Data? = nil, applicationName: String? = nil) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["PATRON_DATABASE_URL"] = url
        environment["PATRON_SQL_DIR"] = sqlDirectory.url.path
        if let applicationName { environment["PGAPPNAME"] = applicationName }
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        if let stdin {
            let input = Pipe()
            process.standardInput = input
            try process.run()
            input.fileHandleForWriting.write(stdin)
            try input.fileHandleForWriting.close()
        } else {
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }
        return (process, out, err)
    }

    public static func run(_ arguments: [String], url: String, stdin: Data? = nil) throws -> Outcome {
        let (process, out, err) = try start(arguments, url: url, stdin: stdin)
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                       stderr: String(decoding: stderr, as: UTF8.self))
    }
}
