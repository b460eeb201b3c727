import Foundation
import ScoreModel

extension AuditKit {
    /// The kit file (JSON, docs/TRANSPARENCY.md).
    public var json: String {
        var members: [(String, JSONText.Value)] = [
            ("format", .string(Self.format)), ("unit", .string(unit)), ("index", .string(index)), ("year", .number(String(year))),
            ("checkpoint", .string(checkpoint)),
            ("score", .object([
                ("points", .number(statement.points)), ("max", .number(statement.max)),
                ("percent", statement.percent.map { .number($0) } ?? .null), ("band", statement.band.map { .string($0) } ?? .null),
                ("items", .array(statement.items.map { i in
                    .object([("item", .string(i.item)), ("points", i.points.map { .number($0) } ?? .null), ("status", .string(i.status)),
                             ("events", .array(i.events.map { JSONText.int($0) }))])
                })),
                ("basis", .array(statement.basis.map { JSONText.int($0) })),
            ])),
            ("events", .array(events.map { e in
                .object([("seq", JSONText.int(e.seq)), ("record", JSONText.bytes(e.record)), ("path", JSONText.hashes(e.path))])
            })),
        ]
        if !consistency.isEmpty { members.append(("consistency", .array(consistency.map(\.jsonValue)))) }
        return JSONText.render(.object(members))
    }

    /// Parses a kit file; `file` names it in messages.
    public static func parse(_ bytes: [UInt8], file: String) throws -> AuditKit {
        let f = try JSONFields.parse(bytes, file: file)
        guard try f.string("format") == format else {
            throw TransparencyError("\(file): not a \(format) (field \"format\")", hint: "make a kit with `parledger audit-kit`")
        }
        guard case .number(let y) = try f.value("year"), let year = Int(y) else { throw TransparencyError("\(file): field \"year\" must be a number") }
        let score = try JSONFields(try f.value("score"), place: "\(file): score")
        func number(_ fields: JSONFields, _ key: String) throws -> String? {
            switch try fields.value(key) {
            case .number(let n): return n
            case .null: return nil
            default: throw TransparencyError("\(fields.place): field \"\(key)\" must be a number or null")
            }
        }
        let items = try score.objects("items").map { i -> ItemLine in
            guard case .array(let seqs) = try i.value("events") else { throw TransparencyError("\(i.place): field \"events\" must be a list") }
            return ItemLine(item: try i.string("item"), points: try number(i, "points"), status: try i.string("status"),
                            events: try seqs.map { guard case .number(let n) = $0, let v = UInt64(n) else { throw TransparencyError("\(i.place): events must be seqs") }; return v })
        }
        guard case .array(let basisValues) = try score.value("basis") else { throw TransparencyError("\(score.place): field \"basis\" must be a list") }
        let basis = try basisValues.map { v -> UInt64 in
            guard case .number(let n) = v, let seq = UInt64(n) else { throw TransparencyError("\(score.place): basis must be seqs") }
            return seq
        }
        var band: String?
        if case .string(let b) = try score.value("band") { band = b }
        let statement = Statement(points: try number(score, "points") ?? "0", max: try number(score, "max") ?? "0",
                                  percent: try number(score, "percent"), band: band, items: items, basis: basis)
        let entries = try f.objects("events").map { e in Entry(seq: try e.uint("seq"), record: try e.bytes("record"), path: try e.hashes("path")) }
        let consistency = try f.optional("consistency") == nil ? [] : f.objects("consistency").map { try ConsistencyProof(fields: $0) }
        return AuditKit(unit: try f.string("unit"), index: try f.string("index"), year: year, checkpoint: try f.string("checkpoint"),
                        events: entries, statement: statement, consistency: consistency)
    }

    /// What a successful check established.
    public struct CheckReport: Sendable {
        public var checkpoint: Checkpoint
        public var statement: Statement
        public var eventCount: Int
        public var witnessed: UInt64?
        public var summary: String
    }

    /// Checks the kit without the log: the checkpoint's signature, each
    /// event's inclusion proof, the events' order, and that the score
    /// follows from the kit's events; with `witnessed` (a checkpoint the
    /// auditor trusts), that the kit's tree and that one are consistent.
    /// The first fault is thrown, naming the event or item.
    /// With `cosigners`, the kit's checkpoint must also carry a valid cosignature of each.
    public func check(key: VerifierKey, place: String, witnessed: (text: String, file: String)? = nil,
                      cosigners: [VerifierKey] = []) throws -> CheckReport {
        let cp = try Checkpoint.open(checkpoint, key: key, place: "\(place): checkpoint")
        for witness in cosigners {
            guard witness.role == .cosigner else { throw TransparencyError("\(witness.name) is a log key, not a witness key") }
            _ = try cp.note.verifyCosignature(witness, place: "\(place): checkpoint")
        }
        guard !events.isEmpty else { throw TransparencyError("\(place): the kit holds no events") }
        var previous: UInt64 = 0
        for e in events {
            guard e.seq > previous else {
                throw TransparencyError("\(place): event #\(e.seq) comes after #\(previous): the kit's events are out of order",
                                       hint: "a kit lists its events in seq order; it was edited")
            }
            guard e.seq >= 1, e.seq <= cp.size else {
                throw TransparencyError("\(place): event #\(e.seq) is past the checkpoint's tree of \(cp.size) events")
            }
            guard Merkle.rootFromInclusion(index: e.seq - 1, size: cp.size, leafHash: Merkle.leafHash(e.record), proof: e.path) == cp.root else {
                throw TransparencyError("\(place): event #\(e.seq): its record and inclusion proof do not lead to the checkpoint's root \(Base64.encode(cp.root)) (size \(cp.size))",
                                       hint: "the event's record was altered, or it is not at seq \(e.seq) in the log the operator signed")
            }
            previous = e.seq
        }
        let held = Set(events.map(\.seq)), basis = Set(statement.basis)
        for seq in statement.basis where !held.contains(seq) {
            throw TransparencyError("\(place): event #\(seq), on which the score depends, is not in the kit", hint: "the kit was edited: an event was removed")
        }
        for e in events where !basis.contains(e.seq) {
            throw TransparencyError("\(place): event #\(e.seq) is in the kit but not in the basis of its score", hint: "the kit was edited: an event was added")
        }
        for item in statement.items {
            for seq in item.events where !held.contains(seq) {
                throw TransparencyError("\(place): event #\(seq), behind item \(item.item), is not in the kit",
                                       hint: "the kit was edited: an event was removed")
            }
        }
        let (recomputed, _) = try recompute(place: place)
        if recomputed != statement {
            throw TransparencyError("\(place): " + Self.difference(stated: statement, recomputed: recomputed),
                                   hint: "the kit's events do not give the score it states: an event was removed or the statement edited")
        }
        var witnessedSize: UInt64?
        if let witnessed {
            let other = try Checkpoint.open(witnessed.text, key: key, place: witnessed.file)
            guard other.origin == cp.origin else {
                throw TransparencyError("\(witnessed.file): the witnessed checkpoint is of \(other.origin), the kit's of \(cp.origin)")
            }
            if other.size == cp.size {
                guard other.root == cp.root else {
                    throw TransparencyError("\(place): the kit's checkpoint and the witnessed one are both of size \(cp.size) with different roots (\(Base64.encode(cp.root)) and \(Base64.encode(other.root)))",
                                           hint: "the log's history was rewritten: the kit is not from the log the witness saw")
                }
            } else {
                let (a, b) = other.size < cp.size ? (other, cp) : (cp, other)
                guard let proof = consistency.first(where: { $0.from == a.size && $0.to == b.size }) else {
                    throw TransparencyError("\(place): the kit carries no consistency proof between its tree (size \(cp.size)) and the witnessed one (size \(other.size))",
                                           hint: "make the kit with `--witnessed \(witnessed.file)`")
                }
                guard Merkle.verifyConsistency(from: a.size, to: b.size, fromRoot: a.root, toRoot: b.root, proof: proof.path) else {
                    throw TransparencyError("\(place): the kit's tree (size \(cp.size), root \(Base64.encode(cp.root))) is not consistent with the witnessed tree (size \(other.size), root \(Base64.encode(other.root)))",
                                           hint: "the log's history was rewritten: the kit's events are not those the witness saw")
                }
            }
            witnessedSize = other.size
        }
        let summary = "ok: \(unit) \(index) \(year): \(statement.points) / \(statement.max)" + (statement.percent.map { " = \($0)%" } ?? "")
            + (statement.band.map { " (\($0))" } ?? "") + " follows from \(events.count) events, each in \(cp.origin)'s signed tree of \(cp.size)"
            + (witnessedSize.map { ", consistent with the witnessed tree of \($0)" } ?? "")
            + (cosigners.isEmpty ? "" : ", cosigned by " + cosigners.map(\.name).joined(separator: ", "))
        return CheckReport(checkpoint: cp, statement: statement, eventCount: events.count, witnessed: witnessedSize, summary: summary)
    }

    /// The first difference between the stated and the recomputed score, in words.
    static func difference(stated: Statement, recomputed: Statement) -> String {
        let theirs = Dictionary(recomputed.items.map { ($0.item, $0) }, uniquingKeysWith: { a, _ in a })
        for item in stated.items {
            guard let r = theirs[item.item] else { return "item \(item.item) is stated but the kit's framework has no such item" }
            if r.points != item.points || r.status != item.status {
                return "item \(item.item): the kit's events give \(r.points ?? "not applicable") (\(r.status)), the kit states \(item.points ?? "not applicable") (\(item.status))"
            }
            if r.events != item.events {
                let extra = r.events.filter { !item.events.contains($0) }
                if let seq = extra.first { return "item \(item.item): event #\(seq) is in the kit but not in the statement" }
                return "item \(item.item): the events behind it are \(r.events.map { "#\($0)" }.joined(separator: " ")), the kit states \(item.events.map { "#\($0)" }.joined(separator: " "))"
            }
        }
        if stated.items.count != recomputed.items.count { return "the kit's framework has \(recomputed.items.count) items, the statement \(stated.items.count)" }
        return "the total: the kit's events give \(recomputed.points) / \(recomputed.max) (\(recomputed.percent ?? "—")%, \(recomputed.band ?? "no band")), the kit states \(stated.points) / \(stated.max) (\(stated.percent ?? "—")%, \(stated.band ?? "no band"))"
    }
}
