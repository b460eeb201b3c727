/// An exact decimal score with at most three decimal places.
///
/// Scores are never floating point inside parledger: a score is a whole
/// number of thousandths of a point, so sums are exact.
///
/// ```swift
/// let a = Score("53.25")!          // 53250 thousandths
/// let b = Score("33.87")!
/// (a + b).description              // "87.12"
/// ```
public struct Score: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The score in thousandths of a point (`53.25` is `53250`).
    public var thousandths: Int64

    public init(thousandths: Int64) { self.thousandths = thousandths }

    public static let zero = Score(thousandths: 0)

    /// A whole number of points.
    public init(points: Int) { self.thousandths = Int64(points) * 1000 }

    /// Parses a plain decimal: an optional `-`, digits, and at most three
    /// decimals (`"53.25"`, `"-1"`, `"0.125"`). Returns nil for anything else:
    /// exponents, more than three decimals, a leading `+`, empty parts.
    public init?(_ text: some StringProtocol) {
        var utf8 = Substring(text).utf8[...]
        var negative = false
        if utf8.first == UInt8(ascii: "-") { negative = true; utf8 = utf8.dropFirst() }
        var whole: Int64 = 0
        var wholeDigits = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var seenPoint = false
        for byte in utf8 {
            if byte == UInt8(ascii: ".") {
                if seenPoint { return nil }
                seenPoint = true
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let digit = Int64(byte - UInt8(ascii: "0"))
            if seenPoint {
                fractionDigits += 1
                if fractionDigits > 3 { return nil }
                fraction = fraction * 10 + digit
            } else {
                wholeDigits += 1
                // 15 digits of whole points keep thousandths far inside Int64.
                if wholeDigits > 15 { return nil }
                whole = whole * 10 + digit
            }
        }
        if wholeDigits == 0 || (seenPoint && fractionDigits == 0) { return nil }
        while fractionDigits < 3 { fraction *= 10; fractionDigits += 1 }
        let value = whole * 1000 + fraction
        self.thousandths = negative ? -value : value
    }

    /// The shortest exact decimal: `"53.25"`, `"90"`, `"-0.5"`.
    public var description: String {
        let negative = thousandths < 0
        let magnitude = thousandths.magnitude
        let whole = magnitude / 1000
        var fraction = magnitude % 1000
        var text = negative ? "-" : ""
        text += String(whole)
        if fraction != 0 {
            var digits = 3
            while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
            let f = String(fraction)
            text += "." + String(repeating: "0", count: digits - f.count) + f
        }
        return text
    }

    /// At least `minimumDecimals` decimals, for columns: `91.20`, `83.614`, `100.00`.
    public func formatted(minimumDecimals: Int = 2) -> String {
        var text = description
        let decimals = text.firstIndex(of: ".").map { text.distance(from: $0, to: text.endIndex) - 1 } ?? -1
        if decimals < 0 { text += minimumDecimals > 0 ? "." : "" }
        if decimals < minimumDecimals { text += String(repeating: "0", count: minimumDecimals - max(decimals, 0)) }
        return text
    }

    public static func < (lhs: Score, rhs: Score) -> Bool { lhs.thousandths < rhs.thousandths }
    public static func + (lhs: Score, rhs: Score) -> Score { Score(thousandths: lhs.thousandths + rhs.thousandths) }
    public static func - (lhs: Score, rhs: Score) -> Score { Score(thousandths: lhs.thousandths - rhs.thousandths) }
    public static func += (lhs: inout Score, rhs: Score) { lhs.thousandths += rhs.thousandths }
    public static prefix func - (value: Score) -> Score { Score(thousandths: -value.thousandths) }
}

/// A percent with exactly two decimals, as published (`94.72`).
///
/// Made only by rounding an exact ratio half away from zero, so that every
/// figure a user sees is reproducible from the points behind it.
public struct Percent: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The percent in hundredths (`94.72` is `9472`).
    public var hundredths: Int64

    public init(hundredths: Int64) { self.hundredths = hundredths }

    /// `100 × points / max`, rounded half away from zero to 2 decimals;
    /// nil when `max` is not positive (nothing applicable).
    public init?(points: Score, max: Score) {
        guard max.thousandths > 0 else { return nil }
        self.hundredths = Self.divideRounded(points.thousandths * 10_000, by: max.thousandths)
    }

    /// `numerator / denominator` rounded half away from zero (denominator > 0).
    public static func divideRounded(_ numerator: Int64, by denominator: Int64) -> Int64 {
        precondition(denominator > 0)
        let magnitude = numerator.magnitude
        let d = denominator.magnitude
        var q = magnitude / d
        if (magnitude % d) * 2 >= d { q += 1 }
        return numerator < 0 ? -Int64(q) : Int64(q)
    }

    /// Whether this percent reaches a threshold given as a score (exactly,
    /// in thousandths: 89.99 does not reach 90, 90.00 does).
    public func reaches(_ threshold: Score) -> Bool { hundredths * 10 >= threshold.thousandths }

    /// `"94.72"`, `"-0.50"`, `"100.00"`: always two decimals.
    public var description: String { format(decimalSeparator: ".") }

    /// `"94,72"` for Vietnamese reports.
    public func format(decimalSeparator: String) -> String {
        let negative = hundredths < 0
        let m = hundredths.magnitude
        let f = m % 100
        return (negative ? "-" : "") + String(m / 100) + decimalSeparator + (f < 10 ? "0" : "") + String(f)
    }

    public static func < (lhs: Percent, rhs: Percent) -> Bool { lhs.hundredths < rhs.hundredths }
    public static func - (lhs: Percent, rhs: Percent) -> Percent { Percent(hundredths: lhs.hundredths - rhs.hundredths) }
}
