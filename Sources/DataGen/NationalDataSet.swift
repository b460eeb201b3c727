import ScoreModel

/// A seeded, reproducible national data set for benchmarks: every province
/// scores its departments, districts and communes on the PAR Index, year
/// after year, through the whole cycle.
///
/// With the defaults (63 provinces × 130 units × 80 items × 5 years) it is
/// about 6.7 million events. Events are produced one at a time (constant
/// memory in the number of years: one year is planned at a time) in
/// business time order, interleaved across the units of every province as a
/// real log receives them; the same parameters always give the same events,
/// in the same order, so the k-th event gets seq k in an empty log.
///
/// ```swift
/// try NationalDataSet(provinces: 2, unitsPerProvince: 10).generate { event in … }
/// ```
public struct NationalDataSet: Sendable {
    public var provinces: Int
    public var unitsPerProvince: Int
    /// Items per framework: a multiple of 10 (areas × criteria × 2), at least 20.
    public var items: Int
    public var years: ClosedRange<Int>
    public var seed: UInt64
    /// How often scores are revised: about 2 × `revisions` corrections and
    /// `revisions` appeals per 1,000 unit-items (1: the usual share; 50: a
    /// heavy one, 10% corrected and 5% appealed).
    public var revisions: Int

    public init(provinces: Int = 63, unitsPerProvince: Int = 130, items: Int = 80, years: ClosedRange<Int> = 2019...2023, seed: UInt64 = 1, revisions: Int = 1) {
        precondition((1...63).contains(provinces) && unitsPerProvince >= 3 && items >= 20 && items % 10 == 0 && (0...500).contains(revisions))
        self.provinces = provinces; self.unitsPerProvince = unitsPerProvince; self.items = items; self.years = years; self.seed = seed
        self.revisions = revisions
    }

    static let provinceNames = [
        "An Giang", "Bà Rịa - Vũng Tàu", "Bắc Giang", "Bắc Kạn", "Bạc Liêu", "Bắc Ninh", "Bến Tre", "Bình Định", "Bình Dương", "Bình Phước",
        "Bình Thuận", "Cà Mau", "Cần Thơ", "Cao Bằng", "Đà Nẵng", "Đắk Lắk", "Đắk Nông", "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai",
        "Hà Giang", "Hà Nam", "Hà Nội", "Hà Tĩnh", "Hải Dương", "Hải Phòng", "Hậu Giang", "Hòa Bình", "Hưng Yên", "Khánh Hòa", "Kiên Giang",
        "Kon Tum", "Lai Châu", "Lâm Đồng", "Lạng Sơn", "Lào Cai", "Long An", "Nam Định", "Nghệ An", "Ninh Bình", "Ninh Thuận", "Phú Thọ",
        "Phú Yên", "Quảng Bình", "Quảng Nam", "Quảng Ngãi", "Quảng Ninh", "Quảng Trị", "Sóc Trăng", "Sơn La", "Tây Ninh", "Thái Bình",
        "Thái Nguyên", "Thanh Hóa", "Thừa Thiên Huế", "Tiền Giang", "TP. Hồ Chí Minh", "Trà Vinh", "Tuyên Quang", "Vĩnh Long", "Vĩnh Phúc", "Yên Bái",
    ]
    static let placeNames = ["An Phú", "Bình Minh", "Châu Thành", "Đông Hòa", "Gò Công", "Hòa Bình", "Long Hồ", "Mỹ Tú", "Phước Long",
                             "Tân Hiệp", "Thạnh Phú", "Vĩnh Thuận", "Xuân Lộc", "Yên Lạc", "Kim Sơn", "Lộc Ninh", "Quế Sơn", "Tam Bình"]

    /// A unit of a province: its code, name, block kind and level.
    struct UnitSpec {
        let code: UnitCode
        let name: String
        let kind: String
        let quality: Int64   // per 10 000: 0.7000 … 0.9700
    }

    func units(of province: Int, rng: inout SplitMix64) -> [UnitSpec] {
        let p = String(format2(province + 1))
        let departments = max(1, unitsPerProvince * 15 / 100), districts = max(1, unitsPerProvince * 8 / 100)
        var out: [UnitSpec] = []
        for i in 0..<unitsPerProvince {
            let quality = Int64(7000 + rng.int(in: 0...2700))
            if i < departments {
                let name = DemoProvince.departments[i % DemoProvince.departments.count].name
                out.append(UnitSpec(code: UnitCode("P\(p)-S\(format2(i + 1))"), name: name + (i >= DemoProvince.departments.count ? " (\(i + 1))" : ""),
                                    kind: "department", quality: quality))
            } else if i < departments + districts {
                let place = Self.placeNames[(i + province) % Self.placeNames.count]
                out.append(UnitSpec(code: UnitCode("P\(p)-H\(format2(i - departments + 1))"), name: "UBND huyện \(place) \(i - departments + 1)",
                                    kind: "district", quality: quality))
            } else {
                let n = i - departments - districts + 1
                let place = Self.placeNames[(i * 7 + province) % Self.placeNames.count]
                out.append(UnitSpec(code: UnitCode("P\(p)-X\(format3(n))"), name: "UBND xã \(place) \(n)", kind: "commune", quality: quality))
            }
        }
        return out
    }

    func format2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    func format3(_ n: Int) -> String { n < 10 ? "00\(n)" : n < 100 ? "0\(n)" : "\(n)" }

    /// The framework of a province's block for a year: areas of 5 criteria of
    /// 2 items; in each area the first item of the last criterion is a survey
    /// item; item 1.4.2 is a penalty item (min −1, max 0).
    func framework(province: Int, kind: String, year: Int) -> Framework {
        let areas = items / 10
        let block = BlockCode("P\(format2(province + 1))-\(kind)")
        return Framework(
            id: FrameworkID("PAR-\(year)-\(block)"), index: .par, year: year, block: block,
            decision: "\(100 + province)/QĐ-UBND",
            bands: [Band(code: "excellent", label: "Xuất sắc", min: Score(points: 90)), Band(code: "good", label: "Tốt", min: Score(points: 80)),
                    Band(code: "fair", label: "Khá", min: Score(points: 70)), Band(code: "average", label: "Trung bình", min: Score(points: 50)),
                    Band(code: "weak", label: "Yếu", min: .zero)],
            areas: (1...areas).map { a in
                let template = DemoProvince.areaCatalogue[(a - 1) % DemoProvince.areaCatalogue.count]
                return Area(code: AreaCode("\(a)"), name: template.name, criteria: (1...5).map { c in
                    Criterion(code: CriterionCode("\(a).\(c)"), name: c == 5 ? template.survey : template.criteria[(c - 1) % 4].name, items: (1...2).map { i in
                        let code = ItemCode("\(a).\(c).\(i)")
                        if a == 1 && c == 4 && i == 2 { return Item(code: code, name: DemoProvince.penaltyName, max: .zero, min: Score(points: -1)) }
                        if c == 5 && i == 1 { return Item(code: code, name: template.survey, max: Score(thousandths: 1500), source: .survey) }
                        return Item(code: code, name: template.criteria[(c - 1) % 4].items[i - 1], max: Score(thousandths: (a + c + i) % 2 == 0 ? 1000 : 1500))
                    })
                })
            })
    }
}
