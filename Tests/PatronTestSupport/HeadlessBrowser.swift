import Foundation

/// Chromium, headless (Debian package `chromium`, installed by scripts/install-deps): renders a
/// page as a user's browser would, for tests of what Patron writes as HTML.
public enum HeadlessBrowser {
    public struct Rendering {
        /// The document as the browser built it (`--dump-dom`).
        public let dom: String
        /// Messages the page logged to the console (errors included).
        public let consoleMessages: [String]
        /// The end of Chromium's own log, for a failing test's message.
        public let logTail: String
    }

    public static var executable: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    /// Loads `file` with the network switched off and returns the DOM and console messages.
    public static func render(_ file: String, screenshot: String? = nil) throws -> Rendering {
        guard let chromium = executable else {
            throw BrowserError(message: "no Chromium found (scripts/install-deps installs the Debian package `chromium`)")
        }
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("patron-chromium-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: profile) }
        let log = profile.appendingPathComponent("stderr.log")
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: log.path, contents: nil)
        var arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(profile.path)",
            "--enable-logging=stderr", "--v=0",
            // No network at all: a page that needs one shows it as failed loads.
            "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
            "--window-size=1280,2200",
        ]
        arguments += screenshot.map { ["--screenshot=\($0)"] } ?? ["--dump-dom"]
        arguments.append(URL(fileURLWithPath: file).absoluteString)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        process.arguments = arguments
        // The test runner's library path (the Swift toolchain's libraries) must not reach the
        // browser's renderer, which then loads a blank page.
        var environment = ProcessInfo.processInfo.environment
        environment["LD_LIBRARY_PATH"] = nil
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        process.standardError = try FileHandle(forWritingTo: log)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let dom = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let stderr = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            throw BrowserError(message: "chromium exited \(process.terminationStatus): \(stderr.suffix(2000))")
        }
        // Chromium logs console messages as `[…:INFO:CONSOLE:line] "text", source: …`.
        let console = stderr.split(separator: "\n").filter { $0.contains(":CONSOLE") }.map(String.init)
        return Rendering(dom: dom, consoleMessages: console, logTail: String(stderr.suffix(3000)))
    }

    public struct BrowserError: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }
}
