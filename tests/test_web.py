"""On the web (#17): each page's JSON-LD, citation_*, OpenGraph and hreflang links, each
audience's Atom feed and sitemap, the PDF's XMP, and the audience's base_url."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pikepdf
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from lxml import etree

from briefgen.build.indexes import audience_indexes, check_indexes
from briefgen.build.manifest import ManifestEntry
from briefgen.build.run import Options, Rendered, Selection, build, plan
from briefgen.content.project import load_project
from briefgen.errors import BriefError, Problems, printable
from briefgen.publish import pdfua
from briefgen.publish.pdfua import HEURISTIC
from tests.tiny import make_project

REPO = Path(__file__).resolve().parent.parent
SLUG = "rok-us-alliance-modernization"
BASE = "https://briefs.example.org/"


class _Head(HTMLParser):
    """The <link>, <meta> and JSON-LD of a page, and its language switcher's links."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict[str, str]] = []
        self.meta: list[tuple[str, str]] = []
        self.json_ld: list[str] = []
        self.switcher: list[dict[str, str]] = []
        self._ld = False
        self._in_languages = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "link":
            self.links.append(a)
        elif tag == "meta" and "content" in a:
            self.meta.append((a.get("name") or a.get("property", ""), a["content"]))
        elif tag == "script" and a.get("type") == "application/ld+json":
            self._ld = True
        elif tag == "ul" and a.get("class") == "languages":
            self._in_languages = True
        elif tag == "a" and self._in_languages:
            self.switcher.append(a)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._ld = False
        elif tag == "ul":
            self._in_languages = False

    def handle_data(self, data: str) -> None:
        if self._ld:
            self.json_ld.append(data)


def head(page: str) -> _Head:
    parser = _Head()
    parser.feed(page)
    return parser


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    """Every shipped edition's published page (a build's plan with HTML and PDF), by path."""
    project = load_project(REPO)
    jobs = plan(project, Selection(), Problems())
    return {j.path: j.source for j in jobs if isinstance(j, Rendered) and j.format == "html"}


def test_every_shipped_page_has_a_schema_org_report(pages: dict[str, str]) -> None:
    assert len(pages) == 5
    for path, page in pages.items():
        (ld,) = head(page).json_ld
        data = json.loads(ld)
        audience = path.split("/")[1]
        assert data["@context"] == "https://schema.org" and data["@type"] == "Report"
        assert [a["@type"] for a in data["author"]] == ["Person"]
        assert data["author"][0]["affiliation"]["@type"] == "Organization"
        assert data["publisher"] == {"@type": "Organization",
                                     "name": "Institute for National Security Strategy (INSS)"}
        assert data["reportNumber"] == "2026-07" and data["datePublished"] == "2026-11-26"
        assert data["isPartOf"]["@type"] == "CreativeWorkSeries"
        assert "version" not in data  # no release declares one yet
        if audience == "us-government":  # no base_url: no absolute URL
            assert "url" not in data and "encoding" not in data
        else:
            assert data["url"] == BASE + path
            assert data["encoding"]["contentUrl"] == BASE + path.replace(".html", ".pdf")


def test_one_pages_meta_tags_have_exact_values(pages: dict[str, str]) -> None:
    path = f"{SLUG}/rok-public/ko/{SLUG}-rok-public-ko.html"
    h = head(pages[path])
    meta = dict(h.meta)
    title = "더 강하고 대등한 동반자 관계: 한미동맹 비전 업그레이드"
    assert [c for n, c in h.meta if n == "citation_author"] == ["이성훈"]
    assert {k: meta[k] for k in (
        "citation_title", "citation_publication_date", "citation_technical_report_institution",
        "citation_technical_report_number", "citation_pdf_url", "citation_language",
        "og:title", "og:type", "og:locale", "og:locale:alternate", "og:url", "twitter:card",
        "twitter:title")} == {
        "citation_title": title, "citation_publication_date": "2026/11/26",
        "citation_technical_report_institution":
            "Institute for National Security Strategy (INSS)",
        "citation_technical_report_number": "2026-07",
        "citation_pdf_url": f"{BASE}{SLUG}/rok-public/ko/{SLUG}-rok-public-ko.pdf",
        "citation_language": "ko", "og:title": title, "og:type": "article",
        "og:locale": "ko_KR", "og:locale:alternate": "en_US", "og:url": BASE + path,
        "twitter:card": "summary", "twitter:title": title}
    assert meta["og:description"].startswith("한국과 미국은 동맹의 작동 방식을")
    assert [x["href"] for x in h.links if x.get("rel") == "canonical"] == [BASE + path]
    assert h.switcher == [{"href": f"{BASE}{SLUG}/rok-public/en/{SLUG}-rok-public-en.html",
                           "hreflang": "en-US", "lang": "en-US"}]
    assert 'lang="ko">한국어</span>' in pages[path] and ">English</a>" in pages[path]


def test_without_a_base_url_nothing_absolute_is_invented(pages: dict[str, str]) -> None:
    page = pages[f"{SLUG}/us-government/en/{SLUG}-us-government-en.html"]
    h = head(page)
    names = {n for n, _ in h.meta}
    assert not {"og:url", "citation_pdf_url"} & names
    assert not [x for x in h.links if x.get("rel") == "canonical"]
    assert {x["hreflang"]: x["href"] for x in h.links if x.get("rel") == "alternate"} == {
        "en-US": f"{SLUG}-us-government-en.html", "x-default": f"{SLUG}-us-government-en.html"}
    assert h.switcher == []  # one language: nothing to switch to


def test_hreflang_alternates_are_reciprocal_with_x_default(pages: dict[str, str]) -> None:
    by_audience: dict[str, dict[str, dict[str, str]]] = {}
    for path, page in pages.items():
        links = {x["hreflang"]: x["href"] for x in head(page).links
                 if x.get("rel") == "alternate" and "hreflang" in x}
        by_audience.setdefault(path.split("/")[1], {})[path] = links
    assert sorted(by_audience) == ["beijing-outreach", "rok-public", "us-government"]
    for audience, editions in by_audience.items():
        first_lang = {"beijing-outreach": "zh-Hans", "rok-public": "ko",
                      "us-government": "en"}[audience]
        for path, links in editions.items():
            base = BASE if audience != "us-government" else ""
            assert base + path in links.values() or path.rsplit("/", 1)[1] in links.values()
            assert links["x-default"].endswith(f"-{first_lang}.html")
            for lang, href in links.items():
                if lang == "x-default":
                    continue
                other = next(p for p in editions if href.endswith(p.rsplit("/", 1)[1]))
                back = editions[other]
                assert any(h.endswith(path.rsplit("/", 1)[1]) for h in back.values()), \
                    (path, other)
                assert len(links) == len(editions) + 1


def test_feeds_parse_and_list_only_their_audiences_editions(shipped_build: Path) -> None:
    for audience, langs in (("rok-public", ["ko", "en"]), ("beijing-outreach", ["zh-Hans", "en"]),
                            ("us-government", ["en"])):
        feed = feedparser.parse((shipped_build / audience / "feed.xml").read_bytes())
        assert not feed.bozo, feed.bozo_exception
        assert feed.feed.title.endswith(
            {"rok-public": "ROK public", "beijing-outreach": "Beijing outreach",
             "us-government": "U.S. Government"}[audience])
        paths = sorted(e.link.split(f"{SLUG}/", 1)[1] for e in feed.entries)
        assert paths == sorted(f"{audience}/{lang}/{SLUG}-{audience}-{lang}.html"
                               for lang in langs)
        for e in feed.entries:
            assert e.updated == "2026-11-26T00:00:00Z" and e.author == (
                "Lee Sung-hoon" if "-en.html" in e.link else e.author) and e.summary
            assert e.id == (e.link if audience != "us-government" else
                            f"tag:briefgen.invalid,2026-11-26:{SLUG}/{audience}/en/"
                            f"{SLUG}-{audience}-en.html")
        index = (shipped_build / audience / "index.html").read_text()
        assert '<link rel="alternate" type="application/atom+xml" href="feed.xml"' in index


def test_sitemaps_are_per_audience_and_only_with_a_base_url(shipped_build: Path) -> None:
    assert not (shipped_build / "us-government" / "sitemap.xml").exists()
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9",
          "x": "http://www.w3.org/1999/xhtml"}
    for audience in ("rok-public", "beijing-outreach"):
        root = etree.fromstring((shipped_build / audience / "sitemap.xml").read_bytes())
        assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
        locs = root.xpath("//s:loc/text()", namespaces=ns)
        assert locs[0] == f"{BASE}{audience}/index.html" and len(locs) == 3
        assert all(f"/{audience}/" in loc for loc in locs)
        for url in root.xpath("//s:url[s:lastmod]", namespaces=ns):
            alternates = url.xpath("x:link/@href", namespaces=ns)
            assert url.xpath("s:loc/text()", namespaces=ns)[0] in alternates
            assert len(alternates) == 2


def test_every_pdf_carries_its_metadata_in_xmp_and_stays_pdf_ua(shipped_build: Path) -> None:
    pdfs = sorted(shipped_build.glob("*/*/*/*.pdf"))
    assert len(pdfs) == 5
    for pdf_path in pdfs:
        data = pdf_path.read_bytes()
        with pikepdf.open(pdf_path) as pdf:
            meta = pdf.open_metadata()
            lang = pdf_path.parent.name
            assert meta["dc:language"] == {"en-US" if lang == "en" else lang}
            assert meta["dc:date"] == ["2026-11-26"]
            assert meta["dc:publisher"] == {"Institute for National Security Strategy (INSS)"}
            assert meta["dc:identifier"] == "2026-07"
            assert meta["dc:title"] and meta["dc:creator"]
            assert meta["pdfuaid:part"] == "1"
            prism = "{http://prismstandard.org/namespaces/basic/2.0/}"
            assert meta[f"{prism}number"] == "2026-07"
            assert f"{prism}versionIdentifier" not in meta
        assert [f for f in pdfua.check(data) if f.checkpoint not in HEURISTIC] == []


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    outs = []
    for name in ("one", "two"):
        out = tmp_path / name
        build(load_project(REPO), Options(out, Selection(formats=("html",))))
        outs.append({p.relative_to(out).as_posix(): p.read_bytes()
                     for p in sorted(out.rglob("*")) if p.is_file()
                     and p.name != "manifest.json"})
    assert outs[0] == outs[1] and "rok-public/feed.xml" in outs[0]


@pytest.mark.parametrize(("url", "why"), [
    ("http://briefs.example.org/", "it does not begin with https://"),
    ("https://briefs.example.org", "it does not end with '/' (a folder: "
                                   "https://briefs.example.org/)"),
    ("https://briefs.example.org/?x=1/", "it holds a query or fragment"),
    ("https://../", "its host '..' is not a domain name (labels of letters, digits and "
                    "hyphens, separated by single dots)"),
    ("/briefs/", "it does not begin with https://"),
    # written otherwise than browsers read it: each reader could take another host or path
    ("https://briefs.example.org\\@evil.com/",
     "browsers read it as https://briefs.example.org/@evil.com/: write that"),
    ("https://briefs.example.org:443/", "browsers read it as https://briefs.example.org/: "
                                        "write that"),
    ("https://briefs.example.org/a/../b/", "browsers read it as https://briefs.example.org/b/: "
                                           "write that"),
    ("https://briefs.example.org/\u202e/",
     "browsers read it as https://briefs.example.org/%E2%80%AE/: write that"),
    ("https://аpple.com/", "browsers read it as https://xn--pple-43d.com/: write that"),
])
def test_a_base_url_that_is_not_an_https_folder_is_an_error(tmp_path: Path, url: str,
                                                             why: str) -> None:
    root = make_project(tmp_path, "Text.\n")
    (root / "content/audiences/pub.yaml").write_text(
        'name: Public\nlanguages: [en]\nmarking: {en: Public}\n'
        f'base_url: {json.dumps(url)}\n', encoding="utf-8")
    with pytest.raises(BriefError) as err:
        load_project(root)
    assert [(p.code, str(p)) for p in err.value.problems] == [
        ("BG137", printable(f"content/audiences/pub.yaml:4:11: base_url: '{url}' is not a "
                            f"base URL: {why}"))]


def _entry(audience: str, title: str) -> ManifestEntry:
    lang = "en"
    path = f"tiny/{audience}/{lang}/tiny-{audience}-{lang}.html"
    return ManifestEntry(brief="tiny", audience=audience, language=lang, format="html",
                         path=path, title=title, sha256="0" * 64, bytes=1, key="k")


def test_a_title_forbidden_for_one_audience_never_reaches_anothers_feed(tmp_path: Path
                                                                        ) -> None:
    root = make_project(tmp_path, "Text.\n")
    brief = root / "content/briefs/tiny/brief.yaml"
    brief.write_text(brief.read_text() + "overrides:\n  officials:\n"
                     "    title: The secret annex\n", encoding="utf-8")
    for aid in ("pub", "officials"):
        path = root / f"content/audiences/{aid}.yaml"
        path.write_text(path.read_text()[:-1] + f', "base_url": "{BASE}"}}')
    out = tmp_path / "build"
    build(load_project(root), Options(out, Selection(formats=("html",))))
    assert "secret annex" in (out / "officials/feed.xml").read_text()
    for name in ("feed.xml", "sitemap.xml", "index.html"):
        assert "secret" not in (out / "pub" / name).read_text()


def test_a_forbidden_title_in_an_audiences_own_feed_is_an_error(tmp_path: Path) -> None:
    root = make_project(tmp_path, "Text.\n")
    path = root / "content/audiences/pub.yaml"
    path.write_text(path.read_text()[:-1] + f', "base_url": "{BASE}"}}')
    project = load_project(root)
    indexes = audience_indexes(project, [_entry("pub", "The secret annex")])
    assert sorted(indexes) == ["pub/feed.xml", "pub/index.html", "pub/sitemap.xml"]
    problems = Problems([])
    check_indexes(project, indexes, problems)
    assert [(p.code, str(p)) for p in problems.items] == [
        ("BG409", f"{name}: forbidden phrase 'secret annex' for audience pub appears in "
                  f"{name} ({surface}) (reword the title or label it shows)")
        for name, surface in (("pub/index.html", "index page"),
                              ("pub/feed.xml", "Atom feed"))]


def test_a_version_reaches_the_json_ld_and_the_xmp_only_when_declared(
        pages: dict[str, str]) -> None:
    import dataclasses
    import io

    from briefgen.edition.resolve import resolve
    from briefgen.publish import web, xmp

    project = load_project(REPO)
    view = resolve(project, SLUG, "us-government", "en", "screen", Problems()).view()
    assert "version" not in web.json_ld(view, "", "")
    assert web.json_ld(dataclasses.replace(view, version="1.1"), "", "")["version"] == "1.1"
    pdf = pikepdf.new()
    pdf.add_blank_page()
    blank = io.BytesIO()
    pdf.save(blank, deterministic_id=True)
    stamped = xmp.describe(blank.getvalue(), "en", "2026-11-26",
                           {"prism.versionIdentifier": "1.1"})
    assert stamped == xmp.describe(blank.getvalue(), "en", "2026-11-26",
                                   {"prism.versionIdentifier": "1.1"})
    with pikepdf.open(io.BytesIO(stamped)) as again:
        meta = again.open_metadata()
        assert meta["{http://prismstandard.org/namespaces/basic/2.0/}versionIdentifier"] \
            == "1.1"
        assert meta["dc:language"] == {"en"} and "dc:identifier" not in meta


@pytest.mark.parametrize(("script", "read"), [
    ('<script type="application/ld+json">{"name": "secret \\u0061nnex"}</script>', True),
    ('<script type=" Application/LD+JSON ">{"name": "secret annex"}</script>', True),
    ('<script type="text/plain">secret annex</script>', True),
    ("<script>var x = 'secret annex';</script>", False),  # code, as tests/test_guard.py says
    ("<script type=\"module\">var x = 'secret annex';</script>", False),
])
def test_the_guard_reads_data_blocks_json_ld_string_by_string(script: str, read: bool
                                                              ) -> None:
    from briefgen.publish.guard import find, visible_html_text

    page = f"<html><head>{script}</head><body><p>Text</p></body></html>"
    assert find(["secret annex"], visible_html_text(page)) == (["secret annex"] if read else [])


@pytest.mark.parametrize("body", [
    "See tiny/pub/secret-annex/tiny-pub-secret-annex.html now.\n",
    "See https://briefs.example.org/tiny/pub/en/tiny-pub-en.html secret annex.\n",
    "See tiny/pub/en/tiny-pub-en.secret-annex now.\n",
])
def test_only_the_builds_own_paths_are_left_out_of_the_guard(tmp_path: Path, body: str
                                                             ) -> None:
    root = make_project(tmp_path, body)
    path = root / "content/audiences/pub.yaml"
    path.write_text(path.read_text()[:-1] + f', "base_url": "{BASE}"}}')
    with pytest.raises(BriefError) as err:
        build(load_project(root), Options(tmp_path / "build", Selection(formats=("html",))))
    assert {p.code for p in err.value.problems} == {"BG350"}
    assert not (tmp_path / "build").exists()


def test_check_guards_feeds_and_sitemaps_as_a_build_does() -> None:
    """The shipped rok-public forbids "alliance modernization", which its brief's slug
    holds: the build's own paths in its feed's and sitemap's URLs are not its text."""
    from briefgen.commands.check import check_project

    assert [p for p in check_project(REPO) if p.severity == "error"] == []


def test_a_summary_cannot_close_the_json_ld_script(tmp_path: Path) -> None:
    root = make_project(tmp_path, "Text.\n")
    brief = root / "content/briefs/tiny/brief.yaml"
    evil = "A </script><script>alert(1)</script> & <!-- summary."
    brief.write_text(brief.read_text().replace("summary: A small brief.",
                                               f"summary: {json.dumps(evil)}"))
    out = tmp_path / "build"
    build(load_project(root), Options(out, Selection(formats=("html",))))
    page = (out / "tiny/pub/en/tiny-pub-en.html").read_text()
    (ld,) = head(page).json_ld
    assert "<" not in ld and ">" not in ld and "&" not in ld
    assert json.loads(ld)["description"] == "A </script><script>alert(1)</script> & <!-- summary."
    assert page.count("<script") == 1


OWN = "rok-us-alliance-modernization/rok-public/ko/rok-us-alliance-modernization-rok-public-ko.html"


@pytest.mark.parametrize(("text", "left_out"), [
    (f"https://briefs.example.org/{OWN}", True),             # an address: the page's own
    (f"tag:briefgen.invalid,2026-11-26:{OWN}", True),        # a feed's tag: URI
    (f"Our plan: {OWN}", False),                             # the same path as text
    (f"https://x.example/{OWN}.html more", False),           # a longer path holding it
])
def test_the_builds_own_paths_are_left_out_only_as_addresses(text: str, left_out: bool
                                                             ) -> None:
    """A review found the path skip also hid the path written as text in a summary: the
    shipped slug holds rok-public's forbidden "alliance modernization", so the phrase
    reached the page unguarded."""
    from briefgen.publish.guard import own_paths

    assert (OWN not in own_paths(text, [OWN])) is left_out


def test_a_forbidden_phrase_in_the_slug_written_as_text_is_a_leak(tmp_path: Path) -> None:
    import shutil

    from briefgen.commands.check import check_project

    root = tmp_path / "project"
    shutil.copytree(REPO / "content", root / "content")
    brief = root / "content/briefs/rok-us-alliance-modernization/brief.yaml"
    text = brief.read_text(encoding="utf-8")
    at = text.index("  rok-public:\n")  # the summary rok-public reads, its override
    brief.write_text(text[:at] + text[at:].replace("summary: |\n      ",
                                                   f"summary: |\n      See {OWN} now. ", 1),
                     encoding="utf-8")
    with pytest.raises(BriefError) as err:
        check_project(root)
    leaks = [p for p in err.value.problems if p.code == "BG350"]
    assert leaks and all("'alliance modernization'" in p.message for p in leaks)


@pytest.mark.parametrize("url", ["https://briefs.example.org/secret%20annex/",
                                 "https://briefs.example.org/SECRET%20%41NNEX/"])
def test_a_forbidden_phrase_percent_encoded_in_an_address_is_a_leak(tmp_path: Path,
                                                                     url: str) -> None:
    # a browser's address bar shows the path decoded: secret%20annex reads "secret annex"
    root = make_project(tmp_path, "Text.\n")
    path = root / "content/audiences/pub.yaml"
    path.write_text(path.read_text()[:-1] + f', "base_url": "{url}"}}')
    project = load_project(root)
    indexes = audience_indexes(project, [_entry("pub", "A title")])
    problems = Problems([])
    check_indexes(project, indexes, problems)
    assert ("BG409", "pub/feed.xml: forbidden phrase 'secret annex' for audience pub appears "
            "in pub/feed.xml (Atom feed) (reword the title or label it shows)") in [
        (p.code, str(p)) for p in problems.items]


PIECES = ["a", "b-c", "a/b", "x.html", "/", ":", " ", "a/b/x.html", "é", "."]


@given(st.lists(st.sampled_from(PIECES), max_size=12),
       st.lists(st.lists(st.sampled_from(["a", "b-c", "x.html", "é"]), min_size=1,
                         max_size=3).map("/".join), max_size=4))
@settings(max_examples=600, deadline=None)
@example(["/", "x.html"], ["x.html"])
def test_own_paths_by_lookup_leaves_out_what_the_pattern_did(pieces: list[str],
                                                            paths: list[str]) -> None:
    """own_paths looks paths up in a set (a regex of 5,000 paths took seconds to compile);
    it leaves out exactly what the pattern it replaced left out."""
    import regex

    from briefgen.publish.guard import own_paths

    text = "".join(pieces)
    pattern = "|".join(map(regex.escape, sorted(paths, key=len, reverse=True))) or r"(?!)"
    expected = regex.sub(f"(?<=[/:])(?:{pattern})(?![\\w/.-])", " ", text)
    assert own_paths(text, paths) == expected
