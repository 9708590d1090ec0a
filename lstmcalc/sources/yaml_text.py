"""Read YAML safely while keeping a line and column for every key and item.

The text is composed into PyYAML's node tree (safe tags only) and turned into
`MarkedDict` / `MarkedList` values that remember where each key and item
came from. Duplicate keys, alias bombs, huge files, deep nesting and
non-UTF-8 bytes are refused with a `Problem` instead of a traceback.
"""

from __future__ import annotations

import os
import re
import stat
import sys

import yaml

from lstmcalc.errors import Problem, SpecError
from lstmcalc.record import Record
from lstmcalc.render.terminal import brief

MAX_BYTES = 5 * 1024 * 1024  # no real spec comes near this
MAX_NODES = 200_000  # values produced after alias expansion
MAX_DEPTH = 200
MAX_DIGITS = 100  # an integer literal longer than this is no size anyone means
_KINDS = {"int": "integer", "float": "number", "bool": "true/false value", "timestamp": "date",
          "binary": "base64 value", "null": "null"}

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR, _INT = "tag:yaml.org,2002:str", "tag:yaml.org,2002:int"
_MERGE = "tag:yaml.org,2002:merge"
_MAP = "tag:yaml.org,2002:map"
_ScalarNode, _MappingNode = yaml.ScalarNode, yaml.MappingNode
_DEFAULT_TAGS = {_ScalarNode: _STR, yaml.SequenceNode: "tag:yaml.org,2002:seq", _MappingNode: _MAP}
_PLAIN_CONSTRUCTORS = {"tag:yaml.org,2002:" + t for t in ("int", "float", "bool", "null")}
_SAFE_TAGS = {
    "tag:yaml.org,2002:" + t
    for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "binary")
}


class _OncePerText:
    """The safe loader's resolver, asked once per distinct plain scalar text of a document.

    The tag a plain scalar resolves to (str, int, bool ...) depends only on its
    text, and a spec repeats a few texts (`type`, `units`, `true`) thousands of
    times; any other node's tag depends only on its kind (the safe loader has
    no path resolvers), so descending and ascending the tree does nothing.
    """

    def __init__(self, stream):
        super().__init__(stream)
        self.plain_tags: dict = {}

    def resolve(self, kind, value, implicit):
        if kind is _ScalarNode and implicit[0]:  # plain: matched against the implicit resolvers' patterns
            tag = self.plain_tags.get(value)
            if tag is None:
                tag = self.plain_tags[value] = super().resolve(kind, value, implicit)
            return tag
        return _DEFAULT_TAGS[kind]  # what the base resolver returns for a quoted scalar or a collection

    def descend_resolver(self, current_node, current_index):
        pass

    def ascend_resolver(self):
        pass


class _Loader(_OncePerText, _BaseLoader):
    """libyaml's composer where PyYAML has it (its marks count lines and columns as the pure-Python one does)."""


class _PythonLoader(_OncePerText, yaml.SafeLoader):
    """PyYAML's pure-Python composer: offsets count characters."""


class MarkedDict(dict):
    """A mapping that knows the (line, column) of itself and of each key (None where unknown)."""

    __slots__ = ("line", "column", "key_marks")  # no __dict__ per mapping: a spec has one per layer

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.line: int | None = None
        self.column: int | None = None
        self.key_marks: dict = {}

    def mark_of(self, key) -> tuple[int | None, int | None]:
        return self.key_marks.get(key, (self.line, self.column))


class MarkedList(list):
    """A sequence that knows the (line, column) of itself and of each item (None where unknown)."""

    __slots__ = ("line", "column", "item_marks")

    def __init__(self, *a):
        super().__init__(*a)
        self.line: int | None = None
        self.column: int | None = None
        self.item_marks: list = []

    def mark_of(self, i) -> tuple[int | None, int | None]:
        if 0 <= i < len(self.item_marks):
            return self.item_marks[i]
        return (self.line, self.column)


def _mark(node) -> tuple[int, int]:
    return _line_column(node.start_mark)


def _line_column(mark) -> tuple[int, int]:
    return mark.line + 1, mark.column + 1


class _KeyMarks(dict):
    """`key_marks` of a mapping read from YAML: the parser's mark objects, made (line, column)
    when read (most never are: turning each into a pair costs several times keeping it)."""

    __slots__ = ()

    def __getitem__(self, key) -> tuple[int, int]:
        return _line_column(dict.__getitem__(self, key))

    def get(self, key, default=None):
        mark = dict.get(self, key)
        return default if mark is None else _line_column(mark)

    def items(self):
        return ((key, _line_column(mark)) for key, mark in dict.items(self))

    def values(self):
        return (_line_column(mark) for mark in dict.values(self))


class _ItemMarks(list):
    """`item_marks` of a sequence read from YAML: as _KeyMarks, by index."""

    __slots__ = ()

    def __getitem__(self, i) -> tuple[int, int]:
        return _line_column(list.__getitem__(self, i))

    def __iter__(self):
        return (_line_column(mark) for mark in list.__iter__(self))


class FileKind(Record):
    """What a file is, for the messages about it and its size bound."""

    __slots__ = ("noun", "example", "max_bytes", "usual")

    def __init__(
        self,
        noun: str,  # "spec", "weights", "input"
        example: str,  # the kind of file to name instead
        max_bytes: int,
        usual: str,  # how big such a file usually is
    ):
        self.noun = noun
        self.example = example
        self.max_bytes = max_bytes
        self.usual = usual


SPEC_FILE = FileKind("spec", "a .yaml file", MAX_BYTES, "a spec is a few kilobytes")


def read_text(path: str, kind: FileKind = SPEC_FILE) -> tuple[str, str]:
    """Return (display name, text) for a path or '-' (standard input)."""
    limit = kind.max_bytes
    if path == "-":
        name = "<stdin>"
        try:
            data = sys.stdin.buffer.read(limit + 1)
        except (AttributeError, OSError, ValueError):  # closed (None), or not readable
            raise SpecError(Problem(f"standard input is closed or cannot be read (the {kind.noun} file)",
                                    file=name, hint=f"pipe the {kind.noun} file in, or name it")) from None
    else:
        name = path
        try:
            st = os.stat(path)
        except FileNotFoundError:
            raise SpecError(Problem("no such file", file=name, hint="check the path")) from None
        except (OSError, ValueError) as e:
            raise SpecError(Problem(f"cannot read: {getattr(e, 'strerror', None) or e}", file=name)) from None
        if stat.S_ISDIR(st.st_mode):
            raise SpecError(Problem(f"is a directory, not a {kind.noun} file", file=name,
                                    hint=f"name {kind.example} inside it"))
        if stat.S_ISFIFO(st.st_mode) or stat.S_ISSOCK(st.st_mode):
            raise SpecError(Problem(f"the {kind.noun} file is not a regular file", file=name,
                                    hint=f"pass {kind.example} or '-'"))
        try:
            with open(path, "rb") as f:
                data = f.read(limit + 1)
        except OSError as e:
            raise SpecError(Problem(f"cannot read: {e.strerror}", file=name)) from None
    if len(data) > limit:
        what = "file" if kind is SPEC_FILE else f"the {kind.noun} file"
        raise SpecError(Problem(f"{what} is larger than {limit // (1024 * 1024)} MB; {kind.usual}", file=name))
    return name, decode(data, name)


def decode(data: bytes, name: str) -> str:
    try:
        text = data.decode("utf-8")
        return text[1:] if text.startswith("\ufeff") else text  # as utf-8-sig, without loading that codec
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise SpecError(
            Problem(
                f"not UTF-8 text (byte 0x{data[e.start]:02x} at offset {e.start})",
                file=name,
                line=line,
                hint="save the file as UTF-8",
            )
        ) from None


def load(text: str, name: str, exact_offsets: bool = False):
    """Parse YAML text into marked values; raise SpecError on any problem.

    exact_offsets uses the pure-Python parser, whose offsets count characters
    (the C parser's may count bytes), for rewriting the text in place.
    """
    try:
        node = yaml.compose(text, Loader=_PythonLoader if exact_offsets else _Loader)
    except (yaml.YAMLError, RecursionError):
        # PyYAML's own limits (and their wording) vary by version: measure the
        # nesting ourselves, so the message is lstmcalc's whatever the library says
        line = _too_deep_at(text)
        if line is not None:
            raise SpecError(Problem(f"YAML nested more than {MAX_DEPTH} levels deep", file=name, line=line,
                                    hint="flatten the structure; no spec needs this depth")) from None
        _raise_yaml_error(text, name)
    if node is None:
        return None
    return _Converter(name).convert(node)


_OPEN = (yaml.FlowSequenceStartToken, yaml.FlowMappingStartToken, yaml.BlockSequenceStartToken,
         yaml.BlockMappingStartToken)
_CLOSE = (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken, yaml.BlockEndToken)


_UNQUOTED_REF = r"[\[,]\s*[A-Za-z_][\w.-]*\[\d+\]"  # [encoder[1], ...: YAML reads a nested list


def _too_deep_at(text: str) -> int | None:
    """The 1-based line where nesting first passes MAX_DEPTH, or None (a token scan: no recursion)."""
    depth = 0
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if isinstance(token, _OPEN):
                depth += 1
                if depth > MAX_DEPTH:
                    return token.start_mark.line + 1
            elif isinstance(token, _CLOSE):
                depth -= 1
    except yaml.YAMLError:
        return None
    return None


def _raise_yaml_error(text: str, name: str):
    """Turn the parser's error into lstmcalc's message with the line and column."""
    try:
        yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        msg = f"not valid YAML: {e.problem or e.context}"
        lines = text.splitlines()
        bad_line = lines[mark.line] if mark and mark.line < len(lines) else ""
        hint = "indent with spaces, not tabs" if "\t" in bad_line else None
        if hint is None and re.search(_UNQUOTED_REF, bad_line):
            hint = "quote references with brackets inside [...]: ['encoder[1]', 'encoder[2]']"
        raise SpecError(
            Problem(msg, file=name, line=mark.line + 1 if mark else None,
                    column=mark.column + 1 if mark else None, hint=hint)
        ) from None
    except yaml.YAMLError as e:
        raise SpecError(Problem(f"not valid YAML: {e}", file=name)) from None
    except RecursionError:
        pass
    raise SpecError(Problem("not valid YAML", file=name, hint="check the file with a YAML linter"))


class _Converter:
    """PyYAML's node tree → marked values, refusing what a spec never needs (see the module docstring)."""

    def __init__(self, name: str):
        self.name = name
        self.count = 0
        self.scalars = yaml.constructor.SafeConstructor()  # constructs the scalars (no reader, no parser)
        self.constructed: dict = {}  # (tag, text) -> the value of a plain int, float, bool or null

    def fail(self, node, message: str, hint: str | None = None):
        line, col = _mark(node)
        raise SpecError(Problem(message, file=self.name, line=line, column=col, hint=hint))

    def convert(self, node, depth: int = 0):
        self.count += 1
        if self.count > MAX_NODES:
            self.fail(node, f"more than {MAX_NODES:,} values after expanding aliases (an alias bomb?)")
        if depth > MAX_DEPTH:
            self.fail(node, f"nested more than {MAX_DEPTH} levels deep")
        tag = node.tag
        if tag not in _SAFE_TAGS:
            self.fail(node, f"tag {tag} is not allowed", "use plain YAML values")
        kind = node.__class__
        if kind is _ScalarNode:
            if tag == _STR:
                return node.value
            value = self.constructed.get((tag, node.value), self)  # self: not constructed yet (None is a value)
            return self._scalar(node) if value is self else value
        if kind is _MappingNode:
            return self._mapping(node, depth + 1)
        return self._sequence(node, depth + 1)

    def _scalar(self, node):
        """A scalar's value; a value its tag cannot hold (!!int abc, 2020-02-30, 0x) is a bad value, not a crash."""
        tag = node.tag
        if tag == _INT and sum(c.isdigit() for c in node.value) > MAX_DIGITS:
            self.fail(node, f"an integer of {sum(c.isdigit() for c in node.value):,} digits",
                      f"lstmcalc reads integers of up to {MAX_DIGITS} digits")
        try:
            if tag in _PLAIN_CONSTRUCTORS:  # a function of the text alone (no generator, no memo needed)
                value = self.constructed[tag, node.value] = self.scalars.yaml_constructors[tag](self.scalars, node)
                return value
            return self.scalars.construct_object(node)
        except (yaml.YAMLError, ValueError, TypeError, KeyError, AttributeError, OverflowError):
            kind = _KINDS.get(tag.rsplit(":", 1)[-1], "value")
            self.fail(node, f"{brief(node.value)} is not a valid {kind}",
                      "write a valid one, or put it in quotes if it is meant as text")

    # The collections are made with dict.__new__ / list.__new__: their __init__ (for the
    # importers that build them by hand) would only set what is set here, at a call's cost.
    # A scalar that is a string or a value met before (most of a spec's), and a list's mapping
    # (a layer), are taken here rather than through convert(), counted and checked as convert()
    # would: the call is most of a scalar's cost.
    def _mapping(self, node, depth):
        """A mapping whose keys are at `depth`."""
        out = dict.__new__(MarkedDict)
        out.line, out.column = _line_column(node.start_mark)
        out.key_marks = marks = _KeyMarks()
        convert, constructed = self.convert, self.constructed
        shallow = depth <= MAX_DEPTH
        for key_node, value_node in node.value:
            if key_node.__class__ is _ScalarNode and key_node.tag == _STR and shallow and self.count < MAX_NODES:
                self.count += 1
                key = key_node.value
            else:
                if key_node.tag == _MERGE:
                    self.fail(key_node, "merge keys (<<) are not supported", "write the keys out")
                key = convert(key_node, depth)
                if isinstance(key, (dict, list)):
                    self.fail(key_node, "a key must be a plain value")
            if key in out:
                self.fail(key_node, f"duplicate key '{key}' (first given on line {marks[key][0]})",
                          "remove one of them")
            if value_node.__class__ is _ScalarNode and shallow and self.count < MAX_NODES:
                tag = value_node.tag
                value = value_node.value if tag == _STR else constructed.get((tag, value_node.value), constructed)
                if value is constructed:  # not met before: convert() constructs it
                    value = convert(value_node, depth)
                else:
                    self.count += 1
            else:
                value = convert(value_node, depth)
            out[key] = value
            marks[key] = key_node.start_mark
        return out

    def _sequence(self, node, depth):
        """A sequence whose items are at `depth`."""
        out = list.__new__(MarkedList)
        out.line, out.column = _line_column(node.start_mark)
        out.item_marks = marks = _ItemMarks()
        convert, constructed = self.convert, self.constructed
        shallow = depth <= MAX_DEPTH
        for item in node.value:
            kind = item.__class__
            if kind is _ScalarNode and shallow and self.count < MAX_NODES:
                tag = item.tag
                value = item.value if tag == _STR else constructed.get((tag, item.value), constructed)
                if value is constructed:  # not met before: convert() constructs it
                    value = convert(item, depth)
                else:
                    self.count += 1
            elif kind is _MappingNode and item.tag == _MAP and shallow and self.count < MAX_NODES:
                self.count += 1  # before its keys, as convert() counts
                value = self._mapping(item, depth + 1)  # a list of layers' item
            else:
                value = convert(item, depth)
            out.append(value)
            marks.append(item.start_mark)
        return out
