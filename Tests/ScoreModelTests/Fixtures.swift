import ScoreModel

/// Small JSON lines for tests: a framework with an assessment item (1.1.1,
/// max 2), a survey item (1.2.1, max 3) and a penalty item (1.1.2, min −1).
enum Fixture {
    static let at = "\"at\":\"2024-01-05T08:00:00+07:00\""
    static let units = [
        #"{"type":"unit.registered",\#(at),"by":"so-noi-vu","id":"u-skhdt","unit":"SKHDT","name":"Sở Kế hoạch và Đầu tư","block":"department"}"#,
        #"{"type":"unit.registered",\#(at),"by":"so-noi-vu","unit":"SYT","name":"Sở Y tế","block":"department"}"#,
    ]
    static let framework = #"{"type":"framework.published",\#(at),"by":"ubnd","framework":"PAR-2023-department","index":"PAR","year":2023,"block":"department","bands":[{"code":"excellent","label":"Xuất sắc","min":90},{"code":"good","label":"Tốt","min":80},{"code":"rest","label":"Còn lại","min":0}],"areas":[{"code":"1","name":"Chỉ đạo, điều hành","criteria":[{"code":"1.1","name":"Kế hoạch","items":[{"code":"1.1.1","name":"Ban hành kế hoạch","max":2},{"code":"1.1.2","name":"Bị nhắc nhở","max":0,"min":-1}]},{"code":"1.2","name":"Khảo sát","items":[{"code":"1.2.1","name":"Hài lòng","max":3,"source":"survey"}]}]}]}"#
    static let assess = #"{"type":"assessment.submitted",\#(at),"by":"skhdt","id":"a1","unit":"SKHDT","year":2023,"item":"1.1.1","score":2,"evidence":["QĐ 1"]}"#
    static let appraise = #"{"type":"appraisal.recorded",\#(at),"by":"council","id":"r1","unit":"SKHDT","year":2023,"item":"1.1.1","score":1.5,"round":1}"#
    static let survey = #"{"type":"survey.recorded",\#(at),"by":"vien","unit":"SKHDT","year":2023,"item":"1.2.1","score":2.75,"respondents":300}"#
    static let appeal = #"{"type":"appeal.filed",\#(at),"by":"skhdt","appeal":"KN-1","unit":"SKHDT","year":2023,"item":"1.1.1","requested":2,"grounds":"Đủ hồ sơ"}"#
    static let publish = #"{"type":"results.published",\#(at),"by":"ubnd","year":2023,"block":"department"}"#

    /// A good log so far: units, framework, a scored item, a survey, an open appeal.
    static let base = units + [framework, assess, appraise, survey, appeal]

    static func decode(_ lines: [String]) throws -> [(line: Int, event: Event)] {
        try lines.enumerated().map { ($0.offset + 1, try EventJSON.decode(line: $0.element)) }
    }

    static func state(_ lines: [String]) throws -> LedgerState {
        var state = LedgerState()
        let result = state.validate(try decode(lines), file: "base.jsonl")
        precondition(result.isValid, "fixture invalid: \(result.issues)")
        return state
    }
}
