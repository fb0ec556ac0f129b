"""Escaping filters: every value from data or config reads as text in its context."""

from __future__ import annotations

import html

import markdown
import pytest
import yaml

from generator.errors import RenderError
from generator.report.text import (
    code,
    html_text,
    md_text,
    number,
    one_line,
    percent,
    quoted,
    signed,
    yaml_string,
)
from generator.site import csp


def to_html(text: str) -> str:
    """Markdown as MkDocs renders it here (tables, attr_list, md_in_html)."""
    return markdown.markdown(text, extensions=["tables", "attr_list", "md_in_html"])


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("<script>x()</script>", "<script>x()</script>"),
        ("[a](javascript:x)", "[a](javascript:x)"),
        ("# heading", "# heading"),
        ("- item", "- item"),
        ("+ item", "+ item"),
        ("1. item", "1. item"),
        ("---", "---"),
        ("    code", "code"),
        ("a *b* _c_ `d`", "a *b* _c_ `d`"),
        ("x {: onclick=y }", "x {: onclick=y }"),
        ("&lt;b&gt;", "&lt;b&gt;"),
        ("-5 and +12 and 1.5", "-5 and +12 and 1.5"),
        ("bidi \u202eevil\u202c bell\x07", "bidi evil bell"),
        ("two\nlines", "two lines"),
    ],
)
def test_md_text_reads_as_text_at_the_start_of_a_line(value: str, shown: str) -> None:
    out = to_html(str(md_text(value)))
    assert out.startswith("<p>") and out.endswith("</p>"), out  # one paragraph
    assert "<" not in out[3:-4], out  # no element inside it
    assert html.unescape(out[3:-4]) == shown


def test_md_text_keeps_table_cells_and_heading_ends() -> None:
    row = f"| {md_text('a | b')} | {md_text('C#')} |"
    table = to_html(f"| x | y |\n|---|---|\n{row}\n")
    assert "<td>a | b</td>\n<td>C#</td>" in table
    assert to_html(f"### {md_text('C#')}") == "<h3>C#</h3>"


def test_code_shows_the_value_exactly() -> None:
    assert to_html(f"read from {code('my_file `x` <b>.csv')}") == (
        "<p>read from <code>my_file `x` &lt;b&gt;.csv</code></p>"
    )


def test_titles_are_html_escaped_for_mkdocs() -> None:
    assert html_text("</title><script>") == "&lt;/title&gt;&lt;script&gt;"
    assert str(yaml_string('a "b" <i>\n')) == '"a &#34;b&#34; &lt;i&gt; "'


# Two of Material's own inline scripts, as a page carries them.
THEME = (
    "var target=document.getElementById(location.hash.slice(1));target&&target.name&&"
    '(target.checked=target.name.startsWith("__tabbed_"))'
)
SCOPE = (
    '__md_scope=new URL("..",location),__md_hash=e=>[...e].reduce(((e,_)=>(e<<5)-e+_.'
    "charCodeAt(0)),0),__md_get=(e,_=localStorage,t=__md_scope)=>JSON.parse(_.getItem"
    '(t.pathname+"."+e)),__md_set=(e,_,t=localStorage,a=__md_scope)=>{try{t.setItem(a'
    '.pathname+"."+e,JSON.stringify(_))}catch(e){}}'
)


def test_policy_allows_only_hashed_inline_scripts() -> None:
    page = (
        f'<html><head><meta charset="utf-8"><script>{SCOPE}</script></head><body>'
        '<article><script>data()</script><script type="application/json">{}</script></article>'
        f'<script src="x.js"></script><script>{THEME}</script></body></html>'
    )
    hashes = csp.theme_script_hashes(page, "<script>data()</script>")
    assert hashes == {csp.script_hash(THEME), csp.script_hash(SCOPE)}
    text = csp.policy(hashes)
    assert f"script-src 'self' {' '.join(sorted(hashes))};" in text
    assert "unsafe" not in text.split("; ")[1]
    assert "script-src 'self' 'unsafe-inline';" in csp.policy(hashes, inline=True)
    assert csp.with_policy(page, text).startswith(
        f'<html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" '
        f'content="{text}"><script>'
    )


@pytest.mark.parametrize(
    "script",
    [
        "alert(1)",
        SCOPE.replace('"..",location', '"x"+alert(1)+"",location'),
        SCOPE.replace('"..",location', '"",location),alert(1),(""'),
        THEME + ";alert(1)",
    ],
)
def test_an_injected_inline_script_stops_the_build(script: str) -> None:
    page = f'<html><head><meta charset="utf-8"><link href="x"><script>{script}</script></head>'
    with pytest.raises(RenderError) as caught:
        csp.theme_script_hashes(page, "", "index.html")
    assert str(caught.value) == (
        f"index.html: an inline script that is not one of the theme's own ({script[:60]!r}); "
        "refusing to publish it (check SITE_URL and the templates)"
    )


@pytest.mark.parametrize(
    ("value", "digits", "text"),
    [(12.3, 0, "+12"), (-0.04, 1, "0.0"), (0.04, 1, "0.0"), (-0.06, 1, "-0.1"), (0, 0, "0")],
)
def test_signed_differences_never_show_a_signed_zero(value: float, digits: int, text: str) -> None:
    assert signed(value, digits) == text


@pytest.mark.parametrize(
    ("value", "year", "text"),
    [
        (1234.56, False, "1,234.6"),
        (86.0, False, "86"),
        (-0.04, False, "0"),  # never "-0.0"
        (1968.7, True, "1969"),  # a year: no decimals, no separator
        (1980.0, True, "1980"),
        (None, False, "\u2013"),
    ],
)
def test_numbers_read_as_the_column_means_them(value: float | None, year: bool, text: str) -> None:
    assert number(value, year=year) == text


def test_one_rounding_rule_for_shares() -> None:
    # The pages and the size chart's labels both print shares through percent().
    assert [percent(v) for v in (0.195, 0.225, 0.4)] == ["20%", "22%", "40%"]


@pytest.mark.parametrize(
    "name",
    ["spend\u2028x", "age\x85y", "a\u2029b", "x\x9fy", "z\u200bw", "r\u202eb", "tab\tok", 'q"\\'],
)
def test_a_name_written_into_a_config_reads_back_exactly(name: str) -> None:
    # YAML reads U+2028, U+2029 and NEL as line breaks even inside quotes, and refuses C1
    # controls: init's config broke on such a header until they were written as escapes.
    text = f"column: {quoted(name)}  # {one_line(name)}\nnext: 1\n"
    assert yaml.safe_load(text) == {"column": name, "next": 1}
