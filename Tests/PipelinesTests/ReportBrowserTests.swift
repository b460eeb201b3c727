import DataGen
import EventLog
import Foundation
import Ledger
import Pipelines
import ScoreModel
import Testing

/// Headless Chromium (Debian's `chromium`, installed by `.ci/run`) and the
/// independent page checker in Fixtures/report_check.py.
enum Chromium {
    static let path: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/lib/chromium/chromium"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }
    static var available: Bool { path != nil }

    struct Output { var stdout: Data; var stderr: String; var status: Int32 }

    static func run(_ args: [String]) throws -> Output {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("parledger-chromium-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: profile) }
        return try exec(path!, ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(profile)",
                                "--enable-logging=stderr", "--v=0"] + args)
    }

    /// Runs `tool` with its output and errors in files (no pipe can fill up and block it).
    static func exec(_ tool: String, _ args: [String]) throws -> Output {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("parledger-exec-\(UUID().uuidString)").path
        FileManager.default.createFile(atPath: base + ".out", contents: nil)
        FileManager.default.createFile(atPath: base + ".err", contents: nil)
        defer { try? FileManager.default.removeItem(atPath: base + ".out"); try? FileManager.default.removeItem(atPath: base + ".err") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        p.standardOutput = FileHandle(forWritingAtPath: base + ".out")
        p.standardError = FileHandle(forWritingAtPath: base + ".err")
        p.standardInput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        let o = FileManager.default.contents(atPath: base + ".out") ?? Data(), e = FileManager.default.contents(atPath: base + ".err") ?? Data()
        return Output(stdout: o, stderr: String(decoding: e, as: UTF8.self), status: p.terminationStatus)
    }

    /// The DOM after loading `file`, and the page's console messages.
    static func load(_ file: String) throws -> (dom: String, console: [String]) {
        let r = try run(["--dump-dom", URL(fileURLWithPath: file).absoluteString])
        #expect(r.status == 0, "chromium exited \(r.status) on \(file): \(r.stderr.suffix(500))")
        let console = r.stderr.split(separator: "\n").filter { $0.contains(":CONSOLE") }.map(String.init)
        return (String(decoding: r.stdout, as: UTF8.self), console)
    }

    /// Has chromium write what `flags` ask for (a screenshot, a PDF) of `page`
    /// into a new temporary file; returns its path, for the caller to remove.
    static func write(_ ext: String, page: String, flags: (String) -> [String]) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("parledger-chromium-\(UUID().uuidString).\(ext)").path
        let r = try run(flags(file) + [URL(fileURLWithPath: page).absoluteString])
        #expect(r.status == 0, "chromium exited \(r.status) on \(page): \(r.stderr.suffix(500))")
        return file
    }

    struct Page: Decodable {
        struct SVG: Decodable { var role: String?; var title: String; var desc: String; var labelled: Bool }
        var text: String
        var scripts: Int
        var handlers: [[String]]
        var svgs: [SVG]
    }

    static func check(_ mode: String, _ file: String) throws -> Data {
        let script = PipelineRunTests.root.appendingPathComponent("Tests/PipelinesTests/Fixtures/report_check.py").path
        let r = try exec("/usr/bin/env", ["python3", script, mode, file])
        #expect(r.status == 0, "report_check.py \(mode) failed: \(r.stderr)")
        return r.stdout
    }

    static func parse(dom: String) throws -> Page {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("parledger-dom-\(UUID().uuidString).html").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try dom.write(toFile: file, atomically: true, encoding: .utf8)
        return try JSONDecoder().decode(Page.self, from: check("dom", file))
    }
}

@Suite("The HTML report in headless Chromium", .serialized,
       .enabled(if: Chromium.available, "needs Debian's chromium (`apt-get install chromium`; .ci/run installs it)"))
struct ReportBrowserTests {
    static let mainPages = ["index.html", "PAR-department.html", "PAR-2023-department.html", "PAR-2023-district.html",
                            "PAR-2022-department.html", "PAR-2023-department/SKHDT.html", "PAR-2023-department/STNMT.html"]

    @Test("The console check sees a page's errors (so a clean result means something)")
    func consoleCheckCanFail() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("parledger-bad-\(UUID().uuidString).html").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try "<!DOCTYPE html><p>x</p><script>console.error('boom'); missingFunction();</script>".write(toFile: file, atomically: true, encoding: .utf8)
        let page = try Chromium.load(file)
        #expect(page.console.contains { $0.contains("boom") })
        #expect(page.console.contains { $0.contains("missingFunction") })
    }

    @Test("The demo's main pages load with no console message, no script and no event handler", arguments: mainPages)
    func loadsClean(_ name: String) throws {
        let page = try Chromium.load(DemoReport.shared.site + "/" + name)
        #expect(page.console.isEmpty, "\(name): \(page.console)")
        let parsed = try Chromium.parse(dom: page.dom)
        #expect(parsed.scripts == 0)
        #expect(parsed.handlers.isEmpty, "\(parsed.handlers)")
        #expect(parsed.text.count > 200, "\(name) shows text")
    }

    @Test("The DOM text holds the demo's published figures: ranks, percents, bands, means and the emulation flag")
    func publishedFigures() throws {
        let department = try Chromium.parse(dom: Chromium.load(DemoReport.shared.site + "/PAR-2023-department.html").dom).text
        #expect(department.contains("1 SKHDT Sở Kế hoạch và Đầu tư 94,72 100,00 94,72 Xuất sắc Cờ thi đua (tạm thời)"))
        #expect(department.contains("2 STC Sở Tài chính 93,15 100,00 93,15 Xuất sắc"))
        #expect(department.contains("Bình quân 89,55%"))
        #expect(department.contains("So với 2022 +2,66 điểm (từ 86,89%)"))
        #expect(department.contains("Xuất sắc 90 9 2"), "9 excellent, 2 the year before")
        #expect(department.contains("khiếu nại đang mở: KN-2023-2"))
        #expect(department.contains("Cờ thi đua: Sở Kế hoạch và Đầu tư; tạm thời"))
        let district = try Chromium.parse(dom: Chromium.load(DemoReport.shared.site + "/PAR-2023-district.html").dom).text
        #expect(district.contains("UBND huyện Châu Thành 90,79"))
        #expect(district.contains("Bình quân 85,36%"))
        #expect(district.contains("Cờ thi đua: UBND huyện Châu Thành"))
        // The impact of the upheld appeal, in words.
        #expect(department.contains("Tỷ lệ của Sở Tài nguyên và Môi trường: 89,81% → 90,31%; hạng 9 → 8; xếp loại Tốt → Xuất sắc"))
    }

    @Test("Every chart has a title and a text alternative, and names both in aria-labelledby", arguments: mainPages.dropFirst())
    func chartsAreLabelled(_ name: String) throws {
        let page = try Chromium.parse(dom: Chromium.load(DemoReport.shared.site + "/" + name).dom)
        #expect(page.svgs.count >= 2)
        for svg in page.svgs {
            #expect(svg.role == "img")
            #expect(!svg.title.isEmpty && !svg.desc.isEmpty)
            #expect(svg.labelled, "\(svg.title): aria-labelledby names its title and desc")
        }
    }

    @Test("A screenshot of the block page is not blank")
    func screenshot() throws {
        let png = try Chromium.write("png", page: DemoReport.shared.site + "/PAR-2023-department.html") { ["--screenshot=\($0)", "--window-size=1280,1600"] }
        defer { try? FileManager.default.removeItem(atPath: png) }
        struct Ink: Decodable { var width: Int; var height: Int; var ink: Double }
        let ink = try JSONDecoder().decode(Ink.self, from: Chromium.check("png", png))
        #expect(ink.width == 1280 && ink.height == 1600)
        #expect(ink.ink > 0.02, "share of inked pixels: \(ink.ink)")
    }

    @Test("The block page prints on A4 pages")
    func printsOnA4() throws {
        let pdf = try Chromium.write("pdf", page: DemoReport.shared.site + "/PAR-2023-department.html") { ["--no-pdf-header-footer", "--print-to-pdf=\($0)"] }
        defer { try? FileManager.default.removeItem(atPath: pdf) }
        let text = String(decoding: try #require(FileManager.default.contents(atPath: pdf)), as: UTF8.self)
        let boxes = text.components(separatedBy: "/MediaBox [").dropFirst().map { $0.prefix { $0 != "]" } }
        #expect(boxes.count >= 2, "the block page takes several pages")
        for box in boxes {
            let numbers = box.split(separator: " ").compactMap { Double($0) }
            // A4 is 595.28 × 841.89 points.
            #expect(numbers.count == 4 && abs(numbers[2] - 595) < 1 && abs(numbers[3] - 842) < 1, "page box \(box)")
        }
    }

    @Test("Hostile unit names, actors and reasons show as text: no script runs, no handler is added")
    func hostileNames() throws {
        let s = try PipelineRunTests.Scratch()
        try s.importLines(DemoProvince.events()[...])
        let hostile = """
        {"type":"unit.renamed","at":"2024-03-10T09:00:00+07:00","by":"test","unit":"SKHDT","name":"<script>alert(1)</script>"}
        {"type":"unit.renamed","at":"2024-03-10T09:00:00+07:00","by":"test","unit":"STC","name":"\\" onmouseover=\\"alert(2)\\" x=\\""}
        {"type":"correction.issued","at":"2024-03-10T10:00:00+07:00","by":"test","target":"2023-SYT-6.2.2-r1","score":0.5,"reason":"<img src=x onerror=alert(3)>'&amp;"}

        """
        _ = try Ledger.importEvents([ImportSource(name: "hostile.jsonl", bytes: Array(hostile.utf8))], into: s.log)
        let out = s.path + "/report"
        _ = try PipelineRunner.run(DemoReport.spec, log: s.log, out: out)
        let site = SnapshotWriter.resolve(out) + "/report"
        let raw = try String(contentsOfFile: site + "/PAR-2023-department.html", encoding: .utf8)
        #expect(!raw.contains("<script>") && raw.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        let script = "<script>alert(1)</script>", quote = "\" onmouseover=\"alert(2)\" x=\"", img = "<img src=x onerror=alert(3)>'&amp;"
        let shown: [(page: String, texts: [String])] = [
            ("PAR-2023-department.html", [script, quote, img]), ("PAR-department.html", []), ("index.html", []),
            ("PAR-2023-department/SKHDT.html", [script]), ("PAR-2023-department/STC.html", [quote]), ("PAR-2023-department/SYT.html", [img]),
        ]
        for (name, texts) in shown {
            let loaded = try Chromium.load(site + "/" + name)
            #expect(loaded.console.isEmpty, "\(name): \(loaded.console)")
            let page = try Chromium.parse(dom: loaded.dom)
            #expect(page.scripts == 0, "\(name): a script element")
            #expect(page.handlers.isEmpty, "\(name): \(page.handlers)")
            for text in texts { #expect(page.text.contains(text), "\(name) shows \(text) as text") }
        }
    }
}
