"""Charts from data (issue #15): a figure whose image is charts/NAME.chart.yaml is drawn from
its data by Vega-Lite (vl-convert, in process), in the edition's language, font and number
format, with its data as a table under it; a spec is written from an allowlist, and every
slip or attack is an error at its file:line; the leak guard reads every word of a chart."""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader
from test_html_quality import check_html, tools  # noqa: F401  (a fixture)
from test_tables import built, structure, walk

from briefgen.content.yamlread import Document
from briefgen.edition import charts
from briefgen.publish.pdftext import pdf_surfaces

from conftest import run
from tiny import BODY_LINE, make_project, translation_yaml

CSV = "agreement,year,amount\nsma-9,2014,920000000000\nsma-10,2019,1038900000000\n" \
    "sma-11,2021,1183300000000\nsma-12,2026,1519200000000\n"

CHART = """data: sma.csv
formats:
  year: year
  amount: krw
text:
  agreement: Agreement
  year: First year
  amount: ROK contribution (KRW)
  sma-9: 9th SMA
  sma-10: 10th SMA
  sma-11: 11th SMA
  sma-12: 12th SMA
spec:
  width: 400
  height: 200
  layer:
    - mark: {type: bar, color: "#1b3a5c"}
      encoding:
        x: {field: agreement, type: nominal, axis: {labelAngle: 0}}
        y: {field: amount, type: quantitative}
    - mark: {type: text, dy: -6}
      encoding:
        x: {field: agreement, type: nominal}
        y: {field: amount, type: quantitative}
        text: {field: amount}
"""

ALT = "Bar chart of four first-year contributions, rising from 920.0 to 1,519.2 billion won"
FIGURE = f"""See [[@fig-sma]].

::: figure {{#fig-sma}}
Seoul's first-year contribution under four agreements

![{ALT}](charts/sma.chart.yaml)

Ministry of Foreign Affairs announcements.
:::
"""
KO_FIGURE = """[[@fig-sma]] 참조.

::: figure {#fig-sma}
네 협정의 첫해 한국 분담금

![막대그래프: 네 협정의 첫해 분담금](charts/sma.chart.yaml)

외교부 발표.
:::
"""
KO_WORDS = {"agreement": "협정", "year": "첫해", "amount": "한국 분담금(원)",
            "sma-9": "제9차", "sma-10": "제10차", "sma-11": "제11차", "sma-12": "제12차"}


def ko_units(words: dict[str, str], name: str = "sma") -> str:
    return "".join(f"  chart.{name}.{key}:\n    text: {json.dumps(text, ensure_ascii=False)}\n"
                   for key, text in words.items())


def chart_project(root: Path, chart: str = CHART, csv: str | None = CSV,
                  body: str = FIGURE, ko_body: str | None = KO_FIGURE) -> Path:
    make_project(root, body, ko_body)
    folder = root / "content/briefs/tiny/charts"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sma.chart.yaml").write_text(chart, encoding="utf-8")
    if csv is not None:
        (folder / "sma.csv").write_text(csv, encoding="utf-8")
    if ko_body is not None:
        (root / "content/briefs/tiny/translations/ko.yaml").write_text(
            translation_yaml(ko_body) + ko_units(KO_WORDS), encoding="utf-8")
    return root


def svg_texts(page: str) -> list[str]:
    drawing = page[page.index("<svg"):page.index("</svg>")]
    return re.findall(r"<text[^>]*>([^<]*)</text>", drawing)


def test_a_chart_is_a_numbered_figure_drawn_as_svg_with_its_data_as_a_table(tmp_path: Path
                                                                          ) -> None:
    root = chart_project(tmp_path)
    page = built(root)["pub/en/tiny-pub-en.html"].decode()
    assert 'See <a href="#fig-sma">Figure 1</a>.' in page
    figure = page[page.index('<figure class="figure" id="fig-sma">'):page.index("</figure>")]
    assert f'role="img" aria-label="{ALT}"><title>{ALT}</title>' in figure
    texts = svg_texts(figure)
    assert ["9th SMA", "10th SMA", "11th SMA", "12th SMA", "Agreement"] == texts[:5]
    ticks = texts[5:texts.index("ROK contribution (KRW)")]
    assert ticks[0] == "0" and ticks[-1] == "1,500 bn", ticks
    assert all(re.fullmatch(r"[1-9][0-9,]* bn", t) for t in ticks[1:]), ticks
    assert texts[-4:] == ["920 billion", "1,038.9 billion", "1,183.3 billion",
                          "1,519.2 billion"]
    assert 'font-family="&quot;Noto Sans&quot;,sans-serif"' in figure
    assert ('<details class="chart-data"><summary>The chart’s data</summary><table><thead><tr>'
            '<th scope="col">Agreement</th><th scope="col">First year</th>'
            '<th scope="col" class="align-right">ROK contribution (KRW)</th></tr></thead>'
            '<tbody><tr><td>9th SMA</td><td>2014</td><td class="align-right">920 billion</td>'
            '</tr>') in figure
    assert '<figcaption id="fig-sma-caption"><span class="caption-label">Figure 1</span> ' \
        "Seoul’s first-year contribution" in figure or "Seoul's first-year" in figure
    drawing = figure[figure.index("<svg"):figure.index("</svg>")]
    assert "<script" not in figure and "class=" not in drawing and "aria-roledescription" \
        not in drawing


def test_the_korean_edition_has_translated_words_and_korean_amounts(tmp_path: Path) -> None:
    root = chart_project(tmp_path)
    page = built(root)["pub/ko/tiny-pub-ko.html"].decode()
    figure = page[page.index('<figure class="figure" id="fig-sma">'):page.index("</figure>")]
    texts = svg_texts(figure)
    assert texts[:5] == ["제9차", "제10차", "제11차", "제12차", "협정"]
    ticks = texts[5:texts.index("한국 분담금(원)")]
    assert ticks[0] == "0" and "1조" in ticks and ticks[-1] == "1조 5,000억", ticks
    assert all(re.fullmatch(r"[1-9],?[0-9]{3}억|1조(?: [1-9],?[0-9]{3}억)?", t)
               for t in ticks[1:]), ticks
    assert texts[-4:] == ["9,200억", "1조 389억", "1조 1,833억", "1조 5,192억"]
    assert "bn" not in " ".join(texts) and "SMA" not in figure
    # the Latin face first, then Korean's; no spaces, which WeasyPrint's SVG text would keep
    assert 'font-family="&quot;Noto Sans&quot;,&quot;Noto Sans CJK KR&quot;,sans-serif"' \
        in figure
    assert ('<summary>차트 데이터</summary><table><thead><tr><th scope="col">협정</th>'
            '<th scope="col">첫해</th><th scope="col" class="align-right">한국 분담금(원)</th>'
            '</tr></thead><tbody><tr><td>제9차</td><td>2014</td>'
            '<td class="align-right">9,200억</td></tr><tr><td>제10차</td><td>2019</td>'
            '<td class="align-right">1조 389억</td></tr>') in figure


def draw(lang: str, words: dict[str, str], locale: str, font: str) -> str:
    doc = Document("content/briefs/tiny/charts/sma.chart.yaml", None)
    chart = charts.Chart("sma", doc, ["agreement", "amount"],
                         [{"agreement": "sma-9", "amount": 920e9},
                          {"agreement": "sma-12", "amount": 1519.2e9}],
                         {"agreement": "Agreement", "amount": "Amount", "sma-9": "9th",
                          "sma-12": "12th", "title": "Contributions"},
                         {"amount": "krw"},
                         {"title": "title", "mark": "bar",
                          "encoding": {"x": {"field": "agreement", "type": "nominal"},
                                       "y": {"field": "amount", "type": "quantitative"}}})
    texts = {charts.unit_id("sma", k): v for k, v in words.items()}
    return charts.draw(chart, charts.Edition(lang, "en", locale, font, texts, "D"), "A", "p-")


def test_the_chinese_edition_has_translated_words_and_amounts_in_yi() -> None:
    markup = draw("zh-Hans", {"agreement": "协定", "amount": "分担额", "sma-9": "第9份",
                              "sma-12": "第12份", "title": "韩方分担额"}, "zh_Hans_CN",
                  '"Noto Sans CJK SC", sans-serif')
    texts = svg_texts(markup)
    assert {"韩方分担额", "协定", "分担额", "第9份", "第12份", "2,000亿", "10,000亿",
            "16,000亿"} <= set(texts)
    assert "<td>第9份</td><td class=\"align-right\">9,200亿</td>" in markup
    assert "<td>第12份</td><td class=\"align-right\">15,192亿</td>" in markup
    assert 'font-family="&quot;Noto Sans CJK SC&quot;, sans-serif"' in markup


def test_drawing_is_deterministic_and_a_second_drawing_comes_from_the_cache() -> None:
    charts._svg.cache_clear()
    first = draw("en", {}, "en_US", "sans-serif")
    charts._svg.cache_clear()
    assert draw("en", {}, "en_US", "sans-serif") == first  # drawn again: the same bytes
    assert draw("en", {}, "en_US", "sans-serif") == first
    assert charts._svg.cache_info().hits == 1


def test_two_builds_give_identical_chart_bytes_in_html_and_pdf(tmp_path: Path) -> None:
    pages = []
    for n in (1, 2):
        charts._svg.cache_clear()  # each build draws its charts again
        root = chart_project(tmp_path / str(n))
        pages.append({**built(root), **built(root, "pdf")})
    assert pages[0].keys() == pages[1].keys() and len(pages[0]) == 6
    for name, data in pages[0].items():
        assert data == pages[1][name], name


def test_the_pdf_figure_has_the_alt_text_vector_text_and_the_data_table(tmp_path: Path
                                                                        ) -> None:
    root = chart_project(tmp_path)
    data = built(root, "pdf")["pub/ko/tiny-pub-ko.pdf"]
    reader = PdfReader(io.BytesIO(data))
    for page in reader.pages:
        xobjects = page["/Resources"].get("/XObject", {})
        assert not [x for x in xobjects.values()
                    if x.get_object().get("/Subtype") == "/Image"]  # vectors, not a raster
    alts = [str(node.get("/Alt")).replace("\u2060", "")  # words kept whole: joiners
            for node in walk(data) if node["/S"] == "/Figure"]
    assert alts == ["막대그래프: 네 협정의 첫해 분담금"]
    tags = structure(data)
    assert {"/Table", "/TH", "/TD", "/Caption"} <= set(tags)
    # the table is beside the Figure, not in it: a reader that gives a Figure's Alt in
    # place of its content still reads the data
    figure = next(node for node in walk(data) if node["/S"] == "/Figure")

    def inside(node: object) -> list[str]:
        node = node.get_object() if hasattr(node, "get_object") else node
        kids = node if isinstance(node, list) else \
            [node["/K"]] if isinstance(node, dict) and "/K" in node else []
        found = [str(node["/S"])] if isinstance(node, dict) and "/S" in node else []
        return found + [s for kid in kids for s in inside(kid)]

    assert "/Table" not in inside(figure.get("/K", []))
    block = figure["/P"].get_object()["/P"]  # the figure block: its media box, then the table
    assert "/Table" in inside(block)
    text = " ".join(pdf_surfaces(data).values())
    for words in ("1조 5,192억", "1조 5,000억", "한국 분담금(원)", "차트 데이터", "제12차"):
        assert words in text, words
    fonts = {str(f.get_object().get("/BaseFont")) for page in reader.pages
             for f in page["/Resources"].get("/Font", {}).values()}
    assert any("Noto-Sans-CJK-KR" in f for f in fonts), fonts


def test_translations_lists_a_charts_words_as_units_and_check_reports_them_untranslated(
        tmp_path: Path) -> None:
    root = chart_project(tmp_path)
    translation = root / "content/briefs/tiny/translations/ko.yaml"
    translation.write_text(translation_yaml(KO_FIGURE) + ko_units(
        {k: v for k, v in KO_WORDS.items() if k != "sma-12"}), encoding="utf-8")
    result = run("check", project=root)
    assert result.exit_code == 1
    assert ("content/briefs/tiny/charts/sma.chart.yaml:12:11: chart.sma.sma-12: not "
            "translated into ko (content/briefs/tiny/translations/ko.yaml)") in result.stderr
    result = run("translations", project=root)
    assert ("content/briefs/tiny/translations/ko.yaml: chart.sma.sma-12: warning: missing "
            "(source content/briefs/tiny/charts/sma.chart.yaml:12)\n") in result.stderr
    assert '  chart.sma.sma-12: missing\n  chart.sma.sma-12:\n    source_hash: "' \
        in result.stdout
    assert '    text: "12th SMA"\n' in result.stdout


# -- errors, each at its file:line -------------------------------------------------------------

C = "content/briefs/tiny/charts/sma.chart.yaml"
D = "content/briefs/tiny/charts/sma.csv"
B = "content/briefs/tiny/brief.yaml"
AT_CHART = f"{B}:{BODY_LINE + 5}:{len(ALT) + 11}: sections[main-text].body: "


def with_spec(spec: str) -> str:
    return CHART[:CHART.index("spec:")] + spec


ERRORS = {
    "not found": (dict(body=FIGURE.replace("sma.chart", "gone.chart")), AT_CHART,
                  "chart 'charts/gone.chart.yaml' "
                  "not found (looked for content/briefs/tiny/charts/gone.chart.yaml; paths are "
                  "relative to the brief's folder)"),
    "outside charts/": (dict(body=FIGURE.replace("charts/sma", "sma")), AT_CHART,
                        "chart 'sma.chart.yaml' is not in "
                        "the brief's charts/ folder (write it as charts/NAME.chart.yaml: its "
                        "name names its translation units)"),
    "name not an id": (dict(body=FIGURE.replace("charts/sma", "charts/SMA_1")), AT_CHART,
                       "chart 'charts/SMA_1.chart.yaml': a chart's name is lowercase letters and "
                       "digits joined by hyphens (it names the chart's translation units, "
                       "chart.NAME.KEY)"),
    "outside the brief": (dict(body=FIGURE.replace("charts/sma", "../charts/sma")), AT_CHART,
                          "chart "
                          "'../charts/sma.chart.yaml' is outside the brief's folder (keep "
                          "charts in the brief's charts/ folder)"),
    "csv outside": (dict(chart=CHART.replace("data: sma.csv", "data: ../../../x.csv")), "",
                    f"{C}:1:7: data: data file '../../../x.csv' is outside the brief's folder"),
    "csv missing": (dict(csv=None), "",
                    f"{C}:1:7: data: data file 'sma.csv' not found (paths are relative to the "
                    "chart file)"),
    "yaml": (dict(chart=CHART.replace("  year: year", "  year: [year")), "",
             f"{C}:4:9: YAML syntax error: expected ',' or ']', but got ':'"),
    "file key": (dict(chart=CHART.replace("formats:", "format:")), "",
                 f"{C}:2:1: format: unknown key 'format' in a chart file (did you mean "
                 "'formats'?)"),
    "spec key": (dict(chart=with_spec("spec:\n  mark: bar\n  encodig: {}\n")), "",
                 f"{C}:15:3: spec.encodig: 'encodig' is not allowed in a chart spec (spec) "
                 "(did you mean 'encoding'?)"),
    "ragged row": (dict(csv=CSV.replace("sma-10,2019,", "sma-10,2019,1,")), "",
                   f"{D}:3:1: this row has 4 cells; the header line has 3"),
    "broken quotes": (dict(csv=CSV.replace("sma-11,", 'sma-11,"20"21",')), "",
                      f"{D}:4:1: this line is not CSV: ',' expected after '\"' (put a cell "
                      "that holds a comma or a quote in double quotes, and double the quotes "
                      "inside it)"),
    "not a number": (dict(csv=CSV.replace("1183300000000", "n/a")), "",
                     f"{D}:4:1: 'n/a' in the column 'amount' is not a number, and the spec "
                     "draws it as a quantity"),
    "unknown field": (dict(chart=CHART.replace("y: {field: amount, type: quantitative}\n    -",
                                               "y: {field: amont, type: quantitative}\n    -")),
                      "", f"{C}:20:20: spec.layer.0.encoding.y.field: the field 'amont' is not "
                      "a column of the data (did you mean 'amount'?)"),
    "untranslatable category": (dict(csv=CSV.replace("sma-9,", "Ninth,")), "",
                                f"{D}:2:1: the category 'Ninth' of the column 'agreement' is "
                                "not under text:, so it could not be translated (write a key "
                                "in the data and its words under text: (e.g. ninth: Ninth))"),
    "untranslatable words in a column not drawn": (
        dict(csv=CSV.replace("agreement,year,", "agreement,year,note,").replace(
            "sma-9,2014,", "sma-9,2014,Signed in Seoul,").replace("2019,", "2019,x,").replace(
            "2021,", "2021,x,").replace("2026,", "2026,x,"),
             chart=CHART.replace("  year: First year\n", "  year: First year\n  note: Note\n"
                                 "  x: none\n")), "",
        f"{D}:2:1: the category 'Signed in Seoul' of the column 'note' is not under text:, so "
        "it could not be translated"),
    "a count without a title": (
        dict(chart=CHART.replace("        text: {field: amount}\n",
                                 "        text: {field: amount}\n        size: {aggregate: "
                                 "count, type: quantitative}\n")),
        "", f"{C}:26:9: spec.layer.1.encoding.size: the size channel counts rows but has no "
        "title: Vega-Lite would title it in English (give it title: KEY, a key under text:)"),
    "title not a key": (dict(chart=CHART.replace("  width: 400", "  title: Money\n  width: "
                                                 "400")),
                        "", f"{C}:14:10: spec.title: title is 'Money', which is not a key under "
                        "text: (a chart's words are written under text:, to be translated) "
                        "(add it under text:)"),
    "column without heading": (dict(chart=CHART.replace("  year: First year\n", "")), "",
                               f"{C}:5:1: text: the column 'year' has no heading under text: "
                               "(add 'year: …' under text: (it titles the axis and the data "
                               "table, in every language))"),
    "syntax in words": (dict(chart=CHART.replace("9th SMA", '"[[usfk]] 9th"')), "",
                        f"{C}:9:10: text.sma-9: text 'sma-9' holds '[[': a chart's words are "
                        "plain text (no terms, references or audience markers) (write the "
                        "words themselves; restrict the whole figure with '::: audience')"),
    "too many rows": (dict(csv="agreement,year,amount\n" + "sma-9,2014,1\n" * 1001), "",
                      f"{C}:1:7: data: data file 'sma.csv' has 1001 rows; a chart is limited "
                      "to 1000"),
    "too wide": (dict(chart=CHART.replace("width: 400", "width: 40000")), "",
                 f"{C}:14:10: spec.width: width is 40000; a chart is 20 to 1200 pixels"),
    "no alt": (dict(body=FIGURE.replace(ALT, "")), f"{B}:{BODY_LINE + 5}:11: "
               "sections[main-text].body: ",
               "chart 'charts/sma.chart.yaml' has no alt text; describe what it shows in ![…] "
               "for readers who cannot see it"),
    "outside a figure": (dict(body=f"Text\n\n![{ALT}](charts/sma.chart.yaml)\n"),
                         f"{B}:{BODY_LINE + 2}:{len(ALT) + 11}: sections[main-text].body: ",
                         "chart 'charts/sma.chart.yaml' must stand in a '::: figure {#fig-ID}' "
                         "block, after its caption"),
}


@pytest.mark.parametrize("name", ERRORS)
def test_every_chart_error_is_reported_at_its_file_and_line(tmp_path: Path, name: str) -> None:
    change, prefix, message = ERRORS[name]
    root = chart_project(tmp_path, ko_body=None, **change)  # type: ignore[arg-type]
    result = run("build", "--format", "html", project=root)
    assert result.exit_code == 1, result.stdout
    assert prefix + message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_a_symlink_chart_or_data_file_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.csv").write_text(CSV, encoding="utf-8")
    root = chart_project(tmp_path / "p", ko_body=None, csv=None)
    (root / "content/briefs/tiny/charts/sma.csv").symlink_to(outside / "x.csv")
    result = run("build", "--format", "html", project=root)
    assert result.exit_code == 1
    assert f"{C}:1:7: data: data file 'sma.csv' is a symbolic link" in result.stderr
    chart = root / "content/briefs/tiny/charts/sma.chart.yaml"
    (outside / "c.chart.yaml").write_text(CHART, encoding="utf-8")
    chart.unlink()
    chart.symlink_to(outside / "c.chart.yaml")
    result = run("build", "--format", "html", project=root)
    assert result.exit_code == 1
    assert AT_CHART + "chart 'charts/sma.chart.yaml' is a symbolic link (copy the chart " \
        "file into the brief's folder)" in result.stderr


def test_a_renderer_failure_is_an_error_never_a_traceback(monkeypatch: pytest.MonkeyPatch,
                                                           tmp_path: Path) -> None:
    import vl_convert

    def broken(*args: object, **kwargs: object) -> str:
        raise ValueError("Vega-Lite to SVG conversion failed:\nError: scale went wrong\n at x")

    charts._svg.cache_clear()
    monkeypatch.setattr(vl_convert, "vegalite_to_svg", broken)
    root = chart_project(tmp_path, ko_body=None)
    result = run("build", "--format", "html", project=root)
    charts._svg.cache_clear()
    assert result.exit_code == 1
    assert (AT_CHART + "chart 'charts/sma.chart.yaml' could not be drawn: Error: scale went "
            "wrong (check its spec against docs/editing.md#charts)") in result.stderr


# -- the spec allowlist: what could fetch, link, run or hide is refused at its line -----------

ATTACKS = {
    "data url": "spec:\n  data: {url: 'https://example.com/x.csv'}\n  mark: bar\n",
    "url in a layer": "spec:\n  layer:\n    - data: {url: /etc/passwd}\n      mark: bar\n",
    "href channel": "spec:\n  mark: bar\n  encoding:\n    href: {field: agreement}\n",
    "href in a mark": "spec:\n  mark: {type: bar, href: 'https://example.com'}\n",
    "image mark": "spec:\n  mark: image\n",
    "image mark type": "spec:\n  mark: {type: image, url: 'https://example.com/a.png'}\n",
    "url channel": "spec:\n  mark: point\n  encoding:\n    url: {value: 'https://x'}\n",
    "params with an expression": "spec:\n  mark: bar\n  params:\n    - name: p\n      expr: "
                                 "\"httpGet('https://example.com')\"\n",
    "signals": "spec:\n  mark: bar\n  signals: [{name: s, update: 'loader()'}]\n",
    "transform calculate": "spec:\n  mark: bar\n  transform:\n    - calculate: "
                           "\"'secret annex'\"\n      as: t\n",
    "labelExpr": "spec:\n  mark: bar\n  encoding:\n    x:\n      field: agreement\n      "
                 "axis: {labelExpr: \"'secret'\"}\n",
    "format expression": "spec:\n  mark: bar\n  encoding:\n    text: {field: amount, format: "
                         "'~s', formatType: 'x'}\n",
    "config loader": "spec:\n  mark: bar\n  config: {loader: {baseURL: 'https://example.com'}}\n",
    "usermeta": "spec:\n  mark: bar\n  usermeta: {embedOptions: {loader: {}}}\n",
    "datasets": "spec:\n  mark: bar\n  datasets: {d: [{a: 1}]}\n",
    "description": "spec:\n  mark: bar\n  description: hidden words\n",
    "schema elsewhere": "spec:\n  $schema: 'https://example.com/schema.json'\n  mark: bar\n",
    "css colour": "spec:\n  mark: {type: bar, color: 'url(https://x)'}\n",
    "scheme expression": "spec:\n  mark: bar\n  encoding:\n    color: {field: agreement, "
                         "scale: {scheme: {signal: 'x'}}}\n",
    "title object": "spec:\n  mark: bar\n  title: {text: amount, href: 'https://x'}\n",
    "a tooltip with an expression": "spec:\n  mark: {type: bar, tooltip: {content: data}}\n",
}


@pytest.mark.parametrize("name", ATTACKS)
def test_spec_attacks_are_refused_at_their_line(tmp_path: Path, name: str) -> None:
    from briefgen.content.yamlread import _parse

    text = with_spec(ATTACKS[name])
    doc = _parse(text.encode(), C)
    (tmp_path / "charts").mkdir()
    (tmp_path / "charts/sma.csv").write_text(CSV, encoding="utf-8")
    with pytest.raises(charts.Refused) as caught:
        charts.check(doc, "sma", tmp_path / "charts", tmp_path)
    problems = caught.value.problems
    assert problems and {p.code for p in problems} <= {"BG262", "BG264"}, problems
    spec_line = text.splitlines().index("spec:") + 1
    assert all(p.path == C and p.line > spec_line for p in problems), problems


def test_huge_data_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = "agreement,year,amount\n" + "sma-9,2014,1\n" * 30_000
    root = chart_project(tmp_path, ko_body=None, csv=big)
    result = run("build", "--format", "html", project=root)
    assert result.exit_code == 1
    assert f"{C}:1:7: data: data file 'sma.csv' is larger than 256 KB" in result.stderr
    rows = "".join(f"  - {{agreement: sma-9, year: 2014, amount: {n}}}\n" for n in range(1001))
    chart = CHART.replace("data: sma.csv\n", "values:\n" + rows)
    root = chart_project(tmp_path / "b", chart=chart, ko_body=None, csv=None)
    result = run("build", "--format", "html", project=root)
    assert result.exit_code == 1
    assert f"{C}:1:1: values: the data has 1001 rows; a chart is limited to 1000\n" \
        "briefgen: 1 error in 1 file" in result.stderr


# -- the leak guard reads every word of a chart ------------------------------------------------

LEAKS = {
    "chart title": CHART.replace("  width: 400", "  title: agreement\n  width: 400").replace(
        "agreement: Agreement", "agreement: The secret annex"),
    "axis label": CHART.replace("ROK contribution (KRW)", "Secret annex (KRW)"),
    "data category": CHART.replace("10th SMA", "10th secret annex"),
    "tooltip": CHART.replace("        text: {field: amount}\n",
                             "        text: {field: amount}\n        tooltip: "
                             "[{field: note, type: nominal}]\n").replace(
        "  year: First year\n", "  year: First year\n  note: Note\n  n1: in the secret annex\n"
        "  n2: none\n"),
}


@pytest.mark.parametrize("name", LEAKS)
def test_a_forbidden_phrase_in_a_chart_is_caught_by_check_and_build(tmp_path: Path, name: str
                                                                    ) -> None:
    csv = CSV
    if name == "tooltip":
        csv = "agreement,year,amount,note\n" + "".join(
            line + (",n1\n" if i == 1 else ",n2\n")
            for i, line in enumerate(CSV.splitlines()[1:], 1))
    root = chart_project(tmp_path, chart=LEAKS[name], csv=csv, ko_body=None)
    line = {"chart title": 6, "axis label": 8, "data category": 10, "tooltip": 9}[name]
    for command in (("check",), ("build", "--format", "html")):
        result = run(*command, project=root)
        assert result.exit_code == 1, (command, result.stdout)
        assert (f"{C}:{line}:1: forbidden phrase 'secret annex' for audience pub appears in "
                "tiny/pub/en/tiny-pub-en.html (HTML)") in result.stderr, result.stderr
    assert not (root / "build/tiny/pub").exists()
    page = (root / "build").exists() and list((root / "build").rglob("*.html"))
    assert not page


def test_the_chart_and_its_data_table_pass_nu_and_axe(tools: tuple[Path, Path],  # noqa: F811
                                                      tmp_path: Path) -> None:
    root = chart_project(tmp_path)
    result = run("build", "--format", "html", project=root)
    assert result.exit_code == 0, result.stderr
    report = check_html.check([root / "build"], vnu_jar=tools[1], axe_js=tools[0])
    assert not report.errors, "\n".join(f.format() for f in report.errors)


def test_the_shipped_brief_has_the_sma_chart_in_all_five_editions(tmp_path: Path) -> None:
    from conftest import TESTS

    root = tmp_path / "p"
    shutil.copytree(TESTS.parent / "content", root / "content")
    result = run("build", "--format", "html", project=root)
    assert result.exit_code == 0, result.stderr
    pages = sorted((root / "build/rok-us-alliance-modernization").rglob("*.html"))
    assert len(pages) == 5
    want = {"en": "1,519.2 billion", "ko": "1조 5,192억", "zh-Hans": "15,192亿"}
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert '<figure class="figure" id="fig-sma">' in text, page
        assert want[page.parent.name] in svg_texts(text[text.index('id="fig-sma"'):]), page


def test_the_chart_schema_accepts_the_shipped_chart_and_refuses_the_attacks() -> None:
    import jsonschema
    from ruamel.yaml import YAML

    from conftest import TESTS

    repo = TESTS.parent
    schema = json.loads((repo / "schema/chart.schema.json").read_text(encoding="utf-8"))
    assert schema == charts.json_schema()
    validator = jsonschema.Draft202012Validator(schema)
    yaml = YAML(typ="safe")
    shipped = sorted(repo.glob("content/briefs/*/charts/*.chart.yaml"))
    assert shipped
    for path in shipped:
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# yaml-language-server: $schema=../../../../schema/"
                               "chart.schema.json\n")
        assert not list(validator.iter_errors(yaml.load(text))), path
    assert not list(validator.iter_errors(yaml.load(CHART)))
    for name, spec in ATTACKS.items():
        assert list(validator.iter_errors(yaml.load(with_spec(spec)))), name


def test_new_brief_starts_with_a_small_chart_that_builds(tmp_path: Path) -> None:
    root = make_project(tmp_path, "Text.\n")
    assert run("new", "brief", "energy-outlook", project=root).exit_code == 0
    assert (root / "content/briefs/energy-outlook/charts/trend.chart.yaml").is_file()
    result = run("build", "--format", "html", project=root)
    assert result.exit_code == 0, result.stderr
    page = (root / "build/energy-outlook/officials/en/energy-outlook-officials-en.html"
            ).read_text(encoding="utf-8")
    figure = page[page.index('<figure class="figure" id="fig-trend">'):]
    assert svg_texts(figure)[:3] == ["2024", "2025", "2026"]
    assert '<th scope="col">Year</th><th scope="col" class="align-right">Value</th>' in figure


@pytest.mark.parametrize("value, ko, zh, en", [
    (920e9, "9,200억", "9,200亿", "920 billion"),
    (1038.9e9, "1조 389억", "10,389亿", "1,038.9 billion"),
    (1183.3e9, "1조 1,833억", "11,833亿", "1,183.3 billion"),
    (2e12, "2조", "20,000亿", "2,000 billion"),
    (3e8, "3억", "3亿", "300,000,000"),
    (0, "0", "0", "0"),
    (-5e11, "-5,000억", "-5,000亿", "-500 billion"),
])
def test_krw_amounts_read_as_each_language_writes_them(value: float, ko: str, zh: str,
                                                       en: str) -> None:
    assert charts.krw(value, "ko", "ko_KR") == ko
    assert charts.krw(value, "zh-Hans", "zh_Hans_CN") == zh
    assert charts.krw(value, "en", "en_US") == en


def test_charts_count_toward_the_editions_image_bytes(monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    from briefgen.edition import markdown

    monkeypatch.setattr(markdown, "MAX_EDITION_IMAGE_BYTES", 2_000)
    root = chart_project(tmp_path, ko_body=None)
    result = run("build", "--format", "html", project=root)
    assert result.exit_code == 1
    assert AT_CHART + "chart 'charts/sma.chart.yaml' takes the images of this edition over " \
        "0 MB (each use of a chart embeds it again: use fewer or smaller charts)" \
        in result.stderr


# -- attacks on drawing: what would abort, exhaust or fool the renderer is refused at its line --

def with_y(settings: str) -> str:
    """CHART with the bar layer's y channel given settings (e.g. axis: {tickCount: 5})."""
    bar = "        y: {field: amount, type: quantitative%s}\n    - mark: {type: text"
    return CHART.replace(bar % "", bar % f", {settings}")


def values_chart(row: str) -> str:
    """CHART with one row of inline values: in place of its CSV file."""
    return CHART.replace("data: sma.csv\n", f"values:\n  - {row}\n")


PRINTABLE = ("(delete it: a chart's data and words are printable text: a control or bidi "
             "character cannot be drawn, or reorders the words drawn)")
CATEGORY = "is not under text:, so it could not be translated"
RANGE_ATTACKS = {
    # characters vl-convert aborts the whole process on (not XML 1.0), and bidi controls
    "nul in a cell": (dict(csv=CSV.replace("sma-10,", "1\x002,")),
                      f"{D}:3:1: the cell '1\\x002' of the column 'agreement' holds a control "
                      f"character (U+0000) {PRINTABLE}", "BG268"),
    "escape in a cell": (dict(csv=CSV.replace("sma-10,", "1\x1b2,")),
                         f"{D}:3:1: the cell '1\\x1b2' of the column 'agreement' holds a "
                         f"control character (U+001B) {PRINTABLE}", "BG268"),
    "U+FFFE in a cell": (dict(csv=CSV.replace("sma-10,", "1\ufffe2,")),
                         f"{D}:3:1: the cell '1\ufffe2' of the column 'agreement' holds a "
                         f"character XML does not allow (U+FFFE) {PRINTABLE}", "BG268"),
    "C1 control in a cell": (dict(csv=CSV.replace("sma-10,", "1\x852,")),
                             f"{D}:3:1: the cell '1\\x852' of the column 'agreement' holds a "
                             f"control character (U+0085) {PRINTABLE}", "BG268"),
    "bidi control in a cell": (dict(csv=CSV.replace("sma-10,", "\u202e12-34,")),
                               f"{D}:3:1: the cell '\\u202e12-34' of the column 'agreement' "
                               f"holds a bidi control (U+202E) {PRINTABLE}", "BG268"),
    "nul in values": (dict(chart=values_chart('{agreement: "1\\0", year: 2014, amount: 5}'),
                           csv=None),
                      f"{C}:2:17: values.0.agreement: the cell '1\\x00' of the column "
                      f"'agreement' holds a control character (U+0000) {PRINTABLE}", "BG268"),
    "lone surrogate in values": (dict(chart=values_chart('{agreement: "\\uD800", year: 2014, '
                                                         'amount: 5}'), csv=None),
                                 f"{C}:2:17: values.0.agreement: the cell '\\ud800' of the "
                                 "column 'agreement' holds a character XML does not allow "
                                 f"(U+D800) {PRINTABLE}", "BG268"),
    "control in a text: entry": (dict(chart=CHART.replace("  agreement: Agreement",
                                                          '  agreement: "Agree\\x01ment"')),
                                 f"{C}:6:14: text.agreement: text 'agreement' holds a control "
                                 f"character (U+0001) {PRINTABLE}", "BG268"),
    "bidi control in a text: entry": (dict(chart=CHART.replace("9th SMA", '"9th\\u2067SMA"')),
                                      f"{C}:9:10: text.sma-9: text 'sma-9' holds a bidi "
                                      f"control (U+2067) {PRINTABLE}", "BG268"),
    # numbers Vega loops over or draws at: bounded per key
    "a million ticks": (dict(chart=with_y("axis: {tickCount: 1000000, labels: false}")),
                        f"{C}:20:66: spec.layer.0.encoding.y.axis.tickCount: "
                        "layer.0.encoding.y.axis.tickCount is 1000000; it is 0 to 50 here",
                        "BG265"),
    "padding 1e300": (dict(chart=with_y("axis: {labelPadding: 1e300}")),
                      f"{C}:20:69: spec.layer.0.encoding.y.axis.labelPadding: "
                      "layer.0.encoding.y.axis.labelPadding is 1e+300; it is -500 to 500 here",
                      "BG265"),
    "font size 1e9": (dict(chart=with_y("axis: {labelFontSize: 1e9}")),
                      f"{C}:20:70: spec.layer.0.encoding.y.axis.labelFontSize: "
                      "layer.0.encoding.y.axis.labelFontSize is 1e+09; it is 4 to 72 here",
                      "BG265"),
    "a 400-digit width": (dict(chart=CHART.replace("width: 400", "width: " + "9" * 400)),
                          f"{C}:14:10: spec.width: width is 999999999999… (400 digits); a "
                          "chart is 20 to 1200 pixels", "BG265"),
    "a 400-digit domain": (dict(chart=with_y("scale: {domain: [0, %s]}" % ("9" * 400))),
                           f"{C}:20:68: spec.layer.0.encoding.y.scale.domain.1: "
                           "layer.0.encoding.y.scale.domain.1 is 999999999999… (400 digits); "
                           "it is -1e+15 to 1e+15 here", "BG265"),
    # numbers in the data: finite, at most 10^15, a cell at most 100 characters
    "a 400-digit amount": (dict(csv=CSV.replace("920000000000", "9" * 400)),
                           f"{D}:2:1: a cell of the column 'amount' is 400 characters long; a "
                           "cell is at most 100 (a cell is a number or a key under text:, whose "
                           "words may be longer)", "BG265"),
    "a 5000-digit amount": (dict(csv=CSV.replace("920000000000", "9" * 5000)),
                            f"{D}:2:1: a cell of the column 'amount' is 5000 characters long",
                            "BG265"),
    "1e999 won": (dict(csv=CSV.replace("920000000000", "1e999")),
                  f"{D}:2:1: '1e999' in the column 'amount' is not a number a chart can draw: "
                  "its numbers are finite and at most 10^15 in size", "BG263"),
    "1e999 as a year": (dict(csv=CSV.replace("2014", "1e999")),
                        f"{D}:2:1: '1e999' in the column 'year' is not a number a chart can "
                        "draw", "BG263"),
    "1e16 won": (dict(csv=CSV.replace("920000000000", "10000000000000000")),
                 f"{D}:2:1: '10000000000000000' in the column 'amount' is not a number a chart "
                 "can draw", "BG263"),
    "a huge number in values": (dict(chart=values_chart("{agreement: sma-9, year: 2014, "
                                                        "amount: %s}" % ("9" * 30)), csv=None),
                                f"{C}:2:44: values.0.amount: '999999999999… (30 digits)' in "
                                "the column 'amount' is not a number a chart can draw",
                                "BG263"),
    "infinity in values": (dict(chart=values_chart("{agreement: sma-9, year: .inf, amount: 5}"),
                                csv=None),
                           f"{C}:2:30: values.0.year: 'inf' in the column 'year' is not a "
                           "number a chart can draw", "BG263"),
    # letters that are not letters to \w are words all the same
    "negative squared letters": (dict(csv=CSV.replace("sma-10,", "🆂🅴🅲🆁🅴🆃 🅰🅽🅽🅴🆇,")),
                                 f"{D}:3:1: the category '🆂🅴🅲🆁🅴🆃 🅰🅽🅽🅴🆇' of the column "
                                 f"'agreement' {CATEGORY}", "BG264"),
    "regional indicators": (dict(csv=CSV.replace("sma-10,", "🇸🇪🇨🇷🇪🇹,")),
                            f"{D}:3:1: the category '🇸🇪🇨🇷🇪🇹' of the column 'agreement' "
                            f"{CATEGORY}", "BG264"),
    "parenthesized letters": (dict(csv=CSV.replace("sma-10,", "⒮⒠⒞⒭⒠⒯,")),
                              f"{D}:3:1: the category '⒮⒠⒞⒭⒠⒯' of the column 'agreement' "
                              f"{CATEGORY}", "BG264"),
    "a symbol": (dict(csv=CSV.replace("sma-10,", "★,")),
                 f"{D}:3:1: the category '★' of the column 'agreement' {CATEGORY}", "BG264"),
    # a text or tooltip value is words: a key under text:, translated
    "a free word as a text value": (
        dict(chart=CHART.replace("text: {field: amount}", "text: {value: secretannex}")),
        f"{C}:25:23: spec.layer.1.encoding.text.value: layer.1.encoding.text.value is "
        "'secretannex', which is not a key under text: (a chart's words are written under "
        "text:, to be translated) (add it under text:)", "BG264"),
    "a free word as a tooltip value": (
        dict(chart=CHART.replace("text: {field: amount}",
                                 "text: {field: amount}\n        tooltip: {value: hello}")),
        f"{C}:26:26: spec.layer.1.encoding.tooltip.value: layer.1.encoding.tooltip.value is "
        "'hello', which is not a key under text:", "BG264"),
    "a colour word as a text value": (
        dict(chart=CHART.replace("text: {field: amount}", "text: {value: red}")),
        f"{C}:25:23: spec.layer.1.encoding.text.value: layer.1.encoding.text.value is 'red', "
        "which is not a key under text:", "BG264"),
    "a word as a shape": (
        dict(chart=CHART.replace("text: {field: amount}",
                                 "text: {field: amount}\n        shape: {value: secret}")),
        f"{C}:26:24: spec.layer.1.encoding.shape.value: layer.1.encoding.shape.value is "
        "'secret', which a chart spec does not allow here", "BG262"),
    # Vega-Lite reads a '.' (or brackets) in a field as a path into nested data
    "a dot in a column name": (dict(csv=CSV.replace("year,amount", "year,amount.total")),
                               f"{D}:1:1: the header line names the columns agreement, year, "
                               "amount.total: each must be a key (letters, digits, '-', '_') "
                               "and appear once", "BG263"),
    "brackets in a column name": (dict(csv=CSV.replace("year,amount", "year,amount[0]")),
                                  f"{D}:1:1: the header line names the columns agreement, year, "
                                  "amount[0]: each must be a key", "BG263"),
    "a dot in a values column": (dict(chart=values_chart("{agreement: sma-9, year: 2014, "
                                                         "constructor.name: 5}"), csv=None),
                                 f"{C}:2:5: values.0: the columns are named agreement, year, "
                                 "constructor.name: each must be a key (letters, digits, '-', "
                                 "'_')", "BG263"),
}


@pytest.mark.parametrize("name", RANGE_ATTACKS)
def test_what_would_abort_or_fool_the_renderer_is_refused_at_its_line(tmp_path: Path,
                                                                        name: str) -> None:
    change, message, code = RANGE_ATTACKS[name]
    root = chart_project(tmp_path, ko_body=None, **change)  # type: ignore[arg-type]
    result = run("build", "--format", "html", project=root)
    assert result.exit_code == 1, result.stdout
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert not (root / "build").exists() or not list((root / "build").rglob("*.html"))
    result = run("build", "--format", "html", "--output-format", "json", project=root)
    problems = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    where = message.split(": ", 1)[0]
    assert [p["code"] for p in problems
            if f"{p['path']}:{p['line']}:{p['col']}" == where] == [code], problems


def test_a_control_character_in_a_charts_translation_is_refused_at_its_line(tmp_path: Path
                                                                          ) -> None:
    root = chart_project(tmp_path)
    translation = root / "content/briefs/tiny/translations/ko.yaml"
    translation.write_text(translation_yaml(KO_FIGURE) + ko_units(
        KO_WORDS | {"sma-10": "제10\x00차"}), encoding="utf-8")
    line = translation.read_text(encoding="utf-8").splitlines().index(
        "  chart.sma.sma-10:") + 2
    result = run("build", "--format", "html", project=root)
    assert result.exit_code == 1, result.stdout
    assert (f"content/briefs/tiny/translations/ko.yaml:{line}:1: chart.sma.sma-10: the "
            "translation of chart.sma.sma-10 holds a control character (U+0000) "
            f"{PRINTABLE}") in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert not (root / "build").exists() or not list((root / "build").rglob("*.html"))


def test_a_text_value_names_a_key_and_is_drawn_in_the_editions_words(tmp_path: Path) -> None:
    chart = CHART.replace("text: {field: amount}", "text: {value: note}").replace(
        "  year: First year\n", "  year: First year\n  note: Announced\n")
    root = chart_project(tmp_path, chart=chart)
    translation = root / "content/briefs/tiny/translations/ko.yaml"
    translation.write_text(translation_yaml(KO_FIGURE) + ko_units(
        KO_WORDS | {"note": "발표액"}), encoding="utf-8")
    pages = built(root)
    en = svg_texts(pages["pub/en/tiny-pub-en.html"].decode())
    ko = svg_texts(pages["pub/ko/tiny-pub-ko.html"].decode())
    assert en[-4:] == ["Announced"] * 4 and ko[-4:] == ["발표액"] * 4


def test_labels_vega_hides_where_they_overlap_are_left_out_of_the_drawing(tmp_path: Path
                                                                        ) -> None:
    # 40 pixels high with ten ticks: Vega hides the labels that would overlap (opacity 0),
    # which the SVG sanitiser would refuse as hidden text; no one sees them, so they go
    chart = with_y("axis: {tickCount: 10}").replace("height: 200", "height: 40")
    root = chart_project(tmp_path, chart=chart, ko_body=None)
    result = run("build", "--format", "html", project=root)
    assert result.exit_code == 0, result.stderr
    page = (root / "build/tiny/pub/en/tiny-pub-en.html").read_text(encoding="utf-8")
    drawing = page[page.index("<svg"):page.index("</svg>")]
    assert 'opacity="0"' not in drawing
    ticks = svg_texts(page)[5:svg_texts(page).index("ROK contribution (KRW)")]
    assert ticks[0] == "0" and 2 <= len(ticks) < 10, ticks  # some labels shown, not all
    charts._svg.cache_clear()
    markup = charts._svg(json.dumps(charts.localised(charts.read(
        "charts/sma.chart.yaml", root / "content/briefs/tiny", root / "content"),
        charts.Edition("en", "en", "en_US", "sans-serif")), sort_keys=True),
        json.dumps({"aria": False}), "en-US")
    assert 'opacity="0"' in markup  # what was taken out: Vega's hidden labels


def test_a_drawing_larger_than_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:
    monkeypatch.setattr(charts, "MAX_DRAWING", 300)
    root = chart_project(tmp_path, ko_body=None)
    result = run("build", "--format", "html", project=root)
    assert result.exit_code == 1
    assert re.search(re.escape(AT_CHART) + r"chart 'charts/sma\.chart\.yaml' is drawn "
                     r"[0-9]+ by [0-9]+ pixels; a chart's drawing is at most 300 by 300 \(make "
                     r"its spec's width, height, paddings, font sizes or label limits "
                     r"smaller\)", result.stderr), result.stderr
    assert "Traceback" not in result.stderr


def test_every_number_of_the_allowlist_is_bounded() -> None:
    found: list[object] = []

    def walk(rule: object) -> None:
        if isinstance(rule, tuple):
            for r in rule:
                walk(r)
        elif isinstance(rule, dict):
            for r in rule.values():
                walk(r)
        elif isinstance(rule, charts._List):
            walk(rule.item)
        else:
            found.append(rule)

    walk(charts.SPEC)
    assert not [r for r in found if isinstance(r, charts._Kind) and r.name == "number"]
    numbers = [r for r in found if isinstance(r, charts._Num)]
    assert numbers and all(abs(r.lo) <= 1e15 and abs(r.hi) <= 1e15 for r in numbers)
    assert charts._CHANNEL_OF["text"]["value"] is charts._TEXT
    assert charts._CHANNEL_OF["tooltip"]["value"] is charts._TEXT


def test_the_drawing_size_is_read_whatever_the_order_of_the_roots_attributes() -> None:
    """The size check read width before height only: a renderer writing them the other way
    round would have every chart refused as drawn 0 by 0."""
    from briefgen.edition.charts import _ROOT, _SIDE
    for tag, sides in (('<svg height="300" width="143" viewBox="0 0 1 1">', ("143", "300")),
                       ('<svg xmlns="x" width="1e+300" height="5">', ("1e+300", "5"))):
        found = dict(_SIDE.findall(_ROOT.search(tag + "<text>x</text></svg>").group(0)))  # type: ignore[union-attr]
        assert (found["width"], found["height"]) == sides
