import Foundation
import ScoreModel

/// A real published ranking turned into events: the bundled examples of
/// `events/examples/`. The events are made from the table alone, so that
/// replaying them must give back what was printed.
///
/// What cannot be recovered from a rounded print is chosen, never a printed
/// figure changed, and every choice is listed in ``choices``:
/// - ties of the printed percent that the source broke (distinct positions
///   or ranks for equal percents) get points 0.001 apart in the printed
///   order, and the framework ranks on the exact ratio;
/// - printed parts that add up to the printed composite only within ±0.01
///   get the smallest thousandths that make each part round to its print
///   and the total round to the composite.
///
/// ```swift
/// let table = try PublishedTable(file: "thanhhoa_par2024_departments.csv", text: csv)
/// let example = try PublishedExample(table)
/// example.events       // units, framework, appraisals, results.published
/// ```
public struct PublishedExample: Sendable {
    /// One printed row and the exact points chosen for it.
    public struct Row: Sendable {
        /// 1-based, in the printed order.
        public var position: Int
        public var unit: UnitCode
        public var name: String
        /// As printed; nil where the source prints no rank.
        public var printedRank: Int?
        public var percent: Percent
        /// The printed parts, by item, in the table's column order (empty for percent-only tables).
        public var parts: [Part]
        /// The points given to each item of the framework.
        public var points: [Part]
        /// The rank the source gives: printed, or the position where none is printed.
        public var rank: Int { printedRank ?? position }
    }

    public struct Part: Sendable, Hashable {
        public var item: ItemCode
        public var value: Score
        public init(item: ItemCode, value: Score) { self.item = item; self.value = value }
    }

    /// `thanhhoa-par2024-departments`: the name `demo --example` takes.
    public let name: String
    public let table: PublishedTable
    public let partition: Partition
    public let sourceURL: String
    public let rows: [Row]
    /// The block mean the source prints, if it prints one.
    public let printedMean: Percent?
    public let framework: Framework
    /// What the generator chose where the print is not exact.
    public let choices: [String]
    public let events: [Event]

    /// What the catalogue knows of a file beyond its rows.
    struct Setting {
        var name: String
        /// The date the source prints for the decision or the article.
        var date: (year: Int, month: Int, day: Int)
        var by: Actor
        var decision: String?
    }

    static let settings: [String: Setting] = [
        "thanhhoa_par2024_departments.csv": Setting(name: "thanhhoa-par2024-departments", date: (2024, 2, 17),
                                                    by: "UBND tỉnh Thanh Hóa", decision: "482/QĐ-UBND"),
        "par2020_provinces_top10.csv": Setting(name: "par2020-provinces-top10", date: (2021, 6, 28), by: "Bộ Nội vụ", decision: nil),
    ]

    /// The printed parts a table may have: column, item, and the maximum this
    /// example gives it. The source prints no maxima; these add up to 100
    /// (the composite is printed as a percent of 100 points, and the parts
    /// add up to it) and each is above every printed value.
    static let partColumns: [(column: String, item: ItemCode, name: String, max: Score, source: ItemSource)] = [
        ("appraised", "TD", "Điểm thẩm định", Score(points: 62), .assessment),
        ("survey_sipas", "SIPAS", "Chỉ số hài lòng của người dân, tổ chức (SIPAS)", Score(points: 10), .survey),
        ("survey_leaders", "LDQL", "Điều tra lãnh đạo, quản lý", Score(points: 22), .survey),
        ("survey_socioeconomic_impact", "KTXH", "Tác động đến phát triển kinh tế - xã hội", Score(points: 6), .survey),
    ]

    /// For percent-only tables: one item of 100 points, so a unit's points are its percent.
    static let totalItem = (item: ItemCode("TONG"), name: "Tổng điểm (nguồn chỉ công bố tỷ lệ %)", max: Score(points: 100))

    public init(_ table: PublishedTable) throws {
        guard let setting = Self.settings[table.file] else {
            throw PublishedTableError(file: table.file, line: 1,
                                      "not a known published table (known: \(Self.settings.keys.sorted().joined(separator: ", ")))")
        }
        self.table = table
        name = setting.name
        let index = IndexCode(try table.text(0, "index"))
        guard let year = Int(try table.text(0, "year")) else { throw table.error(0, "year", "not a year") }
        partition = Partition(index: index, year: year, block: BlockCode(try table.text(0, "level")))
        sourceURL = try table.text(0, "source_url")
        printedMean = Self.printedMean(in: try table.text(0, "notes"))

        // The printed rows.
        let parts = Self.partColumns.filter { table.header.contains($0.column) }
        var rows: [Row] = []
        var codes: Set<UnitCode> = []
        for i in table.rows.indices {
            let name = try table.text(i, "unit")
            guard let unit = Self.unitCode(name, taken: codes) else { throw table.error(i, "unit", "no free code for \"\(name)\"") }
            codes.insert(unit)
            let rankText = try table.text(i, "rank")
            var printedRank: Int? = nil
            if !rankText.isEmpty {
                guard let r = Int(rankText) else { throw table.error(i, "rank", "\"\(rankText)\" is not a rank") }
                printedRank = r
            }
            let percent = try Self.printed(table, i, "percent")
            var printedParts: [Part] = []
            for p in parts {
                let value = try Self.printed(table, i, p.column)
                printedParts.append(Part(item: p.item, value: Score(thousandths: value.hundredths * 10)))
            }
            rows.append(Row(position: i + 1, unit: unit, name: name, printedRank: printedRank, percent: percent,
                            parts: printedParts, points: []))
        }

        // The rule: ties of the printed percent that the source broke mean it ranks below the printed precision.
        let brokenTies = Dictionary(grouping: rows, by: \.percent.hundredths).values
            .filter { $0.count > 1 && Set($0.map(\.rank)).count > 1 }
            .sorted { $0[0].position < $1.first!.position }
        let rule: RankingRule = brokenTies.isEmpty ? .default : RankingRule(order: .ratio)
        var choices: [String] = []

        // The exact points.
        if parts.isEmpty {
            for i in rows.indices { rows[i].points = [Part(item: Self.totalItem.item, value: Score(thousandths: rows[i].percent.hundredths * 10))] }
            for group in brokenTies {
                guard group.count <= 5 else {
                    throw table.error(group[0].position - 1, "percent", "\(group.count) units tie at \(group[0].percent)%: at most 5 can be told apart in thousandths that round to it")
                }
                for (j, row) in group.enumerated() {
                    let lift = Int64(group.count - 1 - j)
                    rows[row.position - 1].points[0].value.thousandths += lift
                }
                let list = group.map { "\(rows[$0.position - 1].name) \(rows[$0.position - 1].points[0].value.formatted(minimumDecimals: 3))" }
                choices.append("\(group[0].percent)% is printed for \(group.count) units at positions \(group.map { String($0.position) }.joined(separator: " and ")); the source ranks them apart, so they get points 0.001 apart in the printed order (\(list.joined(separator: ", "))) and the framework ranks on the exact ratio")
            }
        } else {
            guard brokenTies.isEmpty else {
                throw table.error(brokenTies[0][0].position - 1, "percent", "ties broken below the printed precision in a table with parts: not supported")
            }
            for i in rows.indices {
                let printedTotal = rows[i].parts.reduce(Int64(0)) { $0 + $1.value.thousandths }
                // The total must round to the composite: within [c - 0.005, c + 0.005) of it, in thousandths.
                let low = rows[i].percent.hundredths * 10 - 5, high = rows[i].percent.hundredths * 10 + 4
                let shift = min(max(0, low - printedTotal), high - printedTotal)
                let n = Int64(rows[i].parts.count)
                guard shift >= -5 * n && shift <= 4 * n else {
                    throw table.error(i, "percent", "the printed parts add up to \(Score(thousandths: printedTotal)), too far from \(rows[i].percent) to round to both")
                }
                // Spread as evenly as possible, the first parts taking the remainder; each stays within [-0.005, +0.004].
                let q = shift / n, r = shift % n
                rows[i].points = rows[i].parts.enumerated().map { k, part in
                    Part(item: part.item, value: Score(thousandths: part.value.thousandths + q + (Int64(k) < abs(r) ? r.signum() : 0)))
                }
                if shift != 0 {
                    let list = rows[i].points.map { $0.value.formatted(minimumDecimals: 3) }.joined(separator: " + ")
                    choices.append("\(rows[i].name): the printed parts add up to \(Score(thousandths: printedTotal).formatted()), the composite is printed \(rows[i].percent); the parts are \(list) = \(Score(thousandths: printedTotal + shift).formatted(minimumDecimals: 3))")
                }
            }
        }
        self.rows = rows
        self.choices = choices

        // The framework.
        var areas: [Area] = []
        if parts.isEmpty {
            let t = Self.totalItem
            areas = [Area(code: "TONG", name: t.name, criteria: [Criterion(code: "TONG", name: t.name, items: [Item(code: t.item, name: t.name, max: t.max)])])]
        } else {
            for p in parts {
                for (i, row) in rows.enumerated() {
                    let v = row.points.first { $0.item == p.item }!.value
                    guard v >= .zero && v <= p.max else { throw table.error(i, p.column, "\(v) is outside 0…\(p.max), the maximum this example gives it") }
                }
                areas.append(Area(code: AreaCode(p.item.rawValue), name: p.name,
                                  criteria: [Criterion(code: CriterionCode(p.item.rawValue), name: p.name,
                                                       items: [Item(code: p.item, name: p.name, max: p.max, source: p.source)])]))
            }
        }
        framework = Framework(id: FrameworkID("\(partition.index)-\(partition.year)-\(partition.block)"), index: partition.index,
                              year: partition.year, block: partition.block, decision: setting.decision, bands: [], areas: areas,
                              ranking: rule)
        guard framework.maxTotal == Score(points: 100) else { throw table.error(0, "percent", "the maxima add up to \(framework.maxTotal), not 100") }

        // The events: units, framework, points, publication, on the date the source prints.
        let (y, m, d) = setting.date
        var events: [Event] = []
        let morning = CivilTime.vietnam(y, m, d, 8)
        for row in rows {
            events.append(Event(at: morning, by: setting.by, body: .unitRegistered(UnitRegistered(unit: row.unit, name: row.name, block: partition.block))))
        }
        events.append(Event(at: morning, by: setting.by, body: .frameworkPublished(framework)))
        let sources = Dictionary(uniqueKeysWithValues: framework.items.map { ($0.code, $0.source) })
        for (i, row) in rows.enumerated() {
            let at = CivilTime.vietnam(y, m, d, 9, i)
            for part in row.points {
                let key = ItemKey(unit: row.unit, index: partition.index, year: partition.year, item: part.item)
                if sources[part.item] == .survey {
                    events.append(Event(at: at, by: setting.by, body: .surveyRecorded(SurveyRecorded(key: key, score: part.value))))
                } else {
                    events.append(Event(at: at, by: setting.by, body: .appraisalRecorded(AppraisalRecorded(key: key, value: .score(part.value), round: 1))))
                }
            }
        }
        events.append(Event(at: CivilTime.vietnam(y, m, d, 17), by: setting.by,
                            body: .resultsPublished(ResultsPublished(index: partition.index, year: partition.year, block: partition.block))))
        self.events = events
    }

    /// The file `generate examples` writes: `thanhhoa-par2024-departments.jsonl`.
    public var eventFile: String { name + ".jsonl" }

    /// A printed figure with at most 2 decimals (`89.3`, `90.05`).
    static func printed(_ table: PublishedTable, _ i: Int, _ column: String) throws -> Percent {
        let text = try table.text(i, column)
        guard let s = Score(text), s.thousandths % 10 == 0 else { throw table.error(i, column, "\"\(text)\" is not a figure with at most 2 decimals") }
        return Percent(hundredths: s.thousandths / 10)
    }

    /// "block average 85,41%" in the notes.
    static func printedMean(in notes: String) -> Percent? {
        guard let r = notes.range(of: "block average ") else { return nil }
        let figure = notes[r.upperBound...].prefix { $0.isNumber || $0 == "," }.replacingOccurrences(of: ",", with: ".")
        guard let s = Score(figure), s.thousandths % 10 == 0 else { return nil }
        return Percent(hundredths: s.thousandths / 10)
    }

    /// The unit's initials without diacritics, as Vietnamese codes are made
    /// (`Sở Kế hoạch và Đầu tư` → `SKHDT`; "và", "các" left out; an
    /// all-capital word such as `UBND` kept whole). When that code is
    /// taken, each word gives its leading consonant cluster (`Sở Ngoại vụ`
    /// → `SNGV`, beside `Sở Nội vụ` → `SNV`).
    static func unitCode(_ name: String, taken: Set<UnitCode>) -> UnitCode? {
        let words = name.split { $0 == " " || $0 == "," || $0 == "-" }.map(String.init).filter { !["và", "các"].contains($0) }
        func plain(_ s: String) -> String {
            s.replacingOccurrences(of: "Đ", with: "D").replacingOccurrences(of: "đ", with: "d")
                .decomposedStringWithCanonicalMapping.unicodeScalars.filter { $0.isASCII }.map(String.init).joined()
        }
        let clusters = ["ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "th", "tr", "qu"]
        for useClusters in [false, true] {
            let code = words.map { word -> String in
                let w = plain(word)
                if w.count > 1 && w == w.uppercased() { return w }
                if useClusters, let c = clusters.first(where: { w.lowercased().hasPrefix($0) }) { return c.uppercased() }
                return String(w.prefix(1)).uppercased()
            }.joined()
            if !taken.contains(UnitCode(code)) { return UnitCode(code) }
        }
        return nil
    }

    /// What a replay of ``events`` gave for one unit, in the computed order.
    public struct Computed: Sendable {
        public var unit: UnitCode
        public var rank: Int?
        public var percent: Percent?
        public var points: [Part]
        public init(unit: UnitCode, rank: Int?, percent: Percent?, points: [Part]) {
            self.unit = unit; self.rank = rank; self.percent = percent; self.points = points
        }
    }

    /// Where a computed ranking (rows in its order) differs from the print:
    /// order, rank, percent, each part rounded to 2 decimals, the block
    /// mean. Empty when they agree.
    public func differences(_ computed: [Computed], mean: Percent?) -> [String] {
        var out: [String] = []
        if computed.count != rows.count { out.append("\(computed.count) units computed, \(rows.count) published") }
        for (row, c) in zip(rows, computed) {
            let at = "position \(row.position)"
            guard c.unit == row.unit else { out.append("\(at): published \(row.unit) (\(row.name)), computed \(c.unit)"); continue }
            if c.rank != row.rank { out.append("\(at) \(row.unit): rank \(c.rank.map(String.init) ?? "—"), published \(row.rank)") }
            if c.percent != row.percent { out.append("\(at) \(row.unit): \(c.percent?.description ?? "—")%, published \(row.percent)%") }
            for part in row.parts {
                let value = c.points.first { $0.item == part.item }?.value
                let rounded = value.map { Percent.divideRounded($0.thousandths, by: 10) }
                if rounded != part.value.thousandths / 10 {
                    out.append("\(at) \(row.unit): \(part.item) \(value?.description ?? "—") does not round to the printed \(part.value.formatted())")
                }
            }
        }
        if let printedMean, mean != printedMean { out.append("block mean \(mean?.description ?? "—")%, published \(printedMean)%") }
        return out
    }
}
