"""The HTML of a live page, read with the standard library's :mod:`html.parser`: its forms
and their inputs, links, assets, ``<meta http-equiv="Content-Security-Policy">`` and what
it loads. Imported by :func:`golive.facts.live_pages.parse_html` on the first page, never
by an audit without a live site (issue 15).
"""

from __future__ import annotations

from html.parser import HTMLParser

from golive.facts.live_pages import LOADING_TAGS


class PageParser(HTMLParser):
    """Collects input names per form, and links and asset URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, str]] = []
        self.inputs: list[set[str]] = []
        self.links: list[str] = []
        self.assets: list[str] = []
        self.meta_csp: list[str] = []
        #: (what, URL) of what the page makes the browser load or submit: ``script``,
        #: ``stylesheet``, ``iframe``... (blocked when mixed) and ``img``... (upgraded).
        self.loads: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "form":
            self.forms.append(a)
            self.inputs.append(set())
        elif tag in ("input", "select", "textarea", "button") and self.inputs:
            if a.get("name"):
                self.inputs[-1].add(a["name"])
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag in ("link", "script", "img") and (a.get("href") or a.get("src")):
            self.assets.append(a.get("href") or a.get("src") or "")
        elif tag == "meta" and a.get("http-equiv", "").lower() == "content-security-policy":
            self.meta_csp.append(a.get("content", ""))
        if tag == "link" and "stylesheet" in a.get("rel", "").lower().split() and a.get("href"):
            self.loads.append(("stylesheet", a["href"]))
        elif tag == "form" and a.get("action"):
            self.loads.append(("form action", a["action"]))
        elif tag in LOADING_TAGS and a.get(LOADING_TAGS[tag]):
            self.loads.append((tag, a[LOADING_TAGS[tag]]))


def parse(text: str) -> PageParser:
    """Parse ``text`` (never raises on bad HTML: :mod:`html.parser` is lenient, and anything
    it still raises leaves what was read so far)."""
    parser = PageParser()
    try:
        parser.feed(text)
        parser.close()
    except Exception:  # pragma: no cover - html.parser is lenient; be safe on odd input
        pass
    return parser
