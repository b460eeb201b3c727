import Projections
import ScoreModel

/// The second half of "not found": what the log does have, so a user can
/// correct the argument without another command.
enum WhatExists {
    /// `A, B, C, … (29 in all)`: at most `limit` of `values`.
    static func list(_ values: [String], limit: Int = 10) -> String {
        values.count <= limit ? values.joined(separator: ", ") : values.prefix(limit).joined(separator: ", ") + ", … (\(values.count) in all)"
    }

    /// Why `unit` has no figures in `index` `year`, item `item`, if it does not.
    static func problem(_ book: ScoreBook, unit: String, index: String, year: Int, item: String?) -> String? {
        guard let info = book.units[UnitCode(unit)] else {
            return "unknown unit \(unit) (the log has \(list(book.units.keys.sorted().map(\.rawValue))))"
        }
        guard let framework = book.framework(for: info.code, index: IndexCode(index), year: year) else {
            let years = book.frameworks.keys.filter { $0.index.rawValue == index && $0.block == info.block }.map { String($0.year) }.sorted()
            return "no framework scores \(unit) in \(index) \(year) (block \(info.block) has \(index) "
                + (years.isEmpty ? "no year)" : "years \(years.joined(separator: ", ")))")
        }
        if let item, !framework.items.contains(where: { $0.code.rawValue == item }) {
            return "item \(item) is not in framework \(framework.id) (its items: \(list(framework.items.map(\.code.rawValue))))"
        }
        return nil
    }
}
