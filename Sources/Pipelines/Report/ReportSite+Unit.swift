import Projections
import ScoreModel

/// The page of a unit and year: its figures, charts and the explain tree with every event.
extension ReportSite {
    static func unit(_ p: Partition, row: RankingRow, ranking: Ranking, history: [(Int, RankingRow?, Int)], context c: Context) -> [UInt8] {
        let book = c.book
        let bands = book.frameworks[p]?.bands ?? []
        var ctx = common(title: "\(row.name) (\(row.unit.rawValue)) · \(p.index.rawValue) \(p.year)", root: "../",
                         crumbs: [["href": "../" + seriesPage(p.index, p.block), "label": "\(p.index.rawValue) · \(p.block.rawValue)"],
                                  ["href": "../" + blockPage(p), "label": String(p.year)]], context: c)
        ctx["points"] = ReportText.points(row.points); ctx["max"] = ReportText.points(row.max)
        ctx["percent"] = ReportText.percentSign(row.percent); ctx["rank"] = ReportText.rank(row.rank); ctx["units"] = ranking.rows.count
        ctx["band"] = row.band?.label ?? "—"; ctx["bandClass"] = ReportText.bandClass(row.band, of: bands)
        ctx["charts"] = unitCharts(p, row: row, ranking: ranking, history: history).map(\.context)
        // The tree and its totals; the events of each item are read below (item(_:_:_:_:)), so explain looks none up.
        let explanation = book.explain(unit: row.unit, index: p.index, year: p.year, ranking: ranking) { _ in nil }
        ctx["areas"] = (explanation?.areas ?? []).map { area -> [String: Any] in
            ["code": area.area.code.rawValue, "name": area.area.name, "points": ReportText.points(area.points), "max": ReportText.points(area.max),
             "percent": ReportText.percentSign(area.percent),
             "criteria": area.criteria.map { cr -> [String: Any] in
                 ["code": cr.criterion.code.rawValue, "name": cr.criterion.name, "points": ReportText.points(cr.points), "max": ReportText.points(cr.max),
                  "items": cr.items.map { item(p, row.unit, $0, c) }]
             }]
        }
        return ReportTemplates.render("unit", ctx)
    }

    static func item(_ p: Partition, _ unit: UnitCode, _ e: ItemExplanation, _ c: Context) -> [String: Any] {
        let key = ItemKey(unit: unit, index: p.index, year: p.year, item: e.item.code)
        let ledger = c.book.ledger(key) ?? ItemLedger()
        var out: [String: Any] = ["code": e.item.code.rawValue, "name": e.item.name, "value": ReportText.value(e.effective.value),
                                  "max": ReportText.score(e.item.max), "status": ReportText.status(e.effective.status)]
        if e.amendedAfterPublication { out["amended"] = true }
        let events = ledger.lineage.compactMap { c.events[$0] }.map { eventRow($0, e.effective, ledger, p, c) }
        if !events.isEmpty { out["hasEvents"] = true; out["events"] = events }
        return out
    }

    /// One event of an item: what it carries and what it did, in Vietnamese,
    /// with a link to the event it replaced, corrected or resolved.
    static func eventRow(_ r: RecordedEvent, _ effective: EffectiveScore, _ ledger: ItemLedger, _ p: Partition, _ c: Context) -> [String: Any] {
        let seq = r.seq
        var value = "", text = "", role = "", cls = ""
        var link: [String: Any]?
        func scoring(_ v: ScoreValue) {
            value = ReportText.value(v)
            if seq == effective.source {
                role = "được tính"; cls = "counts"
                if let by = effective.correctedBy { role += ", theo đính chính"; link = ["href": "#seq-\(by.rawValue)", "label": by.label] }
            } else {
                role = "đã được thay thế"; cls = "superseded"
                if let s = effective.source { link = ["href": "#seq-\(s.rawValue)", "label": "bởi \(s.label)"] }
            }
        }
        switch r.event.body {
        case .assessmentSubmitted(let e):
            scoring(e.value)
            text = e.note ?? (e.evidence.isEmpty ? "" : "Tài liệu kiểm chứng: " + e.evidence.joined(separator: "; "))
        case .appraisalRecorded(let e): scoring(e.value); text = e.note ?? ""; role = "vòng \(e.round), " + role
        case .surveyRecorded(let e): scoring(.score(e.score)); text = e.respondents.map { "\($0) người trả lời" } ?? ""
        case .explanationSubmitted(let e): text = e.text; role = "giải trình"
        case .correctionIssued(let x):
            value = ReportText.value(x.value); text = x.reason
            let target = c.book.target(of: x)
            let old = target.flatMap { c.events[$0] }.flatMap(scoredValue)
            role = "đính chính" + (old.map { " (thay \(ReportText.value($0)))" } ?? "")
            if let target { link = ["href": "#seq-\(target.rawValue)", "label": target.label] }
            if let target, ledger.corrections[target]?.seq != seq { role += "; đã bị đính chính sau thay thế" }
        case .appealFiled(let a):
            value = "đề nghị " + ReportText.score(a.requested); text = a.grounds; role = "khiếu nại \(a.appeal.rawValue)"
            link = ["href": "../" + blockPage(p) + "#appeal-" + a.appeal.rawValue, "label": "xem khiếu nại"]
        case .appealResolved(let a):
            value = a.score.map(ReportText.score) ?? ""; text = a.reason
            role = "\(ReportText.outcome(a.outcome)) khiếu nại \(a.appeal.rawValue)" + (effective.source == seq ? ", được tính" : "")
            if effective.source == seq { cls = "counts" }
            if let filed = c.book.appeals[a.appeal]?.filed { link = ["href": "#seq-\(filed.rawValue)", "label": "đơn \(filed.label)"] }
        default: break
        }
        var out: [String: Any] = ["seq": seq.rawValue, "at": ReportText.time(r.event.at), "type": ReportText.eventType(r.event.type),
                                  "by": r.event.by.rawValue, "value": value, "text": text, "role": role, "cls": cls]
        if let link { out["link"] = link }
        return out
    }

    static func scoredValue(_ r: RecordedEvent) -> ScoreValue? {
        switch r.event.body {
        case .assessmentSubmitted(let e): e.value
        case .appraisalRecorded(let e): e.value
        case .surveyRecorded(let e): .score(e.score)
        default: nil
        }
    }

    static func unitCharts(_ p: Partition, row: RankingRow, ranking: Ranking, history: [(Int, RankingRow?, Int)]) -> [ReportChart] {
        let id = SnapshotPath.component(row.unit.rawValue)
        let labels = history.map { String($0.0) }
        let percents = history.map { $0.1?.percent?.hundredths }
        let lo = (percents.compactMap { $0 }.min() ?? 0) / 1000 * 1000
        let percentChart = ReportChart.lines(
            id: "pct-\(id)", title: "Tỷ lệ của \(row.name) qua các năm",
            desc: history.map { "\($0.0): \(ReportText.percentSign($0.1?.percent))" }.joined(separator: "; ") + ".",
            yTitle: "Tỷ lệ (%)", labels: labels, series: [.init(cls: "s0", name: row.name, values: percents)],
            lo: lo, hi: 10000, step: max(500, (10000 - lo) / 4 / 500 * 500)) { ReportText.percent(Percent(hundredths: $0)) }
        let most = Int64(history.map(\.2).max() ?? 1)
        let rankChart = ReportChart.lines(
            id: "rank-\(id)", title: "Hạng của \(row.name) qua các năm (1 là cao nhất)",
            desc: history.map { "\($0.0): hạng \(ReportText.rank($0.1?.rank))/\($0.2)" }.joined(separator: "; ") + ".",
            yTitle: "Hạng", labels: labels, series: [.init(cls: "s1", name: row.name, values: history.map { $0.1?.rank.map(Int64.init) })],
            lo: 1, hi: max(most, 2), step: max(1, (most + 3) / 4), inverted: true) { String($0) }
        // Area profile against the block's mean of each area.
        let areaMeans: [Int64?] = row.areas.indices.map { i in
            let column = ranking.rows.compactMap { $0.areas.count > i ? $0.areas[i].percent?.hundredths : nil }
            return column.isEmpty ? nil : Percent.divideRounded(column.reduce(0, +), by: Int64(column.count))
        }
        let profile = ReportChart.groupedBars(
            id: "areas-\(id)", title: "Tỷ lệ theo lĩnh vực của \(row.name) so với bình quân khối, \(p.year)",
            desc: row.areas.enumerated().map { i, a in
                "\(a.code.rawValue). \(a.name): \(ReportText.percentSign(a.percent)), bình quân khối \(ReportText.percentSign(areaMeans[i].map { Percent(hundredths: $0) }))"
            }.joined(separator: "; ") + ".",
            yTitle: "Tỷ lệ (%)", labels: row.areas.map(\.code.rawValue),
            series: [.init(cls: "s0", name: "Đơn vị", values: row.areas.map { $0.percent?.hundredths }),
                     .init(cls: "s1", name: "Bình quân khối", values: areaMeans)],
            hi: 10000, step: 2500) { ReportText.percent(Percent(hundredths: $0)) }
        return [percentChart, rankChart, profile]
    }
}
