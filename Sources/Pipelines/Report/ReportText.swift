import Projections
import ScoreModel

/// Words and numbers of the HTML report, in Vietnamese, as a province
/// publishes them: decimal comma (`94,72%`), dates day first. Band, area,
/// criterion and item names come from the framework itself.
enum ReportText {
    /// `94,72`: two decimals with a decimal comma.
    static func percent(_ p: Percent?) -> String { p.map { $0.format(decimalSeparator: ",") } ?? "—" }
    /// `94,72%`.
    static func percentSign(_ p: Percent?) -> String { p.map { $0.format(decimalSeparator: ",") + "%" } ?? "—" }
    /// `+2,66`, `-0,50`.
    static func signed(_ p: Percent?) -> String {
        guard let p else { return "—" }
        return (p.hundredths > 0 ? "+" : "") + p.format(decimalSeparator: ",")
    }
    /// `94,72`, `0,75`, `100,00`: points with at least two decimals.
    static func points(_ s: Score) -> String { s.formatted(minimumDecimals: 2).replacingDot() }
    /// `0,75`, `1`: a score as it was entered.
    static func score(_ s: Score) -> String { s.description.replacingDot() }
    static func value(_ v: ScoreValue) -> String {
        switch v {
        case .score(let s): score(s)
        case .notApplicable: "không áp dụng"
        }
    }
    static func rank(_ r: Int?) -> String { r.map(String.init) ?? "—" }

    /// `19/02/2024 14:00 (UTC+07:00)`.
    static func time(_ t: BusinessTime) -> String {
        let text = RFC3339.format(t)
        let chars = Array(text)
        guard chars.count >= 19, chars[4] == "-", chars[10] == "T" else { return text }
        let s = { (a: Int, b: Int) in String(chars[a..<b]) }
        let zone = s(19, chars.count)
        return "\(s(8, 10))/\(s(5, 7))/\(s(0, 4)) \(s(11, 16))" + (zone.isEmpty ? "" : " (UTC\(zone == "Z" ? "" : zone.drop { $0 != "+" && $0 != "-" }))")
    }

    static func eventType(_ t: EventType) -> String {
        switch t {
        case .unitRegistered: "Đăng ký đơn vị"
        case .unitRenamed: "Đổi tên đơn vị"
        case .frameworkPublished: "Ban hành bộ tiêu chí"
        case .assessmentSubmitted: "Tự đánh giá"
        case .appraisalRecorded: "Thẩm định"
        case .explanationSubmitted: "Giải trình"
        case .surveyRecorded: "Điều tra xã hội học"
        case .correctionIssued: "Đính chính"
        case .appealFiled: "Khiếu nại"
        case .appealResolved: "Giải quyết khiếu nại"
        case .resultsPublished: "Công bố kết quả"
        case .actorRegistered: "Đăng ký tài khoản"
        case .actorRevoked: "Thu hồi tài khoản"
        case .batchSigned: "Ký số lô dữ liệu"
        }
    }

    static func status(_ s: ItemStatus) -> String {
        switch s {
        case .missing: "chưa có điểm"
        case .selfAssessed: "tự đánh giá (tạm thời)"
        case .appraised: "đã thẩm định"
        case .survey: "điều tra xã hội học"
        case .appealed: "theo kết quả khiếu nại"
        case .notApplicable: "không áp dụng"
        }
    }

    static func outcome(_ o: AppealOutcome?) -> String {
        switch o {
        case .upheld: "Chấp nhận"
        case .partial: "Chấp nhận một phần"
        case .rejected: "Không chấp nhận"
        case nil: "Đang xem xét"
        }
    }

    /// The colour class of a band, by its place among the framework's bands.
    static func bandClass(_ band: Band?, of bands: [Band]) -> String {
        guard let band, let i = bands.firstIndex(where: { $0.code == band.code }) else { return "band-none" }
        return "band-\(Swift.min(i, 4))"
    }
}

extension String {
    fileprivate func replacingDot() -> String { String(map { $0 == "." ? "," : $0 }) }
}
