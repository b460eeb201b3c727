/// RFC 3339 times, read and written by hand (no DateFormatter: exact, fast,
/// the same on every platform).
///
/// Accepted: `2024-02-19T14:00:00+07:00`, `2024-02-19T07:00:00Z`, with an
/// optional fraction of at most 6 digits. The offset is required: a time
/// without one is ambiguous in a country-wide log.
public enum RFC3339 {
    /// Why a text is not an RFC 3339 time.
    public struct Invalid: Error, Hashable, Sendable {
        public let message: String
        init(_ message: String) { self.message = message }
    }

    /// Parses a time, or returns why it is not one.
    public static func parse(_ text: String) -> Result<BusinessTime, Invalid> {
        var utf8 = text
        return utf8.withUTF8 { parse(UnsafeRawBufferPointer($0), text: text) }
    }

    /// The same over the time's UTF-8 bytes (`text`, for messages, is only
    /// made when the time is refused).
    static func parse(_ b: UnsafeRawBufferPointer, text: @autoclosure () -> String) -> Result<BusinessTime, Invalid> {
        func digits(_ at: Int, _ n: Int) -> Int? {
            guard at + n <= b.count else { return nil }
            var v = 0
            for k in at..<(at + n) {
                guard b[k] >= 0x30 && b[k] <= 0x39 else { return nil }
                v = v * 10 + Int(b[k] - 0x30)
            }
            return v
        }
        let shape = "expected an RFC 3339 time with an offset, like 2024-02-19T14:00:00+07:00"
        guard b.count >= 19, let year = digits(0, 4), b[4] == 0x2D, let month = digits(5, 2), b[7] == 0x2D, let day = digits(8, 2),
              b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"),
              let hour = digits(11, 2), b[13] == 0x3A, let minute = digits(14, 2), b[16] == 0x3A, let second = digits(17, 2) else {
            return .failure(Invalid(shape))
        }
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(year, month) else { return .failure(Invalid("no such date: \(text())")) }
        guard hour < 24, minute < 60, second < 60 else { return .failure(Invalid("no such time of day: \(text())")) }
        var i = 19
        var micros = 0
        if i < b.count && b[i] == UInt8(ascii: ".") {
            i += 1
            var n = 0
            while i < b.count && b[i] >= 0x30 && b[i] <= 0x39 {
                n += 1
                guard n <= 6 else { return .failure(Invalid("more than 6 fraction digits (microseconds are the finest unit)")) }
                micros = micros * 10 + Int(b[i] - 0x30)
                i += 1
            }
            guard n > 0 else { return .failure(Invalid(shape)) }
            for _ in n..<6 { micros *= 10 }
        }
        var offset = 0
        guard i < b.count else { return .failure(Invalid("the time has no offset: add Z or +07:00")) }
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            guard let oh = digits(i + 1, 2), i + 3 < b.count, b[i + 3] == 0x3A, let om = digits(i + 4, 2), oh < 24, om < 60 else {
                return .failure(Invalid(shape))
            }
            offset = (oh * 60 + om) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        } else {
            return .failure(Invalid("the time has no offset: add Z or +07:00"))
        }
        guard i == b.count else { return .failure(Invalid(shape)) }
        let local = days(year, month, day) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        let utc = local - Int64(offset) * 60
        return .success(BusinessTime(microsecondsSinceEpoch: utc * 1_000_000 + Int64(micros), offsetMinutes: Int16(offset)))
    }

    /// Writes a time in its own offset: `2024-02-19T14:00:00+07:00`
    /// (`Z` for offset 0; a fraction only when there is one).
    public static func format(_ time: BusinessTime) -> String {
        format(micros: time.microsecondsSinceEpoch, offsetMinutes: Int(time.offsetMinutes))
    }

    /// Writes a record time in UTC: `2026-11-23T05:24:18.123456Z`.
    public static func format(_ time: RecordTime) -> String {
        format(micros: time.microsecondsSinceEpoch, offsetMinutes: 0)
    }

    static func format(micros: Int64, offsetMinutes: Int) -> String {
        let local = micros + Int64(offsetMinutes) * 60_000_000
        var seconds = local / 1_000_000
        var fraction = local % 1_000_000
        if fraction < 0 { fraction += 1_000_000; seconds -= 1 }
        var dayNumber = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 { secondOfDay += 86_400; dayNumber -= 1 }
        let (y, m, d) = civil(dayNumber)
        func pad(_ v: Int64, _ n: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, n - s.count)) + s
        }
        var out = "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay % 3600 / 60, 2)):\(pad(secondOfDay % 60, 2))"
        if fraction != 0 {
            var f = pad(fraction, 6)
            while f.hasSuffix("0") { f.removeLast() }
            out += "." + f
        }
        if offsetMinutes == 0 {
            out += "Z"
        } else {
            let m = abs(offsetMinutes)
            out += (offsetMinutes < 0 ? "-" : "+") + pad(Int64(m / 60), 2) + ":" + pad(Int64(m % 60), 2)
        }
        return out
    }

    static func daysInMonth(_ year: Int, _ month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
    public static func days(_ year: Int, _ month: Int, _ day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date of a day number (civil_from_days).
    static func civil(_ z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }
}
