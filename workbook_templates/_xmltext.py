"""Editing a client's XML part as text, so that what we do not touch keeps its bytes.

Re-serialising a parsed part would rename namespace prefixes (breaking
``mc:Ignorable="x14ac"``, which names prefixes), reorder attributes and drop
the declaration: every shared part would change. So shared parts are parsed
(with defusedxml) only to *read* them, and edited by splicing new elements into
the original text at the right place. Elements we create are serialised here
with the prefix the client's part uses for the main namespace (usually none,
``x:`` in files from the Open XML SDK).
"""

from __future__ import annotations

import html
import re
from xml.etree.ElementTree import Element

_ATTR = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def decode(data: bytes, part: str) -> tuple[str, bool]:
    """(text, had_bom) of a UTF-8 part; other encodings are refused (never seen from Excel)."""
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        return data[3 if bom else 0:].decode("utf-8"), bom
    except UnicodeDecodeError as exc:
        raise ValueError(f"{part}: not UTF-8") from exc


def encode(text: str, bom: bool) -> bytes:
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def split_tag(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, local = tag[1:].split("}", 1)
        return ns, local
    return "", tag


def root_prefix(text: str) -> str:
    """Prefix of the root element ('' for a default namespace)."""
    m = re.search(r"<(?![?!])([\w.-]+:)?[\w.-]+[\s/>]", text)
    if m is None:
        raise ValueError("no root element")
    return (m.group(1) or "")[:-1]


def prefix_for(text: str, namespace: str) -> str | None:
    """A prefix declared in the part for ``namespace`` (first one found), or None."""
    m = re.search(r"""xmlns:([\w.-]+)\s*=\s*["']""" + re.escape(namespace) + """["']""", text)
    return m.group(1) if m else None


def root_prefix_for(text: str, namespace: str) -> str | None:
    """A prefix declared for ``namespace`` on the root element itself, or None.

    Only a root declaration is in scope for an element we add: openpyxl, for
    one, declares ``xmlns:r`` on each ``<sheet>`` rather than on ``<workbook>``.
    """
    root = re.search(r"<(?![?!])[^>]*>", text)
    return prefix_for(root.group(0), namespace) if root else None


def qname(prefix: str, local: str) -> str:
    return f"{prefix}:{local}" if prefix else local


def attrs_of(tag_text: str) -> dict[str, str]:
    """Attributes of one start tag, entities resolved."""
    return {m.group(1): html.unescape(m.group(2) if m.group(2) is not None else m.group(3))
            for m in _ATTR.finditer(tag_text)}


def start_tag(text: str, prefix: str, local: str, start: int = 0) -> re.Match[str] | None:
    """First start tag ``<prefix:local ...>`` (or empty-element tag) from ``start``."""
    pattern = re.compile("<" + re.escape(qname(prefix, local)) + r"(\s[^>]*?)?(/?)>")
    return pattern.search(text, start)


def iter_tags(text: str, prefix: str, local: str) -> list[re.Match[str]]:
    pattern = re.compile("<" + re.escape(qname(prefix, local)) + r"(\s[^>]*?)?(/?)>")
    return list(pattern.finditer(text))


def element_span(text: str, prefix: str, local: str, tag: re.Match[str]) -> tuple[int, int]:
    """(start, end) of the whole element whose start tag is ``tag`` (no nesting of the same name)."""
    if tag.group(2) == "/":
        return tag.start(), tag.end()
    close = "</" + qname(prefix, local) + ">"
    end = text.index(close, tag.end())
    return tag.start(), end + len(close)


def set_attr(tag_text: str, name: str, value: str | None) -> str:
    """The start tag with attribute ``name`` set (``None`` removes it)."""
    pattern = re.compile(r"""(\s)""" + re.escape(name) + r"""\s*=\s*(?:"[^"]*"|'[^']*')""")
    if pattern.search(tag_text):
        if value is None:
            return pattern.sub("", tag_text, count=1)
        return pattern.sub(lambda m: f'{m.group(1)}{name}="{escape_attr(value)}"', tag_text, count=1)
    if value is None:
        return tag_text
    cut = len(tag_text) - (2 if tag_text.endswith("/>") else 1)
    return f'{tag_text[:cut]} {name}="{escape_attr(value)}"{tag_text[cut:]}'


def escape_attr(value: str) -> str:
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;"))


def escape_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def append_children(text: str, prefix: str, local: str, children: str, count: int | None) -> str | None:
    """Insert ``children`` at the end of the first ``local`` element; None when it is absent.

    ``count``: the new value of its ``count`` attribute when it has one.
    """
    tag = start_tag(text, prefix, local)
    if tag is None:
        return None
    head = tag.group(0)
    if count is not None and re.search(r"\scount\s*=", head):
        head = set_attr(head, "count", str(count))
    if tag.group(2) == "/":
        opened = head[:-2].rstrip() + ">"
        return text[:tag.start()] + opened + children + "</" + qname(prefix, local) + ">" + text[tag.end():]
    close = "</" + qname(prefix, local) + ">"
    end = text.index(close, tag.end())
    return text[:tag.start()] + head + text[tag.end():end] + children + text[end:]


def insert_element(text: str, prefix: str, root_local: str, element: str, before: list[str]) -> str:
    """Insert ``element`` as a child of the root, before the first of ``before`` present,
    else at the end of the root (schema order is the caller's list)."""
    for local in before:
        tag = start_tag(text, prefix, local)
        if tag is not None:
            return text[:tag.start()] + element + text[tag.start():]
    close = "</" + qname(prefix, root_local) + ">"
    end = text.rindex(close)
    return text[:end] + element + text[end:]


def serialize(elem: Element, prefix: str, main_ns: str) -> str:
    """XML text of an element of ``main_ns`` (our own, from XlsxWriter), with ``prefix``."""
    ns, local = split_tag(elem.tag)
    if ns != main_ns:
        raise ValueError(f"unexpected namespace {ns!r} in a transplanted style element")
    name = qname(prefix, local)
    attrs = ""
    for key, value in elem.attrib.items():
        if key.startswith("{"):
            raise ValueError(f"unexpected namespaced attribute {key!r}")
        attrs += f' {key}="{escape_attr(value)}"'
    inner = escape_text(elem.text or "") + "".join(serialize(c, prefix, main_ns) for c in elem)
    return f"<{name}{attrs}>{inner}</{name}>" if inner else f"<{name}{attrs}/>"


def key_of(elem: Element) -> tuple:
    """A comparable identity of an element: tag, attributes, text, children."""
    return (elem.tag, tuple(sorted(elem.attrib.items())), (elem.text or "").strip(),
            tuple(key_of(c) for c in elem))
