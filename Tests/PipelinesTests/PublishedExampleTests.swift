import Primitives
import DataGen
import Foundation
import Pipelines
import Projections
import ScoreModel
import Testing

/// The bundled examples (events/examples/): real published rankings, turned
/// into events from their CSVs, replay to what was printed.
@Suite("Published rankings bundled as examples")
struct PublishedExampleTests {
    static let examples = PipelineRunTests.root.appendingPathComponent("events/examples")

    static func example(_ file: String) throws -> PublishedExample {
        let text = try String(contentsOf: examples.appendingPathComponent("published/" + file), encoding: .utf8)
        return try PublishedExample(PublishedTable(file: file, text: text))
    }

    static func book(_ events: [Event]) -> ScoreBook {
        var book = ScoreBook()
        for (i, event) in events.enumerated() {
            book.apply(RecordedEvent(seq: Seq(UInt64(i + 1)), recordedAt: RecordTime(microsecondsSinceEpoch: 0), event: event))
        }
        return book
    }

    static func computed(_ ranking: Ranking) -> [PublishedExample.Computed] {
        ranking.rows.map { row in
            PublishedExample.Computed(unit: row.unit, rank: row.rank, percent: row.percent,
                                      points: row.areas.map { PublishedExample.Part(item: ItemCode($0.code.rawValue), value: $0.points) })
        }
    }

    @Test("Thanh Hóa 2024, 20 departments: the printed order, positions and percents under its rule (exact ratio), and the printed mean 85.41%")
    func thanhHoa() throws {
        let example = try Self.example("thanhhoa_par2024_departments.csv")
        #expect(example.framework.ranking.order == .ratio, "the source breaks two ties of the printed percent")
        let ranking = try #require(Self.book(example.events).ranking(example.partition))
        #expect(ranking.rows.map(\.name) == example.table.rows.map { $0["unit"]! })
        #expect(ranking.rows.map(\.rank) == Array(1...20))
        #expect(ranking.rows.map { $0.percent!.description } == example.table.rows.map { Score($0["percent"]!)!.formatted() })
        #expect(ranking.rows[1...2].map(\.name) == ["Sở Nội vụ", "Văn phòng UBND tỉnh"] && ranking.rows[1].percent == ranking.rows[2].percent)
        #expect(ranking.rows[12...13].map(\.name) == ["Sở Khoa học và Công nghệ", "Sở Y tế"])
        #expect(ranking.statistics.mean?.description == "85.41")
        #expect(example.printedMean?.description == "85.41")
        #expect(example.differences(Self.computed(ranking), mean: ranking.statistics.mean) == [])
    }

    @Test("The ranking snapshot names a rule that is not the default, as the framework event does, and says nothing of the default")
    func snapshotNamesRule() throws {
        let thanhHoa = try Self.example("thanhhoa_par2024_departments.csv")
        let ratio = try #require(Self.book(thanhHoa.events).ranking(thanhHoa.partition))
        #expect(Render.rankingJSON(ratio).text.filter { !$0.isWhitespace }.contains(#""ranking":{"order":"ratio"}"#))
        let par = try Self.example("par2020_provinces_top10.csv")
        let plain = try #require(Self.book(par.events).ranking(par.partition))
        #expect(!Render.rankingJSON(plain).text.contains(#""ranking""#))
    }

    @Test("Thanh Hóa under the default rule: the two printed ties share ranks 2 and 13")
    func thanhHoaDefaultRule() throws {
        let example = try Self.example("thanhhoa_par2024_departments.csv")
        let events = example.events.map { event -> Event in
            guard case .frameworkPublished(var f) = event.body else { return event }
            f.ranking = .default
            return Event(at: event.at, by: event.by, id: event.id, body: .frameworkPublished(f))
        }
        let ranking = try #require(Self.book(events).ranking(example.partition))
        #expect(ranking.rows.map(\.rank) == [1, 2, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 13, 15, 16, 17, 18, 19, 20])
        #expect(ranking.rows[1...2].map(\.unit) == ["SNV", "VPUBNDT"], "shared, listed by unit code")
        #expect(ranking.statistics.mean?.description == "85.41")
        let differences = example.differences(Self.computed(ranking), mean: ranking.statistics.mean)
        #expect(differences == ["position 3 VPUBNDT: rank 2, published 3", "position 14 SYT: rank 13, published 14"])
    }

    @Test("PAR 2020 top 10: ranks and composite percents as printed, each part rounding to its printed part")
    func par2020() throws {
        let example = try Self.example("par2020_provinces_top10.csv")
        #expect(example.framework.ranking == .default)
        #expect(example.framework.maxTotal == Score(points: 100))
        let ranking = try #require(Self.book(example.events).ranking(example.partition))
        #expect(ranking.rows.map(\.rank) == Array(1...10))
        #expect(ranking.rows.map(\.name) == example.table.rows.map { $0["unit"]! })
        #expect(ranking.rows.map { $0.percent!.description } == example.table.rows.map { Score($0["percent"]!)!.formatted() })
        let columns = ["appraised", "survey_sipas", "survey_leaders", "survey_socioeconomic_impact"]
        for (row, printed) in zip(ranking.rows, example.table.rows) {
            #expect(row.areas.count == 4)
            for (area, column) in zip(row.areas, columns) {
                let rounded = Percent(hundredths: Percent.divideRounded(area.points.thousandths, by: 10))
                #expect(rounded.description == Score(printed[column]!)!.formatted(), "\(row.unit) \(column): \(area.points)")
            }
        }
        // Quảng Ninh's printed parts add up to 91.05, its composite is 91.04: chosen thousandths reconcile them.
        #expect(ranking.rows[0].points.description == "91.044")
        #expect(example.differences(Self.computed(ranking), mean: ranking.statistics.mean) == [])
    }

    @Test("The committed example files are the generator's output", arguments: ["thanhhoa_par2024_departments.csv", "par2020_provinces_top10.csv"])
    func committed(file: String) throws {
        let example = try Self.example(file)
        let committed = try String(contentsOf: Self.examples.appendingPathComponent(example.eventFile), encoding: .utf8)
        #expect(committed == example.events.map { EventJSON.encode($0) + "\n" }.joined(),
                "run `swift run parledger generate examples` and commit events/examples/")
    }

    @Test("A table that cannot be read is refused with its file, line and column")
    func badTables() throws {
        let good = try String(contentsOf: Self.examples.appendingPathComponent("published/thanhhoa_par2024_departments.csv"), encoding: .utf8)
        #expect { try PublishedExample(PublishedTable(file: "other.csv", text: good)) } throws: { "\($0)".hasPrefix("other.csv:1: not a known published table") }
        let badPercent = good.replacingOccurrences(of: ",89.3,", with: ",89.305,")
        #expect { try PublishedExample(PublishedTable(file: "thanhhoa_par2024_departments.csv", text: badPercent)) } throws: {
            "\($0)" == #"thanhhoa_par2024_departments.csv:5: column "percent": "89.305" is not a figure with at most 2 decimals"#
        }
        #expect { try PublishedTable(file: "t.csv", text: "a,b\n\"1,2\n") } throws: { "\($0)".contains("t.csv:3: a quoted field is not closed") }
    }
}
