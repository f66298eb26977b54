/// `--color auto|always|never`: whether the terminal table may use ANSI colour.
public enum ColorChoice: String, CaseIterable, Sendable {
    case auto, always, never
}

/// The colour codes a terminal understands: none, the 256-colour palette, or 24-bit RGB.
public enum ColorDepth: Sendable, Equatable {
    case none, palette256, truecolor
}

extension ColorChoice {
    /// `auto` colours only a terminal, and not when NO_COLOR is set to anything but the empty
    /// string (no-color.org) or TERM is `dumb`; `always` colours even a pipe or file (an
    /// explicit option beats NO_COLOR, as no-color.org asks). Truecolor when COLORTERM says
    /// the terminal has it, else the 256-colour palette every current terminal has.
    public func depth(environment: [String: String], isTerminal: Bool) -> ColorDepth {
        switch self {
        case .never:
            return .none
        case .auto:
            if !isTerminal || !(environment["NO_COLOR"] ?? "").isEmpty || environment["TERM"] == "dumb" { return .none }
        case .always:
            break
        }
        let colorterm = (environment["COLORTERM"] ?? "").lowercased()
        return colorterm == "truecolor" || colorterm == "24bit" ? .truecolor : .palette256
    }
}

public enum TerminalWidth {
    /// The columns a wide table may use: nil (all of them) when the output is not a terminal;
    /// else COLUMNS when set to a positive number, else the window's width, else 80.
    public static func resolve(isTerminal: Bool, environment: [String: String], windowColumns: Int?) -> Int? {
        guard isTerminal else { return nil }
        if let columns = environment["COLUMNS"].flatMap({ Int($0) }), columns > 0 { return columns }
        if let windowColumns, windowColumns > 0 { return windowColumns }
        return 80
    }
}
