import Mustache

/// The report's Mustache templates. Every value goes in as `{{name}}`,
/// which the library HTML-escapes (`<`, `>`, `&`, `"`, `'`), in text and in
/// attributes alike; the templates never use the unescaped forms
/// (`{{{name}}}`, `{{&name}}`), and a test keeps it so.
enum ReportTemplates {
    static let head = """
    <!DOCTYPE html>
    <html lang="vi">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{{pageTitle}}</title>
    <link rel="stylesheet" href="{{root}}style.css">
    </head>
    <body>
    <nav><a href="{{root}}index.html">Báo cáo</a>{{#crumbs}} › <a href="{{href}}">{{label}}</a>{{/crumbs}}</nav>
    <main>
    """

    static let foot = """
    </main>
    <footer>{{#headSeq}}Nhật ký đến sự kiện #{{headSeq}} · {{/headSeq}}Quy trình {{pipeline}} · kiểm tra: <code>parledger verify-snapshot</code></footer>
    </body>
    </html>

    """

    static let chart = """
    <figure class="chart">
    <svg role="img" viewBox="0 0 {{width}} {{height}}" aria-labelledby="{{id}}-t {{id}}-d" xmlns="http://www.w3.org/2000/svg">
    <title id="{{id}}-t">{{title}}</title>
    <desc id="{{id}}-d">{{desc}}</desc>
    {{#grid}}<line class="grid" x1="{{x0}}" x2="{{x1}}" y1="{{y}}" y2="{{y}}"/><text class="ylab" x="{{x0}}" dx="-6" y="{{ty}}" text-anchor="end">{{label}}</text>
    {{/grid}}<line class="axis" x1="{{x0}}" x2="{{x0}}" y1="{{y0}}" y2="{{y1}}"/><line class="axis" x1="{{x0}}" x2="{{x1}}" y1="{{y1}}" y2="{{y1}}"/>
    <text class="axis-title" x="{{x0}}" y="{{yTitleY}}">{{yTitle}}</text>
    {{#xLabels}}<text class="xlab" x="{{x}}" y="{{y}}" text-anchor="middle">{{label}}</text>
    {{/xLabels}}{{#bars}}<rect class="{{cls}}" x="{{x}}" y="{{y}}" width="{{w}}" height="{{h}}"><title>{{label}}</title></rect>
    {{/bars}}{{#lines}}<polyline class="line {{cls}}" points="{{points}}"/>
    {{#dots}}<circle class="dot {{cls}}" cx="{{cx}}" cy="{{cy}}" r="4"><title>{{label}}</title></circle>
    {{/dots}}{{/lines}}{{#legend}}<rect class="{{cls}}" x="{{x}}" y="{{y}}" width="12" height="12"/><text class="legend" x="{{tx}}" y="{{ty}}">{{label}}</text>
    {{/legend}}</svg>
    <figcaption><strong>{{title}}</strong>. {{desc}}</figcaption>
    </figure>

    """

    static let index = """
    {{> head}}
    <h1>{{pageTitle}}</h1>
    <section class="head">
    <h2>Nguồn số liệu</h2>
    <dl>
    <dt>Quy trình</dt><dd>{{pipeline}}</dd>
    <dt>Đầu nhật ký</dt><dd>sự kiện #{{headSeq}}, mã băm <code class="hash">{{headHash}}</code></dd>
    {{#asOf}}<dt>Theo thời điểm</dt><dd>{{asOf}}</dd>{{/asOf}}
    <dt>Số sự kiện</dt><dd>{{eventCount}}</dd>
    </dl>
    <h2>Kiểm tra báo cáo</h2>
    <p>Mọi trang của báo cáo được liệt kê trong <code>manifest.json</code> kèm mã SHA-256. Để dựng lại từ nhật ký và so sánh từng tệp:</p>
    <pre>parledger verify --log THƯ-MỤC-NHẬT-KÝ
    parledger verify-snapshot THƯ-MỤC-BÁO-CÁO --pipeline {{pipelineFile}} --log THƯ-MỤC-NHẬT-KÝ</pre>
    </section>
    {{#indexes}}
    <section>
    <h2>Chỉ số {{index}}</h2>
    {{#series}}
    <h3><a href="{{href}}">Khối {{block}}</a></h3>
    <ul class="years">{{#years}}<li><a href="{{href}}">{{year}}</a>: {{units}} đơn vị, bình quân {{mean}}{{#provisional}} <span class="flag">tạm thời</span>{{/provisional}}</li>{{/years}}</ul>
    {{/series}}
    </section>
    {{/indexes}}
    {{> foot}}
    """

    static let series = """
    {{> head}}
    <h1>{{pageTitle}}</h1>
    <ul class="years">{{#years}}<li><a href="{{href}}">{{year}}</a>: bình quân {{mean}}</li>{{/years}}</ul>
    <div class="charts">{{#charts}}{{> chart}}{{/charts}}</div>
    {{> foot}}
    """

    static let block = """
    {{> head}}
    <h1>{{pageTitle}}</h1>
    <p class="meta">Bộ tiêu chí {{framework}}{{#decision}} ({{decision}}){{/decision}}{{#published}} · <span id="seq-{{publishedSeq}}">công bố {{published}} (<a href="#seq-{{publishedSeq}}">#{{publishedSeq}}</a>)</span>{{/published}}{{^published}} · <span class="flag">chưa công bố</span>{{/published}}</p>
    {{#provisional}}<p class="provisional"><strong>Kết quả tạm thời:</strong> {{reasons}}.</p>{{/provisional}}
    <section>
    <h2>Xếp hạng</h2>
    <div class="scroll"><table class="ranking">
    <thead><tr><th>Hạng</th><th>Mã</th><th>Đơn vị</th><th class="num">Điểm</th><th class="num">Tối đa</th><th class="num">Tỷ lệ (%)</th><th>Xếp loại</th><th>Ghi chú</th></tr></thead>
    <tbody>
    {{#rows}}<tr class="{{bandClass}}"><td class="num">{{rank}}</td><td>{{unit}}</td><td><a href="{{href}}">{{name}}</a></td><td class="num">{{points}}</td><td class="num">{{max}}</td><td class="num">{{percent}}</td><td><span class="band {{bandClass}}">{{band}}</span></td><td>{{#openAppeals}}<span class="flag">khiếu nại đang mở: {{.}}</span> {{/openAppeals}}{{#provisionalItems}}<span class="flag">{{provisionalItems}} mục tạm thời</span> {{/provisionalItems}}{{#amendedItems}}<span class="note">{{amendedItems}} mục sửa sau công bố</span> {{/amendedItems}}{{#awards}}<span class="award">{{.}}</span> {{/awards}}</td></tr>
    {{/rows}}
    </tbody></table></div>
    </section>
    <section>
    <h2>Thống kê khối</h2>
    <dl class="stats"><dt>Số đơn vị</dt><dd>{{units}} ({{ranked}} được xếp hạng)</dd><dt>Bình quân</dt><dd>{{mean}}</dd>{{#meanChange}}<dt>So với {{previousYear}}</dt><dd>{{meanChange}} điểm (từ {{previousMean}})</dd>{{/meanChange}}</dl>
    <div class="scroll"><table class="bands"><thead><tr><th>Xếp loại</th><th class="num">Từ (%)</th><th class="num">Số đơn vị</th>{{#hasPrevious}}<th class="num">{{previousYear}}</th>{{/hasPrevious}}</tr></thead><tbody>
    {{#bands}}<tr><td><span class="band {{bandClass}}">{{label}}</span></td><td class="num">{{min}}</td><td class="num">{{count}}</td>{{#hasPrevious}}<td class="num">{{previous}}</td>{{/hasPrevious}}</tr>
    {{/bands}}</tbody></table></div>
    {{#awardLists}}<p><strong>{{name}}:</strong> {{#units}}{{.}}; {{/units}}{{^units}}không đơn vị nào đủ điều kiện{{/units}}{{#provisional}} <span class="flag">tạm thời</span>{{/provisional}}</p>
    {{/awardLists}}
    </section>
    <section>
    <h2>Ma trận đơn vị × lĩnh vực</h2>
    <p class="legend-text">Mỗi ô: điểm / tối đa và tỷ lệ; <span class="best">cao nhất</span> và <span class="worst">thấp nhất</span> của từng cột được tô màu.</p>
    <div class="scroll"><table class="matrix">
    <thead><tr><th>Đơn vị</th>{{#areas}}<th title="{{name}}">{{code}}. {{name}}</th>{{/areas}}</tr></thead>
    <tbody>
    {{#matrix}}<tr><td><a href="{{href}}">{{name}}</a></td>{{#cells}}<td class="num {{mark}}">{{points}}/{{max}}<br>{{percent}}</td>{{/cells}}</tr>
    {{/matrix}}
    </tbody></table></div>
    </section>
    <section>
    <h2>Diễn biến qua các năm</h2>
    <div class="charts">{{#charts}}{{> chart}}{{/charts}}</div>
    </section>
    <section>
    <h2>Tác động của đính chính và giải quyết khiếu nại</h2>
    {{#impacts}}{{> impact}}{{/impacts}}{{^impacts}}<p>Không có đính chính hay quyết định giải quyết khiếu nại nào.</p>{{/impacts}}
    </section>
    <section>
    <h2>Khiếu nại</h2>
    {{#appeals}}{{> appeal}}{{/appeals}}{{^appeals}}<p>Không có khiếu nại.</p>{{/appeals}}
    </section>
    {{> foot}}
    """

    static let impact = """
    <article class="impact" id="impact-{{seq}}">
    <h3>{{type}} <a href="{{href}}">#{{seq}}</a> · {{unitName}} ({{unit}}), mục {{item}}</h3>
    <p class="meta">{{at}} · {{by}}{{#target}} · đối tượng <a href="{{targetHref}}">#{{target}}</a>{{/target}}{{#appeal}} · khiếu nại {{appeal}}{{/appeal}}</p>
    {{#reason}}<p>Lý do: {{reason}}</p>{{/reason}}
    <div class="scroll"><table><thead><tr><th>Đơn vị</th><th class="num">Điểm trước</th><th class="num">Điểm sau</th><th class="num">Tỷ lệ trước</th><th class="num">Tỷ lệ sau</th><th class="num">Hạng trước</th><th class="num">Hạng sau</th><th>Xếp loại trước</th><th>Xếp loại sau</th><th>Khen thưởng trước</th><th>Khen thưởng sau</th></tr></thead><tbody>
    {{#moves}}<tr{{#changed}} class="changed"{{/changed}}><td>{{name}}</td><td class="num">{{pointsBefore}}</td><td class="num">{{pointsAfter}}</td><td class="num">{{percentBefore}}</td><td class="num">{{percentAfter}}</td><td class="num">{{rankBefore}}</td><td class="num">{{rankAfter}}</td><td>{{bandBefore}}</td><td>{{bandAfter}}</td><td>{{awardsBefore}}</td><td>{{awardsAfter}}</td></tr>
    {{/moves}}</tbody></table></div>
    <p>{{summary}}</p>
    </article>

    """

    static let appeal = """
    <article class="appeal" id="appeal-{{id}}">
    <h3>Khiếu nại {{id}} · {{unitName}} ({{unit}}), mục {{item}} · <span class="{{stateClass}}">{{state}}</span></h3>
    <dl>
    <dt>Người nộp</dt><dd>{{filer}}</dd>
    <dt>Ngày nộp</dt><dd>{{filedAt}} (<a href="{{filedHref}}">#{{filedSeq}}</a>)</dd>
    <dt>Căn cứ</dt><dd>{{grounds}}</dd>
    <dt>Điểm bị khiếu nại</dt><dd>{{disputed}}</dd>
    <dt>Điểm đề nghị</dt><dd>{{requested}}</dd>
    {{#resolved}}<dt>Quyết định</dt><dd>{{outcome}}: {{decided}}, {{resolvedAt}} bởi {{resolver}} (<a href="{{resolvedHref}}">#{{resolvedSeq}}</a>)</dd>
    <dt>Lý do</dt><dd>{{reason}}</dd>{{/resolved}}
    </dl>
    {{#hasWhatIf}}<p><strong>Nếu được chấp nhận như đề nghị:</strong></p>
    <ul class="what-if">{{#whatIf}}<li>{{.}}</li>{{/whatIf}}</ul>{{/hasWhatIf}}
    {{#effect}}<p><strong>Tác động của quyết định:</strong> xem <a href="#impact-{{.}}">#{{.}}</a>.</p>{{/effect}}
    </article>

    """

    static let unit = """
    {{> head}}
    <h1>{{pageTitle}}</h1>
    <dl class="stats">
    <dt>Điểm</dt><dd>{{points}} / {{max}}</dd>
    <dt>Tỷ lệ</dt><dd>{{percent}}</dd>
    <dt>Hạng</dt><dd>{{rank}} / {{units}}</dd>
    <dt>Xếp loại</dt><dd><span class="band {{bandClass}}">{{band}}</span></dd>
    </dl>
    <div class="charts">{{#charts}}{{> chart}}{{/charts}}</div>
    <section>
    <h2>Điểm được tính thế nào</h2>
    {{#areas}}
    <details open class="area"><summary><strong>{{code}}. {{name}}</strong>: {{points}} / {{max}} ({{percent}})</summary>
    {{#criteria}}
    <details open class="criterion"><summary>{{code}}. {{name}}: {{points}} / {{max}}</summary>
    {{#items}}
    <div class="item" id="item-{{code}}"><p><strong>{{code}}</strong> {{name}}: <strong>{{value}}</strong> / {{max}} · {{status}}{{#amended}} · <span class="note">sửa sau công bố</span>{{/amended}}</p>
    {{#hasEvents}}<div class="scroll"><table class="events"><thead><tr><th>#</th><th>Thời điểm</th><th>Loại</th><th>Người thực hiện</th><th class="num">Giá trị</th><th>Ghi chú</th><th>Tác dụng</th></tr></thead><tbody>
    {{#events}}<tr id="seq-{{seq}}" class="{{cls}}"><td><a href="#seq-{{seq}}">#{{seq}}</a></td><td>{{at}}</td><td>{{type}}</td><td>{{by}}</td><td class="num">{{value}}</td><td>{{text}}</td><td>{{role}}{{#link}} <a href="{{href}}">{{label}}</a>{{/link}}</td></tr>
    {{/events}}</tbody></table></div>{{/hasEvents}}
    </div>
    {{/items}}
    </details>
    {{/criteria}}
    </details>
    {{/areas}}
    </section>
    {{> foot}}
    """

    static let style = """
    :root { --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --b0: #1a7f37; --b1: #7cc47f; --b2: #e3c84b; --b3: #f09a3e; --b4: #cf222e; }
    * { box-sizing: border-box; }
    body { font-family: "Noto Sans", "Segoe UI", Roboto, Arial, sans-serif; color: var(--ink); margin: 0; line-height: 1.45; }
    nav, footer { padding: .5rem 1rem; background: #f6f8fa; border-bottom: 1px solid var(--line); font-size: .9rem; }
    footer { border-top: 1px solid var(--line); border-bottom: 0; color: var(--muted); }
    main { max-width: 72rem; margin: 0 auto; padding: 0 1rem 2rem; }
    h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; border-bottom: 1px solid var(--line); } h3 { font-size: 1rem; }
    .scroll { overflow-x: auto; }
    table { border-collapse: collapse; margin: .5rem 0; font-size: .9rem; }
    th, td { border: 1px solid var(--line); padding: .25rem .5rem; vertical-align: top; text-align: left; }
    th { background: #f6f8fa; } .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
    tr.band-0 td:first-child { border-left: 6px solid var(--b0); } tr.band-1 td:first-child { border-left: 6px solid var(--b1); }
    tr.band-2 td:first-child { border-left: 6px solid var(--b2); } tr.band-3 td:first-child { border-left: 6px solid var(--b3); }
    tr.band-4 td:first-child { border-left: 6px solid var(--b4); }
    .band { padding: 0 .4rem; border-radius: .3rem; white-space: nowrap; }
    span.band-0 { background: var(--b0); color: #fff; } span.band-1 { background: var(--b1); } span.band-2 { background: var(--b2); }
    span.band-3 { background: var(--b3); } span.band-4 { background: var(--b4); color: #fff; }
    rect.band-0 { fill: var(--b0); } rect.band-1 { fill: var(--b1); } rect.band-2 { fill: var(--b2); } rect.band-3 { fill: var(--b3); } rect.band-4 { fill: var(--b4); }
    .flag { background: #fff8c5; border: 1px solid #d4a72c; padding: 0 .3rem; border-radius: .3rem; font-size: .85rem; }
    .note { color: var(--muted); font-size: .85rem; } .award { background: #ddf4ff; padding: 0 .3rem; border-radius: .3rem; font-size: .85rem; }
    .provisional { background: #fff8c5; padding: .5rem; border-left: 4px solid #d4a72c; }
    td.best { background: #dafbe1; font-weight: 600; } td.worst { background: #ffebe9; } span.best { background: #dafbe1; } span.worst { background: #ffebe9; }
    tr.changed td { background: #fff8c5; } tr.counts td { font-weight: 600; } tr.superseded td { color: var(--muted); }
    .meta { color: var(--muted); } code.hash { word-break: break-all; }
    dl.stats, section.head dl, article.appeal dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
    dt { font-weight: 600; } dd { margin: 0; }
    pre { background: #f6f8fa; padding: .5rem; overflow-x: auto; }
    .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(26rem, 1fr)); gap: 0 1.5rem; }
    figure.chart { margin: 1rem 0; max-width: 40rem; } figure.chart svg { width: 100%; height: auto; display: block; }
    figcaption { font-size: .85rem; color: var(--muted); }
    svg text { font-size: 14px; fill: var(--ink); } svg .axis { stroke: var(--ink); } svg .grid { stroke: var(--line); }
    svg .line { fill: none; stroke-width: 2.5; } svg .s0 { stroke: #0969da; fill: #0969da; } svg .s1 { stroke: #bf3989; fill: #bf3989; }
    svg rect.s0 { fill: #0969da; } svg rect.s1 { fill: #bf3989; } svg polyline.s0, svg polyline.s1 { fill: none; }
    svg .axis-title { font-weight: 600; } svg text.legend { font-size: 14px; }
    details.criterion { margin-left: 1rem; } .item { margin-left: 2rem; }
    :target { outline: 3px solid #0969da; }
    @media (max-width: 40rem) { main { padding: 0 .5rem 1rem; } th, td { padding: .2rem .3rem; } h1 { font-size: 1.25rem; } svg text { font-size: 20px; } svg text.legend { font-size: 15px; } .charts { display: block; } .item { margin-left: 0; } details.criterion { margin-left: .5rem; } }
    table.events { min-width: 44rem; } table.matrix { min-width: 40rem; }
    @media print {
      @page { size: A4; margin: 15mm 12mm; }
      nav { display: none; } body { font-size: 10pt; } main { max-width: none; padding: 0; }
      .scroll { overflow: visible; } table { font-size: 8.5pt; } table.events, table.matrix { min-width: 0; } .charts { display: block; } figure.chart { max-width: 16cm; break-inside: avoid; }
      tr, article { break-inside: avoid; } a { color: inherit; text-decoration: none; } .flag, .note, .award { font-size: inherit; }
      span.band, .flag, td.best, td.worst, tr.band-0 td, rect { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
    }

    """

    /// The templates, parsed once; names are the partials' names.
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        for (name, text) in [("head", head), ("foot", foot), ("chart", chart), ("impact", impact), ("appeal", appeal),
                             ("index", index), ("series", series), ("block", block), ("unit", unit)] {
            do { try library.register(text, named: name) } catch { preconditionFailure("report template \(name) does not parse: \(error)") }
        }
        return library
    }()

    static func render(_ name: String, _ context: [String: Any]) -> [UInt8] {
        Array((library.render(context, withTemplate: name) ?? "").utf8)
    }

    /// Every template's text, for the test that none writes a value unescaped.
    static let all = [head, foot, chart, index, series, block, impact, appeal, unit]
}
