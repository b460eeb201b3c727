import ScoreModel

/// The demo province: one year-on-year PAR Index cycle of a Mekong delta
/// province's 17 departments and 12 districts, modelled on a provincial
/// report of 19 February 2024 on the PAR Index 2023 results (Đồng Tháp).
///
/// Its final state reproduces the report's headline figures: departments
/// 2023 — 9 excellent (7 more than 2022), top Sở Kế hoạch và Đầu tư 94.72%,
/// mean 89.55% (up 2.66); districts 2023 — 7 excellent (3 more), top huyện
/// Châu Thành 90.79%, mean 85.36% (up 3.09). Everything else (item scores,
/// which items were disputed) is drawn from a seeded generator, so the same
/// seed always gives the same events.
///
/// ```swift
/// for file in DemoProvince.files() { print(file.name, file.events.count) }
/// ```
public enum DemoProvince {
    /// The data as the files of `events/demo/`, to be imported in name order.
    public static func files(seed: UInt64 = 2023) -> [(name: String, events: [Event])] {
        var builder = Builder(seed: seed)
        return builder.build()
    }

    /// Every event of the demo, in import order.
    public static func events(seed: UInt64 = 2023) -> [Event] { files(seed: seed).flatMap(\.events) }

    struct UnitSpec {
        let code: UnitCode
        let name: String
        let block: BlockCode
    }

    static let departments: [UnitSpec] = [
        ("SKHDT", "Sở Kế hoạch và Đầu tư"), ("STC", "Sở Tài chính"), ("SNV", "Sở Nội vụ"), ("STP", "Sở Tư pháp"),
        ("SCT", "Sở Công Thương"), ("SNNPTNT", "Sở Nông nghiệp và Phát triển nông thôn"), ("SGTVT", "Sở Giao thông vận tải"),
        ("SXD", "Sở Xây dựng"), ("STNMT", "Sở Tài nguyên và Môi trường"), ("STTTT", "Sở Thông tin và Truyền thông"),
        ("SLDTBXH", "Sở Lao động - Thương binh và Xã hội"), ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch"),
        ("SKHCN", "Sở Khoa học và Công nghệ"), ("SGDDT", "Sở Giáo dục và Đào tạo"), ("SYT", "Sở Y tế"),
        ("TTT", "Thanh tra tỉnh"), ("VPUBND", "Văn phòng Ủy ban nhân dân tỉnh"),
    ].map { UnitSpec(code: UnitCode($0.0), name: $0.1, block: "department") }

    static let districts: [UnitSpec] = [
        ("TPCL", "UBND thành phố Cao Lãnh"), ("TPSD", "UBND thành phố Sa Đéc"), ("TPHN", "UBND thành phố Hồng Ngự"),
        ("HTH", "UBND huyện Tân Hồng"), ("HHN", "UBND huyện Hồng Ngự"), ("HTN", "UBND huyện Tam Nông"),
        ("HTB", "UBND huyện Thanh Bình"), ("HCL", "UBND huyện Cao Lãnh"), ("HTM", "UBND huyện Tháp Mười"),
        ("HLV", "UBND huyện Lấp Vò"), ("HLVU", "UBND huyện Lai Vung"), ("HCT", "UBND huyện Châu Thành"),
    ].map { UnitSpec(code: UnitCode($0.0), name: $0.1, block: "district") }

    /// Each unit's final percent (hundredths) per year: the design that
    /// yields the report's figures. Sums: departments 2022 14771.3 → mean
    /// 86.89, 2023 15223.5 → 89.55; districts 2022 9872.4 → 82.27, 2023
    /// 10243.2 → 85.36.
    static let targets: [Int: [UnitCode: Int64]] = [
        2022: [
            "SNV": 9102, "SKHDT": 9044, "STC": 8978, "STP": 8895, "SCT": 8830, "STTTT": 8786, "SXD": 8754,
            "STNMT": 8710, "SYT": 8685, "SGDDT": 8672, "SNNPTNT": 8611, "SGTVT": 8564, "SKHCN": 8520,
            "SLDTBXH": 8433, "TTT": 8395, "SVHTTDL": 8326, "VPUBND": 8408,
            "TPCL": 8610, "HCT": 8564, "TPSD": 8530, "HLV": 8502, "HCL": 8463, "HTM": 8390, "HLVU": 8247,
            "HTB": 8185, "TPHN": 8096, "HTN": 7958, "HHN": 7864, "HTH": 7315,
        ],
        2023: [
            "SKHDT": 9472, "STC": 9315, "SNV": 9248, "STP": 9186, "STTTT": 9120, "SCT": 9095, "SXD": 9062,
            "STNMT": 9031, "SYT": 9005, "SGDDT": 8964, "SNNPTNT": 8892, "SGTVT": 8810, "SKHCN": 8745,
            "SLDTBXH": 8673, "TTT": 8620, "SVHTTDL": 8537, "VPUBND": 8460,
            "HCT": 9079, "TPCL": 8762, "TPSD": 8695, "HLV": 8640, "HCL": 8588, "HTM": 8546, "HLVU": 8512,
            "HTB": 8466, "TPHN": 8420, "HTN": 8341, "HHN": 8235, "HTH": 8148,
        ],
    ]

    /// Items that do not apply to a unit (both years).
    static let notApplicable: [UnitCode: [ItemCode]] = [
        "TTT": ["3.3.1", "3.3.2"],      // no one-stop shop: it settles no administrative procedure
        "VPUBND": ["6.2.2"],            // no public service unit under it
        "TPHN": ["8.3.2"],              // a city without new-rural-area communes
    ]

    static let decisions: [Int: [BlockCode: String]] = [
        2022: ["department": "312/QĐ-UBND", "district": "313/QĐ-UBND"],
        2023: ["department": "285/QĐ-UBND", "district": "286/QĐ-UBND"],
    ]

    /// After-publication changes, per year: (unit, what happens).
    enum Amendment {
        /// The published appraisal was mis-keyed; a correction restores the right score.
        case correction
        /// An appeal upheld: the council had under-scored by half a point.
        case appealUpheld
        /// An appeal partly upheld.
        case appealPartial
        /// An appeal rejected: the score stands.
        case appealRejected
    }

    static let amendments: [Int: [(UnitCode, Amendment)]] = [
        2022: [("SGTVT", .correction), ("HTB", .appealUpheld), ("STP", .appealRejected)],
        2023: [("SYT", .correction), ("HLV", .appealPartial), ("STNMT", .appealUpheld), ("TPSD", .appealRejected)],
    ]

    /// Appeals left open at the end of the log (2023), for the appeals
    /// review: the unit and the points it asks for above its current score.
    /// SKHCN (87.45) asks for one point more: it would pass SGTVT (88.10).
    /// TTT (86.20) asks for a quarter point: still below SLDTBXH (86.73).
    static let openAppeals: [(unit: UnitCode, extra: Score)] = [
        ("SKHCN", Score(points: 1)), ("TTT", Score(thousandths: 250)),
    ]
}
