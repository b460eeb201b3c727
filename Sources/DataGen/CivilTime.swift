import ScoreModel

/// Business times for generated data: a wall-clock time in Vietnam (+07:00).
enum CivilTime {
    static let vietnamOffset: Int16 = 7 * 60

    /// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's
    /// days_from_civil).
    static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// `year-month-day hour:minute` in +07:00.
    static func vietnam(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 9, _ minute: Int = 0) -> BusinessTime {
        let local = days(year: year, month: month, day: day) * 86_400 + Int64(hour * 3600 + minute * 60)
        let utc = local - Int64(vietnamOffset) * 60
        return BusinessTime(microsecondsSinceEpoch: utc * 1_000_000, offsetMinutes: vietnamOffset)
    }

    /// A time `minutes` after `base`, keeping its offset.
    static func adding(minutes: Int, to base: BusinessTime) -> BusinessTime {
        BusinessTime(microsecondsSinceEpoch: base.microsecondsSinceEpoch + Int64(minutes) * 60_000_000, offsetMinutes: base.offsetMinutes)
    }
}
