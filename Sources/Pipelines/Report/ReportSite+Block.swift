import Projections
import ScoreModel

/// The page of a block and year: ranking, statistics, matrix, charts, impacts, appeals.
extension ReportSite {
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
}
