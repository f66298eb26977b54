import CLibPQ

/// What replaces a password in a message.
public let redactedPassword = "***"

/// `message` with every trace of the password of `conninfo` replaced by `***`.
///
/// libpq echoes pieces of the connection string in its errors: a URI's bad percent-encoding
/// (`invalid percent-encoded token: "s3cret%ZZ"`), or — for a password holding `@` or `/`, which
/// libpq splits at — the part after the split as a host name (`could not translate host name
/// "et@127.0.0.1"`). So the password is taken both as libpq reads it (PQconninfoParse, which
/// decodes it) and as the user meant it (a URI's user information up to its last `@`, a
/// `password=` keyword or query parameter), raw and percent-decoded; each is replaced, and so is
/// each piece of it that libpq may have taken for a host, port or database name.
public func redactingPassword(in message: String, conninfo: String) -> String {
    let secrets = passwordCandidates(conninfo)
    guard !secrets.isEmpty else { return message }
    var replacements: [(String, String)] = []
    for secret in secrets {
        replacements.append((secret, redactedPassword))
        // The pieces libpq may have split the password into at a URI delimiter.
        let delimiters: Set<Character> = ["@", "/", "?", "#", ":"]
        let characters = Array(secret)
        for (index, character) in characters.enumerated() where delimiters.contains(character) {
            let head = String(characters[..<index]), tail = String(characters[(index + 1)...])
            // The tail is what libpq read as the start of the host (`et@127.0.0.1`) or path.
            if !tail.isEmpty {
                for follower in ["@", "/", ":", "?", "\""] {
                    replacements.append((tail + follower, redactedPassword + follower))
                }
                if tail.count >= 4 { replacements.append((tail, redactedPassword)) }
            }
            if !head.isEmpty {
                replacements.append(("\"" + head + "\"", "\"" + redactedPassword + "\""))
                if head.count >= 4 { replacements.append((head, redactedPassword)) }
            }
        }
    }
    // Longest first, so a piece never spoils the replacement of the whole.
    replacements.sort { $0.0.count > $1.0.count }
    var text = message
    for (secret, replacement) in replacements where !secret.isEmpty {
        text = text.replacing(secret, with: replacement)
    }
    return text
}

/// Every spelling of the password that `conninfo` may carry (none for no password).
func passwordCandidates(_ conninfo: String) -> [String] {
    var found: [String] = []
    func add(_ value: String?) {
        guard let value, !value.isEmpty else { return }
        if !found.contains(value) { found.append(value) }
        if let decoded = percentDecoded(value), !decoded.isEmpty, !found.contains(decoded) { found.append(decoded) }
    }
    // As libpq reads it, when it can.
    if let options = PQconninfoParse(conninfo, nil) {
        defer { PQconninfoFree(options) }
        var option = options
        while let keyword = option.pointee.keyword {
            if String(cString: keyword) == "password", let value = option.pointee.val { add(String(cString: value)) }
            option += 1
        }
    }
    // A URI's user information, `user:password@`, up to the last `@` of the URI.
    for scheme in ["postgresql://", "postgres://"] where conninfo.hasPrefix(scheme) {
        let rest = conninfo.dropFirst(scheme.count)
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            if let colon = userInfo.firstIndex(of: ":") {
                add(String(userInfo[userInfo.index(after: colon)...]))
                // libpq itself stops at the first `@` or `/`.
                let libpqView = userInfo[userInfo.index(after: colon)...].prefix { $0 != "@" && $0 != "/" }
                add(String(libpqView))
            }
        }
    }
    // `password=…` as a keyword (`password='s e c'` or `password=secret`) or a URI parameter.
    var search = conninfo[...]
    while let range = search.firstRange(of: "password") {
        var rest = search[range.upperBound...].drop { $0 == " " || $0 == "\t" }
        defer { search = search[range.upperBound...] }
        guard rest.first == "=" else { continue }
        rest = rest.dropFirst().drop { $0 == " " || $0 == "\t" }
        if rest.first == "'" {
            var value = "", escaped = false
            for character in rest.dropFirst() {
                if escaped { value.append(character); escaped = false; continue }
                if character == "\\" { escaped = true; continue }
                if character == "'" { break }
                value.append(character)
            }
            add(value)
        } else {
            add(String(rest.prefix { !$0.isWhitespace && $0 != "&" }))
        }
    }
    return found
}

/// `%XX` sequences decoded, or nil when there are none or one is malformed or not UTF-8.
func percentDecoded(_ text: String) -> String? {
    guard text.contains("%") else { return nil }
    var bytes: [UInt8] = []
    var utf8 = Array(text.utf8)[...]
    while let byte = utf8.first {
        utf8 = utf8.dropFirst()
        guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
        guard utf8.count >= 2, let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) else { return nil }
        bytes.append(value)
        utf8 = utf8.dropFirst(2)
    }
    return String(validating: bytes, as: UTF8.self)
}

/// What a log may say about `conninfo`: its host, port, database and user as libpq reads them
/// (`host=db1 port=5432 dbname=shop user=patron`), never its password or other options; those
/// not given are left out (libpq's defaults and `PG*` variables apply). Unparseable strings
/// are described, not echoed.
public func conninfoSummary(_ conninfo: String) -> String {
    guard let options = PQconninfoParse(conninfo, nil) else { return "a connection string libpq cannot parse" }
    defer { PQconninfoFree(options) }
    var values: [String: String] = [:]
    var option = options
    while let keyword = option.pointee.keyword {
        if let value = option.pointee.val { values[String(cString: keyword)] = String(cString: value) }
        option += 1
    }
    let parts = ["host", "hostaddr", "port", "dbname", "user", "service"].compactMap { key in
        values[key].flatMap { $0.isEmpty ? nil : "\(key)=\($0)" }
    }
    // A password holding `@` or `/` lands partly in the host or database as libpq reads it.
    return parts.isEmpty ? "libpq's defaults" : redactingPassword(in: parts.joined(separator: " "), conninfo: conninfo)
}
