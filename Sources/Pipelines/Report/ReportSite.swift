import Projections
import ScoreModel

/// The report projection: a static HTML site inside the snapshot, under
/// `report/`, readable from `file://` with no network and no JavaScript.
///
/// - `report/index.html`: indexes, years, blocks, the log head, how to verify;
/// - `report/PAR-department.html`: one block across years (charts);
/// - `report/PAR-2023-department.html`: a block and year: ranking, statistics,
///   the units × areas matrix, charts, corrections and appeals with their impact;
/// - `report/PAR-2023-department/SKHDT.html`: a unit and year: the explain
///   tree with every event, anchored `#seq-N`, and the unit's charts.
///
/// A block's pages (all its years) depend only on that block's figures, so
/// an incremental run renders them again only when one of its years changed.
/// The index alone names the log head, and is rendered on every run.
enum ReportSite {
    static let folder = "report"

    static func seriesPage(_ index: IndexCode, _ block: BlockCode) -> String {
        "\(SnapshotPath.component(index.rawValue))-\(SnapshotPath.component(block.rawValue)).html"
    }
    static func blockName(_ p: Partition) -> String {
        "\(SnapshotPath.component(p.index.rawValue))-\(p.year)-\(SnapshotPath.component(p.block.rawValue))"
    }
    static func blockPage(_ p: Partition) -> String { blockName(p) + ".html" }
    static func unitPage(_ p: Partition, _ unit: UnitCode) -> String { blockName(p) + "/" + SnapshotPath.component(unit.rawValue) + ".html" }

    /// Every file of one (index, block) series, relative to the snapshot.
    static func paths(series: [Partition], book: ScoreBook) -> [String] {
        guard let first = series.first else { return [] }
        var out = [folder + "/" + seriesPage(first.index, first.block)]
        for p in series {
            out.append(folder + "/" + blockPage(p))
            for unit in book.units(in: p.block) { out.append(folder + "/" + unitPage(p, unit.code)) }
        }
        return out
    }

    struct Context {
        var book: ScoreBook
        var spec: PipelineSpec
        var inputs: ReportInputs
        /// The events of the block being rendered (``ReportSite/series(_:rankings:context:)`` reads them).
        var events: [EventSeq: RecordedEvent] = [:]
        var awardNames: [String: String] { Dictionary(spec.awards.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a }) }
    }

    // MARK: - Index

    static func index(partitions: [Partition], rankings: [Partition: Ranking], context c: Context) -> [(String, [UInt8])] {
        var indexes: [[String: Any]] = []
        for index in Set(partitions.map(\.index)).sorted() {
            var series: [[String: Any]] = []
            for block in Set(partitions.filter { $0.index == index }.map(\.block)).sorted() {
                let years = partitions.filter { $0.index == index && $0.block == block }.sorted()
                series.append(["block": block.rawValue, "href": seriesPage(index, block),
                               "years": years.map { p -> [String: Any] in
                                   let r = rankings[p]
                                   var y: [String: Any] = ["year": p.year, "href": blockPage(p), "units": r?.statistics.units ?? 0,
                                                           "mean": ReportText.percentSign(r?.statistics.mean)]
                                   if r?.isProvisional == true { y["provisional"] = true }
                                   return y
                               }])
            }
            indexes.append(["index": index.rawValue, "series": series])
        }
        var ctx = common(title: "Báo cáo Chỉ số cải cách hành chính", root: "", crumbs: [], context: c)
        ctx["headSeq"] = c.inputs.point.seq
        ctx["headHash"] = c.inputs.point.hash
        ctx["eventCount"] = c.inputs.eventCount
        if let asOf = c.inputs.point.asOf { ctx["asOf"] = asOf }
        ctx["pipelineFile"] = "pipelines/\(c.spec.name).yaml"
        ctx["indexes"] = indexes
        return [(folder + "/index.html", ReportTemplates.render("index", ctx)),
                (folder + "/style.css", Array(ReportTemplates.style.utf8))]
    }

    static func common(title: String, root: String, crumbs: [[String: Any]], context c: Context) -> [String: Any] {
        ["pageTitle": title, "root": root, "crumbs": crumbs, "pipeline": c.spec.name]
    }

    // MARK: - A block across years

    /// Every page of one (index, block) series: its years in order.
    static func series(_ partitions: [Partition], rankings: (Partition) -> Ranking?, context: Context) throws -> [(String, [UInt8])] {
        let years = partitions.sorted()
        guard let first = years.first else { return [] }
        var c = context
        var seqs: Set<EventSeq> = []
        for p in years {
            for unit in c.book.units(in: p.block) { seqs.formUnion(c.book.lineage(unit: unit.code, index: p.index, year: p.year)) }
        }
        c.events = try c.inputs.events(seqs)
        let ranked = years.compactMap { p in rankings(p).map { (p, $0) } }
        var files: [(String, [UInt8])] = []
        let title = "Chỉ số \(first.index.rawValue) · khối \(first.block.rawValue)"
        var ctx = common(title: title, root: "", crumbs: [], context: c)
        ctx["years"] = ranked.map { ["year": $0.0.year, "href": blockPage($0.0), "mean": ReportText.percentSign($0.1.statistics.mean)] as [String: Any] }
        let charts = blockCharts(ranked, c)
        ctx["charts"] = charts.map(\.context)
        files.append((folder + "/" + seriesPage(first.index, first.block), ReportTemplates.render("series", ctx)))
        for (p, ranking) in ranked {
            // The year before in the log, selected or not: as the trend and awards projections compare.
            let before = c.book.partitions.filter { $0.index == p.index && $0.block == p.block && $0.year < p.year }.map(\.year).max()
            let trend = ScoreBook.trend(ranking, before.flatMap { rankings(p.year($0)) })
            files.append((folder + "/" + blockPage(p), block(p, ranking: ranking, trend: trend, charts: charts, context: c)))
            for row in ranking.rows {
                let history = ranked.map { ($0.0.year, $0.1.row(row.unit), $0.1.rows.count) }
                files.append((folder + "/" + unitPage(p, row.unit), unit(p, row: row, ranking: ranking, history: history, context: c)))
            }
        }
        return files
    }

    static func blockCharts(_ ranked: [(Partition, Ranking)], _ c: Context) -> [ReportChart] {
        guard let first = ranked.first?.0 else { return [] }
        let labels = ranked.map { String($0.0.year) }
        let means = ranked.map { $0.1.statistics.mean?.hundredths }
        let lo = (means.compactMap { $0 }.min() ?? 0) / 1000 * 1000
        let name = "\(first.index.rawValue) · khối \(first.block.rawValue)"
        let meanChart = ReportChart.lines(
            id: "mean-\(blockName(first))", title: "Tỷ lệ bình quân của khối qua các năm (\(name))",
            desc: "Bình quân: " + ranked.map { "\($0.0.year): \(ReportText.percentSign($0.1.statistics.mean))" }.joined(separator: "; ") + ".",
            yTitle: "Tỷ lệ (%)", labels: labels, series: [.init(cls: "s0", name: "Bình quân", values: means)],
            lo: lo, hi: 10000, step: max(500, (10000 - lo) / 4 / 500 * 500)) { ReportText.percent(Percent(hundredths: $0)) }
        let bands = ranked.last!.1.statistics.bands.map(\.band)
        let maxUnits = Int64(ranked.map { $0.1.statistics.ranked }.max() ?? 0)
        let series = bands.enumerated().map { i, band in
            ReportChart.Series(cls: "band-\(min(i, 4))", name: band.label,
                               values: ranked.map { r in Int64(r.1.statistics.bands.first { $0.band.code == band.code }?.count ?? 0) })
        }
        let bandChart = ReportChart.stackedBars(
            id: "bands-\(blockName(first))", title: "Số đơn vị theo xếp loại qua các năm (\(name))",
            desc: ranked.map { r in "\(r.0.year): " + r.1.statistics.bands.map { "\($0.band.label) \($0.count)" }.joined(separator: ", ") }
                .joined(separator: "; ") + ".",
            yTitle: "Số đơn vị", labels: labels, series: series, hi: max(maxUnits, 1), step: max(1, (maxUnits + 3) / 4))
        return [meanChart, bandChart]
    }

    // MARK: - A block and year

    static func block(_ p: Partition, ranking: Ranking, trend: BlockTrend, charts: [ReportChart], context c: Context) -> [UInt8] {
        let book = c.book
        let framework = book.frameworks[p]
        let bands = framework?.bands ?? []
        let open = book.openAppeals(in: p)
        let verdicts = ScoreBook.awards(ranking: ranking, trend: trend, openAppeals: open, rules: c.spec.awards)
        var ctx = common(title: "Chỉ số \(p.index.rawValue) \(p.year) · khối \(p.block.rawValue)", root: "",
                         crumbs: [["href": seriesPage(p.index, p.block), "label": "\(p.index.rawValue) · \(p.block.rawValue)"]], context: c)
        ctx["framework"] = ranking.framework.rawValue
        if let d = framework?.decision { ctx["decision"] = d }
        if let at = ranking.publishedAt, let seq = ranking.publishedSeq { ctx["published"] = ReportText.time(at); ctx["publishedSeq"] = seq.rawValue }
        if ranking.isProvisional { ctx["provisional"] = true; ctx["reasons"] = provisionalReasons(p, ranking, c).joined(separator: "; ") }
        ctx["rows"] = ranking.rows.map { row -> [String: Any] in
            var r: [String: Any] = ["rank": ReportText.rank(row.rank), "unit": row.unit.rawValue, "name": row.name, "href": unitPage(p, row.unit),
                                    "points": ReportText.points(row.points), "max": ReportText.points(row.max), "percent": ReportText.percent(row.percent),
                                    "band": row.band?.label ?? "—", "bandClass": ReportText.bandClass(row.band, of: bands)]
            let appeals = open.filter { $0.key.unit == row.unit }.map(\.id.rawValue)
            if !appeals.isEmpty { r["openAppeals"] = appeals }
            if row.provisionalItems > 0 && ranking.publishedSeq == nil { r["provisionalItems"] = row.provisionalItems }
            if row.amendedItems > 0 { r["amendedItems"] = row.amendedItems }
            let awards = verdicts.filter { $0.unit == row.unit && $0.status == .eligible }.map { $0.awardName + ($0.provisional ? " (tạm thời)" : "") }
            if !awards.isEmpty { r["awards"] = awards }
            return r
        }
        ctx["units"] = ranking.statistics.units
        ctx["ranked"] = ranking.statistics.ranked
        ctx["mean"] = ReportText.percentSign(ranking.statistics.mean)
        if let change = trend.meanChange, let py = trend.previousYear {
            ctx["meanChange"] = ReportText.signed(change); ctx["previousYear"] = py; ctx["previousMean"] = ReportText.percentSign(trend.previousMean)
        }
        if let py = trend.previousYear { ctx["hasPrevious"] = true; ctx["previousYear"] = py }
        ctx["bands"] = ranking.statistics.bands.map { b -> [String: Any] in
            ["label": b.band.label, "min": ReportText.score(b.band.min), "count": b.count, "bandClass": ReportText.bandClass(b.band, of: bands),
             "previous": trend.bands.first { $0.band.code == b.band.code }?.previous ?? 0]
        }
        ctx["awardLists"] = c.spec.awards.map { rule -> [String: Any] in
            let units = verdicts.filter { $0.award == rule.code && $0.status == .eligible }.map(\.name)
            var a: [String: Any] = ["name": rule.name]
            if !units.isEmpty { a["units"] = units }
            if ranking.isProvisional { a["provisional"] = true }
            return a
        }
        // The matrix: best and worst percent of each area column.
        let areas = framework?.areas ?? []
        ctx["areas"] = areas.map { ["code": $0.code.rawValue, "name": $0.name] as [String: Any] }
        var best: [Int64] = [], worst: [Int64] = []
        for i in areas.indices {
            let column = ranking.rows.compactMap { $0.areas.count > i ? $0.areas[i].percent?.hundredths : nil }
            best.append(column.max() ?? .min); worst.append(column.min() ?? .max)
        }
        ctx["matrix"] = ranking.rows.map { row -> [String: Any] in
            ["name": row.name, "href": unitPage(p, row.unit),
             "cells": row.areas.enumerated().map { i, a -> [String: Any] in
                 let h = a.percent?.hundredths
                 let mark = h == nil || best[i] == worst[i] ? "" : (h == best[i] ? "best" : (h == worst[i] ? "worst" : ""))
                 return ["points": ReportText.points(a.points), "max": ReportText.points(a.max), "percent": ReportText.percentSign(a.percent), "mark": mark]
             }]
        }
        ctx["charts"] = charts.map(\.context)
        ctx["impacts"] = c.inputs.impacts.filter { $0.partition == p }.map { impact($0, context: c) }
        ctx["appeals"] = book.appeals.values.filter { a in
            book.units[a.key.unit].map { Partition(index: a.key.index, year: a.key.year, block: $0.block) == p } ?? false
        }.sorted { $0.filed < $1.filed }.map { appeal($0, p, ranking: ranking, context: c) }
        return ReportTemplates.render("block", ctx)
    }

    static func provisionalReasons(_ p: Partition, _ r: Ranking, _ c: Context) -> [String] {
        var out: [String] = []
        if r.publishedSeq == nil { out.append("kết quả chưa được công bố") }
        if !r.openAppeals.isEmpty { out.append("\(r.openAppeals.count) khiếu nại đang mở: " + r.openAppeals.map(\.rawValue).joined(separator: ", ")) }
        let unappraised = r.rows.reduce(0) { $0 + $1.provisionalItems }
        if r.publishedSeq == nil && unappraised > 0 { out.append("\(unappraised) điểm mục mới là tự đánh giá hoặc chưa có") }
        return out
    }

    static func standingCells(_ s: Standing, prefix: String, _ c: Context) -> [String: Any] {
        let names = c.awardNames
        return ["points" + prefix: ReportText.points(s.points), "percent" + prefix: ReportText.percent(s.percent),
                "rank" + prefix: ReportText.rank(s.rank), "band" + prefix: s.band?.label ?? "—",
                "awards" + prefix: s.awards.map { names[$0] ?? $0 }.joined(separator: ", ")]
    }

    static func impact(_ i: EventImpact, context c: Context) -> [String: Any] {
        var ctx: [String: Any] = ["seq": i.seq.rawValue, "type": ReportText.eventType(i.type), "unit": i.key.unit.rawValue, "unitName": i.unit.name,
                                  "item": i.key.item.rawValue, "at": ReportText.time(i.at), "by": i.by.rawValue,
                                  "href": unitPage(i.partition, i.key.unit) + "#seq-\(i.seq.rawValue)", "summary": summary(i, c)]
        if let t = i.target { ctx["target"] = t.rawValue; ctx["targetHref"] = unitPage(i.partition, i.key.unit) + "#seq-\(t.rawValue)" }
        if let a = i.appeal { ctx["appeal"] = a.rawValue }
        switch c.events[i.seq]?.event.body {
        case .correctionIssued(let x): ctx["reason"] = x.reason
        case .appealResolved(let r): ctx["reason"] = "\(ReportText.outcome(r.outcome)): \(r.reason)"
        default: break
        }
        ctx["moves"] = ([i.unit] + i.others).map { m -> [String: Any] in
            var row: [String: Any] = ["name": m.name]
            row.merge(standingCells(m.before, prefix: "Before", c)) { a, _ in a }
            row.merge(standingCells(m.after, prefix: "After", c)) { a, _ in a }
            if m.rankMoved || m.bandMoved || m.awardsMoved { row["changed"] = true }
            return row
        }
        return ctx
    }

    /// One sentence: what the event did to its unit and to the others.
    static func summary(_ i: EventImpact, _ c: Context) -> String {
        let m = i.unit
        var parts = ["Tỷ lệ của \(m.name): \(ReportText.percentSign(m.before.percent)) → \(ReportText.percentSign(m.after.percent))"]
        parts.append(m.rankMoved ? "hạng \(ReportText.rank(m.before.rank)) → \(ReportText.rank(m.after.rank))" : "hạng giữ nguyên (\(ReportText.rank(m.after.rank)))")
        parts.append(m.bandMoved ? "xếp loại \(m.before.band?.label ?? "—") → \(m.after.band?.label ?? "—")" : "xếp loại giữ nguyên (\(m.after.band?.label ?? "—"))")
        if m.awardsMoved { parts.append("khen thưởng thay đổi") }
        let others = i.others.isEmpty ? "Không đơn vị nào khác đổi hạng, xếp loại hay khen thưởng."
            : "\(i.others.count) đơn vị khác đổi hạng, xếp loại hoặc khen thưởng: " + i.others.map(\.name).joined(separator: ", ") + "."
        return parts.joined(separator: "; ") + ". " + others
    }

    static func appeal(_ a: AppealState, _ p: Partition, ranking: Ranking, context c: Context) -> [String: Any] {
        let book = c.book
        let filed = c.events[a.filed]
        let page = unitPage(p, a.key.unit)
        var ctx: [String: Any] = ["id": a.id.rawValue, "unit": a.key.unit.rawValue, "unitName": book.units[a.key.unit]?.name ?? a.key.unit.rawValue,
                                  "item": a.key.item.rawValue, "filer": filed?.event.by.rawValue ?? "—", "filedAt": ReportText.time(a.filedAt),
                                  "filedSeq": a.filed.rawValue, "filedHref": page + "#seq-\(a.filed.rawValue)", "grounds": grounds(filed) ?? a.grounds,
                                  "requested": ReportText.score(a.requested), "state": ReportText.outcome(a.resolution?.outcome),
                                  "stateClass": a.isOpen ? "flag" : "note"]
        // The value disputed: the item's score just before the appeal was filed.
        ctx["disputed"] = disputedValue(a, c)
        if let r = a.resolution, let seq = a.resolvedSeq {
            let resolved = c.events[seq]
            ctx["resolved"] = true
            ctx["outcome"] = ReportText.outcome(r.outcome)
            ctx["decided"] = r.score.map(ReportText.score) ?? "giữ nguyên điểm"
            ctx["resolvedAt"] = resolved.map { ReportText.time($0.event.at) } ?? "—"
            ctx["resolver"] = resolved?.event.by.rawValue ?? "—"
            ctx["resolvedSeq"] = seq.rawValue
            ctx["resolvedHref"] = page + "#seq-\(seq.rawValue)"
            ctx["reason"] = r.reason
            if c.inputs.impacts.contains(where: { $0.seq == seq }) { ctx["effect"] = seq.rawValue }
        } else if let upheld = book.assumingUpheld(a.id), let after = upheld.standings(p, rules: c.spec.awards),
                  let before = book.standings(p, rules: c.spec.awards) {
            var lines: [String] = []
            for row in after.ranking.rows {
                guard let old = before.standings[row.unit], let new = after.standings[row.unit] else { continue }
                var changes: [String] = []
                if row.unit == a.key.unit { changes.append("tỷ lệ \(ReportText.percentSign(old.percent)) → \(ReportText.percentSign(new.percent))") }
                if old.rank != new.rank { changes.append("hạng \(ReportText.rank(old.rank)) → \(ReportText.rank(new.rank))") }
                if old.band?.code != new.band?.code { changes.append("xếp loại \(old.band?.label ?? "—") → \(new.band?.label ?? "—")") }
                if old.awards != new.awards {
                    let n = c.awardNames
                    changes.append("khen thưởng [\(old.awards.map { n[$0] ?? $0 }.joined(separator: ", "))] → [\(new.awards.map { n[$0] ?? $0 }.joined(separator: ", "))]")
                }
                if !changes.isEmpty && (row.unit == a.key.unit || changes.count > 0) { lines.append("\(row.name): " + changes.joined(separator: ", ")) }
            }
            ctx["hasWhatIf"] = true
            ctx["whatIf"] = lines.isEmpty ? ["không thay đổi hạng, xếp loại hay khen thưởng của đơn vị nào"] : lines
        }
        return ctx
    }

    /// The grounds as filed, read with the event's texts.
    static func grounds(_ filed: RecordedEvent?) -> String? {
        if case .appealFiled(let a) = filed?.event.body { return a.grounds }
        return nil
    }

    /// The item's effective value just before the appeal was filed, from its events.
    static func disputedValue(_ a: AppealState, _ c: Context) -> String {
        guard let history = c.book.history(a.key, lookup: { c.events[$0] }) else { return "—" }
        let before = history.last { $0.line.seq < a.filed }?.after
        return before.map { ReportText.value($0.value) } ?? "0"
    }

    // MARK: - A unit and year

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
                if let by = effective.correctedBy { role += ", theo đính chính"; link = ["href": "#seq-\(by.rawValue)", "label": "#\(by.rawValue)"] }
            } else {
                role = "đã được thay thế"; cls = "superseded"
                if let s = effective.source { link = ["href": "#seq-\(s.rawValue)", "label": "bởi #\(s.rawValue)"] }
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
            if let target { link = ["href": "#seq-\(target.rawValue)", "label": "#\(target.rawValue)"] }
            if let target, ledger.corrections[target]?.seq != seq { role += "; đã bị đính chính sau thay thế" }
        case .appealFiled(let a):
            value = "đề nghị " + ReportText.score(a.requested); text = a.grounds; role = "khiếu nại \(a.appeal.rawValue)"
            link = ["href": "../" + blockPage(p) + "#appeal-" + a.appeal.rawValue, "label": "xem khiếu nại"]
        case .appealResolved(let a):
            value = a.score.map(ReportText.score) ?? ""; text = a.reason
            role = "\(ReportText.outcome(a.outcome)) khiếu nại \(a.appeal.rawValue)" + (effective.source == seq ? ", được tính" : "")
            if effective.source == seq { cls = "counts" }
            if let filed = c.book.appeals[a.appeal]?.filed { link = ["href": "#seq-\(filed.rawValue)", "label": "đơn #\(filed.rawValue)"] }
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
