import Foundation
import PatronTestSupport
import Testing

/// Comments, READMEs and docs point readers at files by their path in the repository
/// (`Sources/PatronLoad/Loader.swift`, `sql/models/purchase_facts.sql`, `docs/inputs.md`).
/// A move that forgets one leaves a reader at a dead end; this finds them.
@Suite("paths named in the repository's text exist")
struct RepositoryReferencesTests {
    static let roots = ["Sources", "Tests", "sql", "docs", "scripts"]
    static let textExtensions: Set<String> = ["swift", "sql", "md", "py", ""]

    /// Every text file of the repository that can name a path (fixtures excepted).
    static func textFiles() -> [URL] {
        var files = [repositoryRoot.appendingPathComponent("README.md"), repositoryRoot.appendingPathComponent("Package.swift")]
        for root in roots {
            let enumerator = FileManager.default.enumerator(at: repositoryRoot.appendingPathComponent(root),
                                                            includingPropertiesForKeys: [.isRegularFileKey])
            while let url = enumerator?.nextObject() as? URL {
                guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true,
                      textExtensions.contains(url.pathExtension), !url.path.contains("/Fixtures/") else { continue }
                files.append(url)
            }
        }
        return files
    }

    @Test("every Sources/, Tests/, sql/, docs/ or scripts/ path named in a comment or doc exists")
    func namedPathsExist() throws {
        let pattern = try NSRegularExpression(pattern: #"(?<![\w/.])((?:Sources|Tests|sql|docs|scripts)/[A-Za-z0-9_./+\-]*[A-Za-z0-9_+\-])"#)
        var checked = 0
        for file in Self.textFiles() {
            let text = try String(contentsOf: file, encoding: .utf8)
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let line = String(line)
                for match in pattern.matches(in: line, range: NSRange(line.startIndex..., in: line)) {
                    let path = String(line[Range(match.range(at: 1), in: line)!])
                    // Patterns, not paths: `sql/analyses/NAME.sql`, `sql/load/<entity>.sql`, `load_*`.
                    if path.contains("*") || path.contains("<") || path.range(of: "/[A-Z]{4,}[._]", options: .regularExpression) != nil
                        || path.hasSuffix("_") { continue }
                    checked += 1
                    let candidates = [repositoryRoot.appendingPathComponent(path),
                                      file.deletingLastPathComponent().appendingPathComponent(path)]
                    #expect(candidates.contains { FileManager.default.fileExists(atPath: $0.path) },
                            "\(file.path.dropFirst(repositoryRoot.path.count + 1)):\(index + 1) names \(path), which does not exist")
                }
            }
        }
        #expect(checked > 50)
    }

    @Test("nothing cites the team's contract files, which users do not have: docs/ holds the contract")
    func noTeamOnlyFiles() throws {
        for file in Self.textFiles() where !file.path.hasSuffix("RepositoryReferencesTests.swift") {
            let text = try String(contentsOf: file, encoding: .utf8)
            for name in ["INPUTS.md", "METRICS.md", "../shared"] {
                #expect(!text.contains(name), "\(file.path.dropFirst(repositoryRoot.path.count + 1)) cites \(name)")
            }
        }
    }
}
