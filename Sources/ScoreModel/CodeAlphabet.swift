/// What a code may hold: what a person can read and tell apart.
///
/// A code (unit, block, index, item, framework, appeal, band, `by`) is
/// 1–200 bytes of UTF-8 in NFC made of
/// - letters of any script (Unicode categories L*), with the combining marks
///   (Mn, Mc) that some scripts need after a letter (Vietnamese needs none
///   in NFC: `ệ` is one letter);
/// - decimal digits (Nd);
/// - the separators `-` `.` `_` `:` `@`, and single spaces between other
///   characters (never first, last or two in a row).
///
/// Everything else is refused, invisible characters first of all: zero-width
/// spaces and joiners, the byte-order mark, bidi controls, control
/// characters, other spaces. So `SKHDT` and `SKHDT` + U+200B can never be
/// two units that print alike.
///
/// ```swift
/// CodeAlphabet.problem(in: "Khối sở")            // nil
/// CodeAlphabet.problem(in: "SKHDT\u{200B}")      // "character 6 is U+200B ZERO WIDTH SPACE, …"
/// ```
public enum CodeAlphabet {
    public static let separators: Set<Unicode.Scalar> = ["-", ".", "_", ":", "@"]

    /// Why `text` is not a valid code, naming the first character at fault
    /// (counted from 1) and what it is; nil when it is valid.
    public static func problem(in text: String) -> String? {
        if isPlainASCII(text) { return nil }
        var previous: Unicode.Scalar?
        let scalars = Array(text.unicodeScalars)
        for (i, scalar) in scalars.enumerated() {
            let position = i + 1
            switch scalar.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .decimalNumber:
                break
            case .nonspacingMark, .spacingMark:
                guard let p = previous, p != " ", !separators.contains(p) else {
                    return "character \(position) is \(describe(scalar)), a combining mark that follows no letter"
                }
            default:
                if separators.contains(scalar) { break }
                if scalar == " " {
                    if position == 1 || position == scalars.count { return "a code must not begin or end with a space" }
                    if previous == " " { return "character \(position) is a second space in a row" }
                    break
                }
                return "character \(position) is \(describe(scalar)), which a code may not hold"
                    + " (a code is letters, digits, single spaces and - . _ : @)"
            }
            previous = scalar
        }
        if !text.utf8.elementsEqual(text._nfcCodeUnits) {
            return "the code is not in Unicode NFC (a letter is written as a base and combining marks); write it precomposed"
        }
        return nil
    }

    /// The common case, checked without Unicode tables: ASCII letters,
    /// digits and separators, single inner spaces (ASCII is always NFC).
    static func isPlainASCII(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { isPlainASCII(UnsafeRawBufferPointer($0)) }
    }

    /// The same over a code's UTF-8 bytes.
    static func isPlainASCII(_ utf8: UnsafeRawBufferPointer) -> Bool {
        var previousSpace = true   // no leading space
        for b in utf8 {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: ":"), UInt8(ascii: "@"):
                previousSpace = false
            case UInt8(ascii: " ") where !previousSpace:
                previousSpace = true
            default:
                return false
            }
        }
        return !previousSpace   // not empty, no trailing space
    }

    /// A control character (C0, DEL, C1) or a bidi control (U+061C,
    /// U+200E, U+200F, U+202A–U+202E, U+2066–U+2069): what a name may not hold.
    public static func isInvisibleControl(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0..<0x20, 0x7F...0x9F, 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    /// `U+200B ZERO WIDTH SPACE`: the code point and its Unicode name.
    public static func describe(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        let name = scalar.properties.name ?? scalar.properties.nameAlias ?? ""
        return name.isEmpty ? code : "\(code) \(name)"
    }
}
