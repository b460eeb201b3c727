import Crypto
import ScoreModel

/// The demo province as signed submissions: a registrar, a council per
/// block, a unit account per unit, a survey institute and an appeals board,
/// each signing its own events as batches (docs/SIGNATURES.md).
///
/// The keys are THROWAWAY TEST KEYS derived from a public phrase: anyone
/// can sign with them. They exist so that the example is reproducible;
/// never register them in a real log.
public enum SignedProvince {
    public static let registrar = Actor("so-noi-vu")
    public static let surveyInstitute = Actor("vien-khao-sat")
    public static let appealsBoard = Actor("hoi-dong-phuc-khao")
    /// The origin and signing time of the demo's signed log.
    public static let demoOrigin = "cchc.example.gov.vn/demo-signed"
    public static let demoTime = BusinessTime(microsecondsSinceEpoch: 1_708_322_400_000_000, offsetMinutes: 420)   // 2024-02-19T13:00:00+07:00
    public static let fileNames = ["01-registrar.jsonl", "02-submissions.jsonl"]

    /// A THROWAWAY TEST KEY for `actor`: its seed is SHA-256 of a public phrase.
    public static func testKey(_ actor: Actor) -> SignerKey {
        let seed = Array(SHA256.hash(data: Array("parledger THROWAWAY TEST KEY, never for a real log: \(actor.rawValue)".utf8)))
        return SignerKey(name: actor.rawValue, role: .note, seed: seed)
    }

    public static func unitActor(_ unit: UnitCode) -> Actor { Actor("tk-" + unit.rawValue.lowercased()) }
    public static func councilActor(_ block: BlockCode) -> Actor { Actor("hoi-dong-" + block.rawValue) }

    /// Two imports: the registrar's (the actors, the units, the frameworks;
    /// it registers itself first, as a new log's first registrar does), then
    /// everyone's signed batches, one per signer and phase. Lines of JSON,
    /// each import one string.
    public static func submissions(_ events: [Event], origin: String, at: BusinessTime) throws -> [String] {
        var blocks: [UnitCode: BlockCode] = [:]
        var keyOf: [EventID: ItemKey] = [:]
        var appealUnit: [AppealID: UnitCode] = [:]
        for e in events {
            if case .unitRegistered(let u) = e.body { blocks[u.unit] = u.block }
            if let id = e.id, let key = e.body.itemKey { keyOf[id] = key }
            if case .appealFiled(let a) = e.body { appealUnit[a.appeal] = a.key.unit }
        }
        func register(_ actor: Actor, _ name: String, _ roles: [ActorRole], _ scope: ActorScope) -> Event {
            Event(at: events.first?.at ?? at, by: registrar,
                  body: .actorRegistered(ActorRegistered(actor: actor, name: name, roles: roles, scope: scope, key: testKey(actor).verifier.text)))
        }
        var setup = [register(registrar, "Sở Nội vụ (registrar)", [.registrar], ActorScope())]
        var rest: [Event] = []
        var signers: [Actor] = []
        for e in events {
            switch e.body {
            case .unitRegistered, .frameworkPublished: setup.append(e)   // every unit and framework first
            default:
                let signer: Actor
                switch e.body {
                case .assessmentSubmitted(let x): signer = unitActor(x.key.unit)
                case .explanationSubmitted(let x): signer = unitActor(x.key.unit)
                case .appealFiled(let x): signer = unitActor(x.key.unit)
                case .appraisalRecorded(let x): signer = councilActor(blocks[x.key.unit]!)
                case .correctionIssued(let c):
                    guard case .id(let id) = c.target, let key = keyOf[id] else {
                        throw TransparencyError("correction of \(c.target): the events are reordered by signer, so a correction must name its target by id")
                    }
                    signer = councilActor(blocks[key.unit]!)
                case .surveyRecorded: signer = surveyInstitute
                case .appealResolved: signer = appealsBoard
                default: signer = registrar
                }
                rest.append(e)
                signers.append(signer)
            }
        }
        for unit in blocks.keys.sorted() { setup.append(register(unitActor(unit), "Tài khoản \(unit)", [.unit], ActorScope(unit: unit))) }
        for block in Set(blocks.values).sorted() {
            setup.append(register(councilActor(block), "Hội đồng thẩm định \(block)", [.council], ActorScope(block: block)))
        }
        setup.append(register(surveyInstitute, "Viện khảo sát", [.survey], ActorScope()))
        setup.append(register(appealsBoard, "Hội đồng phúc khảo", [.appealsBoard], ActorScope()))
        let first = try batch(setup, registrar, origin: origin, at: at)
        // Phases end at each registrar event (a framework, a publication);
        // within a phase, one batch per signer: units, then the survey
        // institute, the councils and the appeals board (what each needs is
        // recorded before it), each keeping its events' order.
        func rank(_ actor: Actor) -> Int {
            actor == registrar ? 0 : actor == surveyInstitute ? 2 : actor == appealsBoard ? 4 : actor.rawValue.hasPrefix("hoi-dong-") ? 3 : 1
        }
        var second: [String] = []
        var start = 0
        while start < rest.count {
            var end = start
            if signers[start] == registrar {
                while end < rest.count && signers[end] == registrar { end += 1 }
                second += try batch(Array(rest[start..<end]), registrar, origin: origin, at: at)
                start = end
                continue
            }
            while end < rest.count && signers[end] != registrar { end += 1 }
            var groups: [Actor: [Event]] = [:]
            var order: [Actor] = []
            for k in start..<end {
                if groups[signers[k]] == nil { order.append(signers[k]) }
                groups[signers[k], default: []].append(rest[k])
            }
            for actor in order.enumerated().sorted(by: { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }).map(\.element) {
                second += try batch(groups[actor]!, actor, origin: origin, at: at)
            }
            start = end
        }
        return [first.joined(separator: "\n") + "\n", second.joined(separator: "\n") + "\n"]
    }

    static func batch(_ events: [Event], _ signer: Actor, origin: String, at: BusinessTime) throws -> [String] {
        let signed = try BatchSignature.sign(events, origin: origin, actor: signer, at: at, key: testKey(signer))
        return (events + [signed]).map { EventJSON.encode($0) }
    }
}
