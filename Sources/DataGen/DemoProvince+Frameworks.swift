import ScoreModel

/// The demo province's frameworks, in the spirit of the PAR Index
/// frameworks a province applies to its departments and its districts.
extension DemoProvince {
    /// An area of the catalogue: its assessment criteria (two items each)
    /// and the name of its survey criterion.
    struct AreaTemplate {
        let name: String
        let criteria: [(name: String, items: [String])]
        let survey: String
    }

    static let areaCatalogue: [AreaTemplate] = [
        AreaTemplate(name: "Công tác chỉ đạo, điều hành cải cách hành chính", criteria: [
            ("Kế hoạch cải cách hành chính năm", ["Ban hành kế hoạch CCHC năm đúng thời hạn", "Mức độ hoàn thành kế hoạch CCHC"]),
            ("Báo cáo cải cách hành chính", ["Số lượng báo cáo định kỳ đúng quy định", "Chất lượng báo cáo CCHC"]),
            ("Kiểm tra công tác cải cách hành chính", ["Tỷ lệ đơn vị trực thuộc được kiểm tra", "Xử lý các vấn đề phát hiện qua kiểm tra"]),
            ("Thông tin, tuyên truyền cải cách hành chính", ["Thực hiện kế hoạch tuyên truyền CCHC", "Bị phê bình, nhắc nhở do chậm thực hiện nhiệm vụ CCHC"]),
        ], survey: "Đánh giá của người dân, tổ chức về công tác chỉ đạo, điều hành"),
        AreaTemplate(name: "Cải cách thể chế", criteria: [
            ("Xây dựng và ban hành văn bản quy phạm pháp luật", ["Thực hiện kế hoạch xây dựng văn bản QPPL", "Thực hiện quy trình xây dựng văn bản QPPL"]),
            ("Rà soát, hệ thống hóa văn bản quy phạm pháp luật", ["Ban hành kế hoạch rà soát văn bản", "Xử lý kết quả rà soát văn bản"]),
            ("Tổ chức thi hành văn bản quy phạm pháp luật", ["Tuyên truyền, phổ biến văn bản QPPL", "Theo dõi thi hành pháp luật"]),
            ("Kiểm tra văn bản quy phạm pháp luật", ["Tự kiểm tra văn bản do cơ quan ban hành", "Xử lý văn bản trái pháp luật"]),
        ], survey: "Đánh giá về chất lượng văn bản quy phạm pháp luật"),
        AreaTemplate(name: "Cải cách thủ tục hành chính", criteria: [
            ("Kiểm soát thủ tục hành chính", ["Công bố danh mục TTHC đúng thời hạn", "Rà soát, đơn giản hóa TTHC"]),
            ("Công khai thủ tục hành chính", ["Công khai TTHC trên Cổng dịch vụ công", "Công khai tại Bộ phận một cửa"]),
            ("Thực hiện cơ chế một cửa, một cửa liên thông", ["Tỷ lệ hồ sơ giải quyết đúng hạn", "Xin lỗi người dân khi trễ hẹn"]),
            ("Tiếp nhận, xử lý phản ánh, kiến nghị", ["Tiếp nhận phản ánh, kiến nghị của người dân", "Xử lý phản ánh, kiến nghị đúng thời hạn"]),
        ], survey: "Mức độ hài lòng về thủ tục hành chính (SIPAS)"),
        AreaTemplate(name: "Cải cách tổ chức bộ máy hành chính nhà nước", criteria: [
            ("Sắp xếp tổ chức bộ máy", ["Thực hiện quy định về cơ cấu tổ chức", "Sắp xếp, tinh gọn đơn vị trực thuộc"]),
            ("Quản lý biên chế", ["Sử dụng biên chế được giao", "Thực hiện tinh giản biên chế"]),
            ("Phân cấp, ủy quyền", ["Thực hiện các nhiệm vụ được phân cấp", "Kiểm tra việc thực hiện phân cấp"]),
            ("Quy chế làm việc", ["Ban hành quy chế làm việc", "Thực hiện quy chế làm việc"]),
        ], survey: "Đánh giá về tổ chức bộ máy"),
        AreaTemplate(name: "Cải cách chế độ công vụ", criteria: [
            ("Vị trí việc làm", ["Xây dựng đề án vị trí việc làm", "Bố trí công chức theo vị trí việc làm"]),
            ("Tuyển dụng, sử dụng công chức", ["Tuyển dụng đúng quy định", "Bổ nhiệm lãnh đạo đúng quy trình"]),
            ("Đánh giá, xếp loại công chức", ["Đánh giá công chức đúng quy định", "Xử lý kỷ luật công chức vi phạm"]),
            ("Đào tạo, bồi dưỡng", ["Thực hiện kế hoạch đào tạo, bồi dưỡng", "Tỷ lệ công chức được bồi dưỡng"]),
        ], survey: "Đánh giá về đội ngũ cán bộ, công chức"),
        AreaTemplate(name: "Cải cách tài chính công", criteria: [
            ("Thực hiện dự toán ngân sách", ["Giải ngân vốn đầu tư công", "Thực hiện dự toán chi thường xuyên"]),
            ("Cơ chế tự chủ tài chính", ["Ban hành quy chế chi tiêu nội bộ", "Thực hiện tự chủ tại đơn vị sự nghiệp"]),
            ("Quản lý tài sản công", ["Ban hành quy chế quản lý tài sản công", "Xử lý tài sản công đúng quy định"]),
            ("Công khai tài chính", ["Công khai dự toán, quyết toán", "Thực hiện kết luận thanh tra, kiểm toán"]),
        ], survey: "Đánh giá về quản lý tài chính công"),
        AreaTemplate(name: "Xây dựng và phát triển chính quyền điện tử, chính quyền số", criteria: [
            ("Hạ tầng và nền tảng số", ["Ứng dụng nền tảng tích hợp, chia sẻ dữ liệu", "Bảo đảm an toàn thông tin mạng"]),
            ("Dịch vụ công trực tuyến", ["Tỷ lệ dịch vụ công trực tuyến toàn trình", "Tỷ lệ hồ sơ nộp trực tuyến"]),
            ("Văn bản điện tử", ["Gửi, nhận văn bản điện tử có chữ ký số", "Sử dụng hệ thống quản lý văn bản"]),
            ("Số hóa hồ sơ", ["Số hóa hồ sơ, kết quả giải quyết TTHC", "Tái sử dụng dữ liệu đã số hóa"]),
        ], survey: "Mức độ hài lòng về dịch vụ công trực tuyến"),
        AreaTemplate(name: "Tác động của cải cách hành chính đến phát triển kinh tế - xã hội", criteria: [
            ("Thu hút đầu tư", ["Số doanh nghiệp thành lập mới", "Vốn đầu tư thực hiện trên địa bàn"]),
            ("Thu ngân sách", ["Thực hiện dự toán thu ngân sách", "Tăng trưởng thu ngân sách"]),
            ("Thực hiện chỉ tiêu phát triển", ["Hoàn thành chỉ tiêu kinh tế - xã hội", "Giảm nghèo bền vững"]),
            ("Nông thôn mới", ["Tỷ lệ xã đạt chuẩn nông thôn mới", "Xã nông thôn mới nâng cao"]),
        ], survey: "Sự hài lòng của người dân về chính quyền địa phương"),
    ]

    /// Shape of one block's framework: which areas, how many assessment
    /// criteria per area, the assessment points of each area, the points of
    /// each survey item, and whether the first area holds the penalty item.
    struct FrameworkShape {
        let block: BlockCode
        let areas: [Int]
        let criteriaPerArea: Int
        let assessmentPoints: [Int]
        let surveyPoints: Int
        let bands: [Band]
    }

    static let departmentShape = FrameworkShape(
        block: "department", areas: [0, 1, 2, 3, 4, 5, 6], criteriaPerArea: 4,
        assessmentPoints: [10, 9, 13, 8, 12, 8, 12], surveyPoints: 4,
        bands: [
            Band(code: "excellent", label: "Xuất sắc", min: Score(points: 90)),
            Band(code: "good", label: "Tốt", min: Score(points: 80)),
            Band(code: "fair", label: "Khá", min: Score(points: 70)),
            Band(code: "average", label: "Trung bình", min: Score(points: 50)),
            Band(code: "weak", label: "Yếu", min: Score(points: 0)),
        ])

    static let districtShape = FrameworkShape(
        block: "district", areas: [0, 1, 2, 3, 4, 5, 6, 7], criteriaPerArea: 3,
        assessmentPoints: [9, 9, 11, 8, 10, 9, 10, 10], surveyPoints: 3,
        bands: [
            Band(code: "excellent", label: "Xuất sắc", min: Score(points: 85)),
            Band(code: "good", label: "Tốt", min: Score(points: 80)),
            Band(code: "fair", label: "Khá", min: Score(points: 70)),
            Band(code: "average", label: "Trung bình", min: Score(points: 50)),
            Band(code: "weak", label: "Yếu", min: Score(points: 0)),
        ])

    /// The penalty item (bị phê bình, nhắc nhở): max 0, min −1.
    static let penaltyName = "Bị phê bình, nhắc nhở do chậm thực hiện nhiệm vụ CCHC"

    /// Builds the framework of a block for a year: items numbered
    /// `area.criterion.item`, the survey criterion last in each area.
    static func framework(_ shape: FrameworkShape, year: Int, decision: String) -> Framework {
        var areas: [Area] = []
        for (a, catalogueIndex) in shape.areas.enumerated() {
            let template = areaCatalogue[catalogueIndex]
            let areaNo = a + 1
            // Assessment items of the area; the penalty item (if any) gets no points.
            var specs: [(criterion: Int, item: Int, name: String, penalty: Bool)] = []
            var criteriaNames: [String] = []
            let chosen = Array(template.criteria.prefix(shape.criteriaPerArea))
            // In the districts' shorter framework, the information criterion
            // (with the penalty item) is the last one kept of area 1.
            let criteria = (catalogueIndex == 0 && shape.criteriaPerArea < 4)
                ? Array(chosen.prefix(shape.criteriaPerArea - 1)) + [template.criteria[3]] : chosen
            for (c, criterion) in criteria.enumerated() {
                criteriaNames.append(criterion.name)
                for (i, name) in criterion.items.enumerated() {
                    specs.append((c + 1, i + 1, name, name == penaltyName))
                }
            }
            let positive = specs.filter { !$0.penalty }.count
            let maxima = split(points: shape.assessmentPoints[a], into: positive)
            var next = 0
            var criterionItems: [[Item]] = Array(repeating: [], count: criteria.count)
            for spec in specs {
                let code = ItemCode("\(areaNo).\(spec.criterion).\(spec.item)")
                if spec.penalty {
                    criterionItems[spec.criterion - 1].append(Item(code: code, name: spec.name, max: .zero, min: Score(points: -1)))
                } else {
                    criterionItems[spec.criterion - 1].append(Item(code: code, name: spec.name, max: maxima[next]))
                    next += 1
                }
            }
            var built: [Criterion] = []
            for (c, name) in criteriaNames.enumerated() {
                built.append(Criterion(code: CriterionCode("\(areaNo).\(c + 1)"), name: name, items: criterionItems[c]))
            }
            let surveyNo = criteria.count + 1
            built.append(Criterion(code: CriterionCode("\(areaNo).\(surveyNo)"), name: template.survey, items: [
                Item(code: ItemCode("\(areaNo).\(surveyNo).1"), name: template.survey, max: Score(points: shape.surveyPoints), source: .survey),
            ]))
            areas.append(Area(code: AreaCode("\(areaNo)"), name: template.name, criteria: built))
        }
        return Framework(id: FrameworkID("PAR-\(year)-\(shape.block.rawValue)"), index: .par, year: year, block: shape.block,
                         decision: decision, bands: shape.bands, areas: areas)
    }

    /// Splits whole points over `count` items in half-point steps, the
    /// larger shares first: 10 over 7 is 1.5 ×6 + 1.
    static func split(points: Int, into count: Int) -> [Score] {
        let halves = points * 2
        let base = halves / count
        let extra = halves % count
        return (0..<count).map { Score(thousandths: Int64((base + ($0 < extra ? 1 : 0)) * 500)) }
    }
}
