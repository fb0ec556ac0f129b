"""A site built from a hostile table and config: no data becomes code or markup in Chromium.

Every value the analyst's files control (column names, feature labels, category values, the
title, playbook actions, persona names, descriptions and actions, the data file's name) carries
payloads: script tags, event-handler attributes, ``javascript:`` links, Markdown link, table and
attribute-list syntax, ``</script>`` and ``</title>``, quotes, path traversal, bidi and control
characters. The real CLI builds the site (``mkdocs build --strict``); then every page is opened
twice, with the Content-Security-Policy bypassed (the escaping alone must hold) and enforced.

Each script payload runs ``__pwned++`` (or ``alert``) if it ever executes; the init script sets
``window.__pwned = 0`` and the test counts dialogs, so an execution cannot go unnoticed.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from helpers import (
    ROOT,
    STATS,
    Built,
    Tab,
    Watch,
    bound_server,
    check_page,
    copy_project,
    search,
    segments,
    sitemap_pages,
)

from generator.config.settings import readable_label
from generator.site import csp

HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
ID = "<script>__pwned++</script> id"
INCOME = "<img src=x onerror=__pwned++> income"
SPEND = "</script><script>__pwned++</script> | spend |"
KIND = "[kind](javascript:__pwned++) {: onclick=__pwned++ }"
AGE = "\"'><svg onload=__pwned++> age ../../etc"
CATEGORIES = (
    "<script>__pwned++</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:__pwned++)",
    '=HYPERLINK("http://example.invalid")',
    "../../etc/passwd",
    # Bidi controls and zero-width characters in cells are refused on reading (issue 21), as
    # control characters are (issue 15); the title and overrides below still carry them.
    "evil bell | pipe |",
)
TITLE = "</title><script>__pwned++</script> # Shop | {: onclick=__pwned++ } \u202eokay"
LABELS = {
    INCOME: "<b onmouseover=__pwned++>Income</b> [x](javascript:__pwned++) C#",
    SPEND: "`Spend` | *pipes* | {: .x onclick=__pwned++ } </script>",
}
ACTIONS = [
    "<img src=x onerror=alert(1)> act",
    "[call us](javascript:__pwned++)",
    "- not a list | not a cell |",
    '"><a href="javascript:__pwned++">quoted</a>',
]
OVERRIDES = (
    {
        "name": "</title><script>__pwned++</script> Big # spenders",
        "description": "# Injected heading\n<script>__pwned++</script>\n    indented\n"
        "1. ordered\n---\n[x](javascript:__pwned++) {: onclick=__pwned++ }",
        "actions": ["<svg onload=__pwned++>", "1. numbered | cell |", "=cmd|' /C calc'!A0"],
    },
    {"name": "../../etc/passwd \u202e\x07 [x](javascript:__pwned++)"},
)
DATA_FILE = "cust_<b>omers<i> [x](javascript:__pwned++).csv"
TEMPLATES = ROOT / "templates" / "pages"


def shown(column: str) -> str:
    """How pages name a describe column the config gives no label: its readable label."""
    return readable_label(column, units=False)


INSPECT_JS = """
() => {
  const onAttributes = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      if (/^on/i.test(a.name)) onAttributes.push(`${el.tagName}[${a.name}]`);
    }
  }
  const jsUrls = Array.from(document.querySelectorAll('[href], [src], [action], [formaction]'))
    .map((el) => ['href', 'src', 'action', 'formaction'].map((n) => el.getAttribute(n) || ''))
    .flat()
    .filter((url) => /^\\s*(javascript|vbscript|data:text\\/html)/i.test(url));
  const inline = Array.from(document.scripts).filter(
    (s) => !s.src && (!s.type || /javascript|module/i.test(s.type)));
  const article = document.querySelector('article');
  return {
    pwned: window.__pwned,
    onAttributes,
    jsUrls,
    inlineScripts: inline.length,
    scriptsNamingPwned: Array.from(document.scripts)
      .filter((s) => (s.textContent + s.src).includes('pwned')).length,
    externalScripts: Array.from(document.scripts).filter((s) => s.src)
      .map((s) => new URL(s.src).pathname.split('/').pop()),
    // markup data might have injected; the charts (Vega's SVG, the export menu) are not data
    foreign: Array.from(article.querySelectorAll('img, iframe, object, embed, form, style, b, svg'))
      .filter((el) => !el.closest('.segments-chart')).map((el) => el.tagName),
    tables: Array.from(article.querySelectorAll('table')).map(
      (t) => Array.from(t.rows).map((r) => r.cells.length)),
    headings: Array.from(article.querySelectorAll('h1, h2, h3')).map(
      (h) => [h.tagName, h.textContent.trim()]),
    title: document.title,
    text: document.body.innerText,
  };
}
"""


def visible(text: str) -> str:
    """What a reader should see: the value without control and bidi characters."""
    return HIDDEN.sub("", text)


def hostile_table(n_per: int = 80) -> pd.DataFrame:
    """Three clear clusters of customers carrying hostile column names and categories."""
    rng = np.random.default_rng(11)
    centres = [(20, 20), (80, 80), (80, 20)]
    parts = [rng.normal(c, 4, size=(n_per, 2)) for c in centres]
    values = np.vstack(parts).round().clip(1, 100).astype(int)
    n = len(values)
    return pd.DataFrame(
        {
            ID: np.arange(1, n + 1),
            INCOME: values[:, 0],
            SPEND: values[:, 1],
            KIND: [CATEGORIES[i % len(CATEGORIES)] for i in range(n)],
            AGE: rng.integers(18, 70, n),
        }
    )


def hostile_config(overrides: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The config: hostile title, labels, actions and persona overrides (by slug)."""
    return {
        "title": TITLE,
        "data": {"path": DATA_FILE, "id_column": ID},
        "features": [{"column": c, "label": label} for c, label in LABELS.items()],
        "describe": [KIND, AGE],
        "k": 3,
        "random_state": 1,
        "privacy": {"individual_points": True, "min_group_size": 10},
        "playbook": [{"when": {}, "actions": ACTIONS}],
        "personas": overrides,
    }


def write_config(data: Path, overrides: dict[str, dict[str, Any]]) -> Path:
    path = data / "hostile.yml"
    text = yaml.safe_dump(hostile_config(overrides), allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Built, dict[str, str]]]:
    """The hostile site, built by the real CLI and served; with the persona names it set."""
    project = copy_project(tmp_path_factory.mktemp("hostile"))
    data = project / "hostile"  # its own folder: no lock file from the shipped data
    data.mkdir()
    hostile_table().to_csv(data / DATA_FILE, index=False)
    config = write_config(data, {})
    analysed = segments(project, "analyze", "--json", "--config", str(config))
    assert analysed.returncode == 0, analysed.stderr
    slugs = [s["slug"] for s in json.loads(analysed.stdout)["segments"]]
    overrides = dict(zip(slugs, OVERRIDES, strict=False))
    write_config(data, overrides)
    with bound_server(project / "site") as (_server, base_url):
        result = segments(project, "build", "--config", str(config), env={"SITE_URL": base_url})
        assert result.returncode == 0, result.stdout + result.stderr
        yield Built(project, base_url), {s: o["name"] for s, o in overrides.items()}


def inspect(tab: Tab, url: str, dialogs: list[str]) -> tuple[dict[str, Any], list[str]]:
    """Open a page, wait for its charts; what it holds and the checker's problems."""
    report = check_page(tab.page, tab.watch, url)
    found: dict[str, Any] = tab.page.evaluate(INSPECT_JS)
    return found, report.problems + [f"dialog: {d}" for d in dialogs]


def template_headings() -> set[str]:
    """Every fixed ``##`` heading of the page templates (no data in them)."""
    found = set()
    for template in TEMPLATES.glob("*.md.j2"):
        for line in template.read_text(encoding="utf-8").splitlines():
            if line.startswith("## ") and "{{" not in line:
                found.add(line[3:].strip())
    return found


def structure_problems(url: str, page: dict[str, Any], names: dict[str, str]) -> list[str]:
    """Tables keep their column count; headings are the template's or the data's, as text."""
    problems = [
        f"{url}: table rows have {sorted(set(rows))} cells"
        for rows in page["tables"]
        if len(set(rows)) > 1
    ]
    h1 = [text for tag, text in page["headings"] if tag == "H1"]
    h2 = {text for tag, text in page["headings"] if tag == "H2"}
    if len(h1) != 1:
        problems.append(f"{url}: {len(h1)} h1 headings: {h1}")
    # Persona pages head the describe columns' ranges with their labels (here only AGE).
    unexpected = h2 - template_headings() - {f"{visible(shown(AGE))} among all customers"}
    if unexpected:
        problems.append(f"{url}: headings the templates do not have: {unexpected}")
    expected = expected_h1(url, names)
    if expected is not None and not (len(h1) == 1 and h1[0].endswith(expected)):
        problems.append(f"{url}: h1 is {h1}, expected it to end with {expected!r}")
    words = " ".join(expected.split()) if expected else ""
    if words.startswith(". ") and words[2:] not in page["title"]:
        problems.append(f"{url}: the window title {page['title']!r} lost the segment name")
    if url.endswith("/data.html"):
        h3 = [text for tag, text in page["headings"] if tag == "H3"]
        want = [visible(label) for label in LABELS.values()]
        want += [visible(shown(KIND)), visible(shown(AGE))]
        if h3 != want:
            problems.append(f"{url}: column headings {h3}, expected {want}")
    return problems


def expected_h1(url: str, names: dict[str, str]) -> str | None:
    if url.endswith("/index.html"):
        return f"{visible(TITLE)}: customer segments"  # the whole heading
    for slug, name in names.items():
        if url.endswith(f"/segments/{slug}.html"):
            return f". {visible(name)}"  # after the segment number
    return None


def safety_problems(url: str, page: dict[str, Any]) -> list[str]:
    """No execution, no injected attribute, link, script or element."""
    problems = []
    if page["pwned"] != 0:
        problems.append(f"{url}: {page['pwned']} script executions")
    for key in ("onAttributes", "jsUrls"):
        if page[key]:
            problems.append(f"{url}: injected {key}: {page[key]}")
    if page["scriptsNamingPwned"] or page["inlineScripts"] > 3:
        problems.append(f"{url}: unexpected inline scripts ({page['inlineScripts']})")
    allowed = {"vega-bundle.js", "segments.js"}
    extra = [s for s in page["externalScripts"] if s not in allowed and not s.startswith("bundle.")]
    if extra:
        problems.append(f"{url}: unexpected scripts {extra}")
    if page["foreign"]:
        problems.append(f"{url}: {page['foreign']} injected elements in the article")
    return problems


def shown_as_text(page: dict[str, Any]) -> int:
    """How many payloads the page shows as plain text (escaped, not dropped)."""
    values = [TITLE, *LABELS.values(), KIND, AGE, *CATEGORIES, *ACTIONS]
    values += [o["name"] for o in OVERRIDES] + OVERRIDES[0]["actions"]
    return sum(page["text"].count(visible(v)) for v in values)


@pytest.mark.parametrize("policy", ["bypassed", "enforced"])
def test_hostile_values_stay_text_in_chromium(
    browser: Any, hostile: tuple[Built, dict[str, str]], policy: str
) -> None:
    built, names = hostile
    context = browser.new_context(service_workers="block", bypass_csp=policy == "bypassed")
    context.add_init_script("window.__pwned = 0;")
    tab = Tab(context.new_page(), Watch().attach(context))
    dialogs: list[str] = []
    tab.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    problems: list[str] = []
    shown = 0
    try:
        pages = [*sitemap_pages(built.site, built.base_url), built.base_url + "404.html"]
        for url in pages:
            page, checker = inspect(tab, url, dialogs)
            problems += [f"{url}: {p}" for p in checker]
            problems += safety_problems(url, page) + structure_problems(url, page, names)
            shown += shown_as_text(page)
            STATS["hostile script executions"] += page["pwned"] + len(dialogs)
        STATS[f"hostile pages checked (policy {policy})"] += len(pages)
        STATS["hostile payloads shown as text"] += shown
    finally:
        context.close()
    assert not problems, "\n".join(problems)
    assert dialogs == []
    assert shown >= 40, f"only {shown} payloads shown as text: were values dropped?"


def test_hostile_search_results_stay_text(tab: Tab, hostile: tuple[Built, dict[str, str]]) -> None:
    built, _ = hostile
    tab.page.add_init_script("window.__pwned = 0;")
    check_page(tab.page, tab.watch, built.base_url + "index.html")
    results = search(tab.page, "spenders")
    assert results, "search found nothing"
    page = tab.page.evaluate(INSPECT_JS)
    assert safety_problems("search", page) == []
    assert tab.watch.since((0, 0, 0)) == []


def test_hostile_tooltips_stay_text(tab: Tab, hostile: tuple[Built, dict[str, str]]) -> None:
    built, names = hostile
    tab.page.add_init_script("window.__pwned = 0;")
    slug = next(iter(names))
    check_page(tab.page, tab.watch, f"{built.base_url}segments/{slug}.html")
    bars = tab.page.locator(".segments-chart[data-spec*='shares-'] .role-mark path")
    tips = []
    for i in range(bars.count()):
        bars.nth(i).hover(force=True)
        tip = tab.page.locator("#vg-tooltip-element")
        if tip.count() and tip.is_visible():
            tips.append((tip.inner_text(), tip.locator("img, script, svg, a").count()))
    assert tips, "no tooltip appeared"
    assert any(visible(CATEGORIES[0]) in text for text, _ in tips), tips
    assert all(count == 0 for _, count in tips), tips
    assert tab.page.evaluate("() => window.__pwned") == 0
    assert tab.watch.since((0, 0, 0)) == []


def test_hostile_pages_carry_one_strict_policy(hostile: tuple[Built, dict[str, str]]) -> None:
    built, _ = hostile
    meta = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">')
    policies, inline = set(), set()
    for page in built.site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        policies.update(meta.findall(html))
        inline.update(csp.script_hash(m.group(1)) for m in csp.INLINE_SCRIPT.finditer(html))
    assert len(policies) == 1, policies
    scripts = next(d for d in policies.pop().split("; ") if d.startswith("script-src "))
    hashes = set(scripts.split()[2:])
    assert scripts.split()[:2] == ["script-src", "'self'"] and "unsafe" not in scripts
    assert hashes == inline  # every inline script is the theme's: none carries data


def test_hostile_files_have_safe_names_and_cells(hostile: tuple[Built, dict[str, str]]) -> None:
    built, _ = hostile
    names = [p.relative_to(built.project).as_posix() for p in built.site.rglob("*")]
    names += [p.relative_to(built.project).as_posix() for p in (built.project / "docs").rglob("*")]
    unsafe = [n for n in names if not re.fullmatch(r"[A-Za-z0-9._/-]+", n) or "/../" in n]
    assert unsafe == []
    cells = 0
    for table in (built.site / "downloads").rglob("*.csv"):
        for row in csv.reader(io.StringIO(table.read_text(encoding="utf-8"))):
            for cell in row:
                cells += 1
                if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                    float(cell)  # only numbers may start like a formula
    assert cells > 100
    STATS["hostile CSV cells checked"] += cells
