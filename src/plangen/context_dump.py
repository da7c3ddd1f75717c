"""A template context as plain data, for `plangen context`: rich text shown as its words."""

from __future__ import annotations


def to_plain(value):
    if isinstance(value, dict):
        return {key: to_plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(item) for item in value]
    if type(value).__name__ == "RichText":
        import re

        return "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", str(value)))
    if type(value).__name__ == "TableSpec":
        return value.as_data()
    if type(value).__name__ == "RawXml":
        return "(Word field)" if "fldChar" in value else "(bookmark)"
    return value
