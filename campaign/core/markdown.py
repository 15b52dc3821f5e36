"""Markdown written by organisers, rendered to HTML and sanitised before anyone sees it."""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "h2",
    "h3",
    "h4",
    "hr",
    "code",
    "pre",
}


# The same few texts (each open petition's body in each language) are rendered for every page
# view: remembered, they cost a look-up instead of a parse and a sanitising pass.
@lru_cache(maxsize=256)
def render_markdown(text: str) -> Markup:
    """Safe HTML for a Markdown text: raw HTML is not passed through, links get rel=noopener."""
    html = _parser.render(text or "")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # noqa: S704 - sanitised by nh3 just above
