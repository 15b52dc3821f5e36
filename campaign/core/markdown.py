"""Markdown written by organisers, rendered to HTML and sanitised before anyone sees it."""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
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


@lru_cache(maxsize=256)
def markdown_text(text: str) -> str:
    """The plain-text part of a mail written in Markdown: the marks dropped (no raw `**`), a
    link as its text and then its address, lists as "- " or "1. " lines."""
    return _PlainText().render(_parser.parse(text or "")).strip() + "\n"


class _PlainText:
    """Walks markdown-it's tokens once, writing blocks separated by a blank line."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        # One per open list item or quote: what its first line starts with, then the others.
        self.prefixes: list[tuple[str, str]] = []
        self.lists: list[int | None] = []  # the next number of each open list, None if bullets

    def render(self, tokens: list[Token]) -> str:
        for token in tokens:
            self._block(token)
        return "\n".join(self.lines)

    def _write(self, text: str) -> None:
        for line in text.split("\n"):
            indent = "".join(first for first, _ in self.prefixes)
            self.lines.append(f"{indent}{line}".rstrip())
            # A list item's marker is written once, on its first line.
            self.prefixes = [(rest, rest) for _, rest in self.prefixes]

    def _gap(self) -> None:
        if self.lines and self.lines[-1] != "" and not self.lists:
            self.lines.append("")

    def _block(self, token: Token) -> None:
        kind = token.type
        if kind in ("paragraph_open", "heading_open", "blockquote_open", "hr", "fence"):
            self._gap()
        if kind == "blockquote_open":
            self.prefixes.append(("> ", "> "))
        elif kind in ("blockquote_close", "list_item_close"):
            self.prefixes.pop()
        elif kind in ("bullet_list_open", "ordered_list_open"):
            self._gap()
            start = token.attrGet("start") or 1
            self.lists.append(None if kind == "bullet_list_open" else int(start))
        elif kind in ("bullet_list_close", "ordered_list_close"):
            self.lists.pop()
            self._gap()
        elif kind == "list_item_open":
            number = self.lists[-1]
            marker = "- " if number is None else f"{number}. "
            self.prefixes.append((marker, " " * len(marker)))
            if number is not None:
                self.lists[-1] = number + 1
        elif kind == "inline":
            self._write(_inline_text(token.children or []))
        elif kind in ("fence", "code_block"):
            self._write(token.content.rstrip("\n"))
        elif kind == "hr":
            self._write("----")


def _inline_text(children: list[Token]) -> str:
    """A paragraph's text: emphasis dropped, a link followed by its address unless it is one."""
    parts: list[str] = []
    links: list[tuple[str, int]] = []
    for child in children:
        kind = child.type
        if kind in ("text", "code_inline", "html_inline"):
            parts.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif kind == "image":
            parts.append(child.content)
        elif kind == "link_open":
            links.append((str(child.attrGet("href") or ""), len(parts)))
        elif kind == "link_close" and links:
            href, start = links.pop()
            label = "".join(parts[start:])
            if href and href not in (label, f"mailto:{label}"):
                parts.append(f" ({href})")
    return "".join(parts)
