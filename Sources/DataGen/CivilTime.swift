import ScoreModel

/// Business times for generated data: a wall-clock time in Vietnam (+07:00).
enum CivilTime {
    static let vietnamOffset: Int16 = 7 * 60

    /// `year-month-day hour:minute` in +07:00.
    static func vietnam(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 9, _ minute: Int = 0) -> BusinessTime {
        let local = RFC3339.days(year, month, day) * 86_400 + Int64(hour * 3600 + minute * 60)
        let utc = local - Int64(vietnamOffset) * 60
        return BusinessTime(microsecondsSinceEpoch: utc * 1_000_000, offsetMinutes: vietnamOffset)
    }

    /// A time `minutes` after `base`, keeping its offset.
    static func adding(minutes: Int, to base: BusinessTime) -> BusinessTime {
        BusinessTime(microsecondsSinceEpoch: base.microsecondsSinceEpoch + Int64(minutes) * 60_000_000, offsetMinutes: base.offsetMinutes)
    }
}
