"""The template sandbox: what a Word template can reach, and how much work it may do.

Threat model (README, "Templates are untrusted"): clerks edit templates in Word and share them
between councils, so a template is code from a stranger. It may place values and loop over them;
it must not read or write a file, run a command, reach a Python object with side effects, or hang.

Three layers, each enough on its own for what it covers:
1. The context is plain data. `template_values` turns everything a context builder made into
   dicts, lists, str, int, float, bool and None; Word XML the renderer built (tables, rich text,
   fields) becomes `RawXml`, a str. No docxtpl Subdoc/RichText/InlineImage (their `.tpl` is the
   DocxTemplate, which renders without a sandbox), no ruamel.yaml node, no model object.
2. Attribute access is allow-listed, not deny-listed: a template can read a mapping's keys, a
   loop's state and a short list of side-effect-free str/dict/list methods; every other attribute
   is refused by Jinja's sandbox with a SecurityError.
3. Work is bounded: arithmetic and string repetition are checked before Python runs them
   (`9**(9**9)` is one C call no timer interrupts), and render.py runs each render in a worker
   process with CPU, memory and output limits.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Mapping

from jinja2.runtime import LoopContext, Macro
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import Namespace

from plangen.wordxml import XML_FORBIDDEN, RawXml, UnsafeText

# The largest integer a template may compute, and the longest string or list it may build in one step.
MAX_INTEGER_BITS = 256
MAX_SEQUENCE_LENGTH = 1_000_000

SAFE_METHODS = {
    str: frozenset({
        "capitalize", "casefold", "center", "count", "endswith", "find", "index", "isalnum", "isalpha",
        "isdigit", "islower", "isnumeric", "isspace", "istitle", "isupper", "join", "ljust", "lower",
        "lstrip", "partition", "removeprefix", "removesuffix", "replace", "rfind", "rindex", "rjust",
        "rpartition", "rsplit", "rstrip", "split", "splitlines", "startswith", "strip", "swapcase",
        "title", "upper", "zfill",
    }),
    dict: frozenset({"get", "items", "keys", "values"}),
    list: frozenset({"count", "index"}),
}
SAFE_METHODS[RawXml] = frozenset()  # Word XML is placed whole, never edited by a template
LOOP_ATTRIBUTES = frozenset({
    "index", "index0", "revindex", "revindex0", "first", "last", "length", "depth", "depth0",
    "previtem", "nextitem", "cycle", "changed",
})
# Methods whose length argument must be bounded like string repetition.
WIDTH_METHODS = frozenset({"center", "ljust", "rjust", "zfill"})
PLAIN_TYPES = (str, int, float, bool, type(None))


class ContextError(TypeError):
    """A context builder put something that is not plain data into a template context: a bug."""


def template_values(value, where: str = "context", in_place: bool = False):
    """The context as a template may see it: plain data only (see the module docstring). `in_place`:
    the context is the caller's to give up, and the Word content a context builder made in it
    (docxtpl's RichText, TableSpec) is replaced where it is by its XML, rather than the whole
    context copied (a copy of a 10,000-action plan's context was 100 MB)."""
    try:
        if in_place:
            try:
                return _settled(value)
            except _NotSettled:
                pass  # something else to convert: copied as a context still in use would be
        return _plain(value)
    except (UnsafeText, ContextError):
        return _located(value, where)  # walked again, naming where the value is


class _NotSettled(Exception):
    """A value `_settled` does not replace in place."""


SETTLED_TYPES = frozenset({int, float, bool, type(None), RawXml})


def _settled(value):
    """`value` checked as `_plain` checks it, with each RichText or TableSpec replaced where it is.
    Only those: a context builder made them, so the containers holding them are its own, never
    the plan's data the context may share (anything else to convert raises _NotSettled)."""
    if type(value) is dict:
        items = value.items()
    elif type(value) is list:
        items = enumerate(value)
    else:
        raise _NotSettled
    for key, item in items:
        item_kind = type(item)
        if item_kind is str:
            if XML_FORBIDDEN.search(item):
                raise UnsafeText("")
        elif item_kind is dict or item_kind is list:
            _settled(item)
        elif item_kind not in SETTLED_TYPES:
            converted = _word_value(item)
            if converted is None:
                raise _NotSettled
            value[key] = converted  # a value replaced, not a key added: the iteration holds
        if type(key) is not str and type(value) is dict:
            raise _NotSettled
    return value


def _plain(value):
    """`_located` without the path of every value (building it was most of a large plan's copy)."""
    kind = type(value)
    if kind is str:
        if XML_FORBIDDEN.search(value):
            raise UnsafeText("")
        return value
    if kind is dict:
        return {key if type(key) is str else str(key): _plain(item) for key, item in value.items()}
    if kind is list:
        return [_plain(item) for item in value]
    if kind is int or kind is float or kind is bool or value is None or kind is RawXml:
        return value
    converted = _word_value(value)  # docxtpl's RichText, a TableSpec: most of a large plan's values
    return converted if converted is not None else _located(value, "context")


def _located(value, where: str):
    if isinstance(value, RawXml):
        return value
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str):
        if XML_FORBIDDEN.search(value):
            # the last gate before text becomes Word XML: refused, never dropped (validate names the line)
            raise UnsafeText(f"{where}: text holds the control character {XML_FORBIDDEN.search(value).group()!r}, "
                             f"which a Word document cannot hold: {value[:60]!r}")
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, Mapping):
        return {str(key): _located(item, f"{where}.{key}") for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_located(item, f"{where}[{index}]") for index, item in enumerate(value)]
    if isinstance(value, datetime.date):
        return value.isoformat()
    converted = _word_value(value)
    if converted is not None:
        return converted
    raise ContextError(f"{where}: a {type(value).__name__} is not plain data and cannot reach a template")


def _word_value(value) -> RawXml | None:
    """Word content the renderer built, as the XML it places."""
    kind = type(value).__name__
    if kind == "RichText":  # docxtpl's: its XML is all a template ever used of it
        return RawXml(value.xml)
    if kind == "TableSpec":
        from plangen.wordxml import table_xml

        return table_xml(value)
    return None


def is_plain(value) -> bool:
    """True when value is what `template_values` produces: a test walks every context with this."""
    if type(value) in PLAIN_TYPES or type(value) is RawXml:
        return not (type(value) is float and not math.isfinite(value))
    if type(value) is dict:
        return all(type(key) is str and is_plain(item) for key, item in value.items())
    if type(value) is list:
        return all(is_plain(item) for item in value)
    return False


def _bounded_integer(value):
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_INTEGER_BITS:
        raise SecurityError(f"a number in the template is too large (over {MAX_INTEGER_BITS} bits)")
    return value


def _check_length(length: int):
    if length > MAX_SEQUENCE_LENGTH:
        raise SecurityError(f"the template builds a text or list longer than {MAX_SEQUENCE_LENGTH:,} items")


def _integer_size(value) -> int:
    return value.bit_length() if isinstance(value, int) else 0


def _sized(value) -> int:
    return len(value) if isinstance(value, (str, list, tuple)) else 0


FORMAT_WIDTH = re.compile(r"%[-#0 +]*(?:\*|\d{4,})|%[-#0 +]*\d*\.(?:\*|\d{4,})")


class PlainDataSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with attribute access allow-listed and arithmetic bounded."""

    intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%", "**"})
    intercepted_unops = frozenset({"-", "+"})

    def __init__(self, **options):
        super().__init__(**options)
        # only side-effect-free helpers; cycler/joiner/lipsum expose objects with methods
        self.globals = {"range": self.globals["range"], "dict": dict, "namespace": Namespace}
        self.filters["format"] = _format_filter
        self.filters["legible_on"] = _legible_on
        for name in ("center", "indent", "wordwrap", "truncate"):
            self.filters[name] = _bounded_width(self.filters[name])

    def is_safe_attribute(self, obj, attr, value) -> bool:
        if attr.startswith("_"):
            return False
        if isinstance(obj, LoopContext):
            return attr in LOOP_ATTRIBUTES
        if isinstance(obj, Namespace):
            return True  # a namespace holds only what the template itself stored in it
        return attr in SAFE_METHODS.get(type(obj), ())

    def is_safe_callable(self, obj) -> bool:
        if isinstance(obj, (Macro, Namespace)) or obj in (dict, Namespace, self.globals["range"]):
            return True
        owner = getattr(obj, "__self__", None)
        if isinstance(owner, LoopContext):
            return getattr(obj, "__name__", "") in LOOP_ATTRIBUTES
        name = getattr(obj, "__name__", "")
        return owner is not None and name in SAFE_METHODS.get(type(owner), ())

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (Jinja's own signature)
        if getattr(__obj, "__name__", "") in WIDTH_METHODS:
            for argument in args[:1]:
                if isinstance(argument, int):
                    _check_length(argument)
        return super().call(__context, __obj, *args, **kwargs)

    def getattr(self, obj, attribute):
        # `type(obj) is dict` first: the context's own mappings, most of a large plan's look-ups, skip the ABC checks
        if type(obj) is dict or (isinstance(obj, Mapping) and not isinstance(obj, Namespace)):
            if attribute in obj:
                return obj[attribute]
            if attribute in SAFE_METHODS[dict]:
                return getattr(obj, attribute)
            return self.undefined(obj=obj, name=attribute)
        if type(obj) in SAFE_METHODS and attribute not in SAFE_METHODS[type(obj)]:
            # before Jinja's own lookup, which hands out str.format (wrapped) without asking
            return self.unsafe_undefined(obj, attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj, argument):
        if isinstance(obj, (Mapping, list, tuple, str)) and not isinstance(obj, Namespace):
            try:
                return obj[argument]
            except (TypeError, LookupError):
                return self.undefined(obj=obj, name=argument)
        return super().getitem(obj, argument)

    def call_binop(self, context, operator, left, right):
        if operator == "**":
            if isinstance(left, int) and isinstance(right, int) and abs(left) > 1:
                if right > MAX_INTEGER_BITS or right * _integer_size(left) > MAX_INTEGER_BITS:
                    raise SecurityError(f"a number in the template is too large (over {MAX_INTEGER_BITS} bits)")
            elif isinstance(left, float) or isinstance(right, float):
                if abs(right) > MAX_INTEGER_BITS:
                    raise SecurityError("an exponent in the template is too large")
        elif operator == "*":
            if isinstance(left, int) and isinstance(right, int):
                if _integer_size(left) + _integer_size(right) > MAX_INTEGER_BITS:
                    raise SecurityError(f"a number in the template is too large (over {MAX_INTEGER_BITS} bits)")
            elif isinstance(right, int) and _sized(left):
                _check_length(_sized(left) * right)
            elif isinstance(left, int) and _sized(right):
                _check_length(_sized(right) * left)
        elif operator == "+" and (_sized(left) or _sized(right)):
            _check_length(_sized(left) + _sized(right))
        elif operator == "%" and isinstance(left, str) and FORMAT_WIDTH.search(left):
            raise SecurityError("a format width in the template is too large")
        return _bounded_integer(super().call_binop(context, operator, left, right))


def _legible_on(fill) -> str:
    """The text colour readable on a fill (contrast.text_colour_for); 'auto' for what is not a colour."""
    from plangen.contrast import is_colour, text_colour_for

    fill = str(fill).upper() if fill is not None else ""
    return text_colour_for(fill) if is_colour(fill) else "auto"


def _format_filter(value, *args, **kwargs):
    from jinja2.filters import do_format

    if FORMAT_WIDTH.search(str(value)):
        raise SecurityError("a format width in the template is too large")
    return do_format(value, *args, **kwargs)


def _bounded_width(jinja_filter):
    def bounded(*args, **kwargs):
        for argument in list(args[1:]) + list(kwargs.values()):
            if isinstance(argument, int) and not isinstance(argument, bool):
                _check_length(argument)
        return jinja_filter(*args, **kwargs)

    for attribute in ("jinja_pass_arg",):
        if hasattr(jinja_filter, attribute):
            setattr(bounded, attribute, getattr(jinja_filter, attribute))
    return bounded


def environment() -> PlainDataSandbox:
    from jinja2 import StrictUndefined

    return PlainDataSandbox(autoescape=True, undefined=StrictUndefined)
