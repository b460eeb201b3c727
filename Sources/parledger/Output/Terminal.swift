import Foundation
import Pipelines
import ScoreModel

/// The one escape for text that reaches a terminal.
///
/// Strings from events (names, notes, codes of older logs) may hold
/// characters that act on a terminal instead of showing: C0 and C1 control
/// characters (an escape sequence can clear the screen or retitle the
/// window), DEL, and the Unicode bidi controls (U+061C, U+200E, U+200F,
/// U+202A–U+202E, U+2066–U+2069) that reorder what follows. Each is shown
/// as `\u{…}`. Every line the CLI prints goes through here: `print` in this
/// module is ``print(_:separator:terminator:)`` below, and errors go
/// through ``writeError(_:)``.
///
/// ```swift
/// Terminal.escape("Sở\u{1B}]0;pwned\u{7}", lineEnds: false)   // "Sở\\u{1b}]0;pwned\\u{7}"
/// ```
enum Terminal {
    static func isUnsafe(_ s: Unicode.Scalar) -> Bool { CodeAlphabet.isInvisibleControl(s) }

    /// `text` with every unsafe character as `\u{…}`; with `lineEnds`, the
    /// tab, `\n` and a `\r` right before `\n` are left as they are (the
    /// CLI's own line structure), otherwise they are escaped too.
    static func escape(_ text: String, lineEnds: Bool) -> String {
        guard text.unicodeScalars.contains(where: isUnsafe) else { return text }
        var out = String.UnicodeScalarView()
        let scalars = Array(text.unicodeScalars)
        for (i, scalar) in scalars.enumerated() {
            let kept = lineEnds && (scalar == "\n" || scalar == "\t" || (scalar == "\r" && i + 1 < scalars.count && scalars[i + 1] == "\n"))
            if isUnsafe(scalar) && !kept {
                out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16))}".unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// JSON text with the bidi controls and C1 characters written as
    /// `\uXXXX` escapes: the same JSON value, harmless on a terminal.
    /// (Canonical JSON already escapes C0 controls.)
    static func jsonSafe(_ json: String) -> String {
        // C1 controls and bidi controls start with one of these UTF-8 bytes:
        // most lines (Vietnamese included) have none and pass untouched.
        guard json.utf8.contains(where: { $0 == 0xC2 || $0 == 0xD8 || $0 == 0xE2 }),
              json.unicodeScalars.contains(where: { isUnsafe($0) && $0.value >= 0x7F }) else { return json }
        var out = String.UnicodeScalarView()
        for scalar in json.unicodeScalars {
            if isUnsafe(scalar) && scalar.value >= 0x7F {
                let hex = String(scalar.value, radix: 16)
                out.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// Writes to standard error through the escape.
    static func writeError(_ text: String) {
        FileHandle.standardError.write(Data(escape(text, lineEnds: true).utf8))
    }
}

/// `print` for this module: the standard one, through ``Terminal/escape(_:lineEnds:)``.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    let text = items.map { "\($0)" }.joined(separator: separator) + terminator
    Swift.print(Terminal.escape(text, lineEnds: true), terminator: "")
}

/// Prints canonical JSON to standard output.
func printJSON(_ value: CanonicalJSON) {
    Swift.print(Terminal.jsonSafe(value.text), terminator: "")
}

/// Prints a CSV table: one header, CRLF line ends, formula guard; a BOM
/// first with `bom` (for Excel), none by default (standard output is for
/// pipes). Control and bidi characters in cells are escaped as everywhere else.
func printCSV(_ table: CSVTable, bom: Bool = false) {
    let bytes = table.serialized()
    if bom { FileHandle.standardOutput.write(Data(CSVTable.byteOrderMark)) }
    print(String(decoding: bytes.dropFirst(CSVTable.byteOrderMark.count), as: UTF8.self), terminator: "")
}
