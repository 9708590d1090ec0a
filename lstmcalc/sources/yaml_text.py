"""Read YAML safely while keeping a line and column for every key and item.

PyYAML's parser events (safe tags only) are turned straight into `MarkedDict` /
`MarkedList` values that remember where each key and item came from, as PyYAML's
composer and constructor would turn them into a node tree and then values, without
the node tree. Duplicate keys, alias bombs, huge files, deep nesting and non-UTF-8
bytes are refused with a `Problem` instead of a traceback.
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
_SEQ = "tag:yaml.org,2002:seq"
_PLAIN_CONSTRUCTORS = {"tag:yaml.org,2002:" + t for t in ("int", "float", "bool", "null")}
_SAFE_TAGS = {
    "tag:yaml.org,2002:" + t
    for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "binary")
}


_Loader = _BaseLoader  # libyaml's parser where PyYAML has it (its marks count as the pure-Python one's)
_PythonLoader = yaml.SafeLoader  # PyYAML's pure-Python parser: offsets count characters
_Scalar, _Alias = yaml.ScalarEvent, yaml.AliasEvent
_MappingStart, _MappingEnd = yaml.MappingStartEvent, yaml.MappingEndEvent
_SequenceStart, _SequenceEnd = yaml.SequenceStartEvent, yaml.SequenceEndEvent


class _NotComposed(yaml.YAMLError):
    """What PyYAML's composer refuses (an undefined alias, a second anchor of one name, a second
    document): `load` then asks the composer itself for its message."""


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
    loader = (_PythonLoader if exact_offsets else _Loader)(text)
    try:
        return _Converter(name, loader).document()
    except (yaml.YAMLError, RecursionError):
        # PyYAML's own limits (and their wording) vary by version: measure the
        # nesting ourselves, so the message is lstmcalc's whatever the library says
        line = _too_deep_at(text)
        if line is not None:
            raise SpecError(Problem(f"YAML nested more than {MAX_DEPTH} levels deep", file=name, line=line,
                                    hint="flatten the structure; no spec needs this depth")) from None
        _raise_yaml_error(text, name)
    finally:
        loader.dispose()


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
    """PyYAML's parser events → marked values, refusing what a spec never needs (see the module docstring).

    It does what PyYAML's composer and safe constructor do together: a tag from the resolver for
    each untagged value, an alias's value made again from its anchor's events (each alias a new
    value, counted: what an alias bomb is refused by), one document.
    """

    def __init__(self, name: str, loader):
        self.name = name
        self.count = 0
        self.scalars = yaml.constructor.SafeConstructor()  # constructs the scalars (no reader, no parser)
        self.constructed: dict = {}  # (tag, text) -> the value of a plain int, float, bool or null
        self.resolve = loader.resolve
        self.plain_tags: dict = {}  # text -> the tag of a plain scalar: resolved once per distinct text
        self.plain_values: dict = {}  # text -> the value of a plain, untagged scalar made before (str or constant)
        self.parser_event = loader.get_event
        self.next_event = self.parser_event  # the parser's, or (for an alias) its anchor's recorded events
        self.anchors: dict = {}  # anchor -> the events of its value
        self.recording: list = []  # (anchor, its events so far) for each anchored value being read
        self.replaying = 0  # how many aliases' values are being made again

    def fail(self, event, message: str, hint: str | None = None):
        line, col = _mark(event)
        raise SpecError(Problem(message, file=self.name, line=line, column=col, hint=hint))

    def document(self):
        """The value of the one document in the stream (None for no document)."""
        self.next_event()  # the stream's start
        if self.next_event().__class__ is yaml.StreamEndEvent:  # else the document's start
            return None
        value = self.convert(self.next_event())
        self.next_event()  # the document's end
        if self.next_event().__class__ is not yaml.StreamEndEvent:
            raise _NotComposed("expected a single document")
        return value

    def convert(self, event, depth: int = 0):
        """The value that starts with `event` (its events are read up to its end)."""
        kind = event.__class__
        if kind is _Alias:
            return self.aliased(event, depth)
        self.count += 1
        if self.count > MAX_NODES:
            self.fail(event, f"more than {MAX_NODES:,} values after expanding aliases (an alias bomb?)")
        if depth > MAX_DEPTH:
            self.fail(event, f"nested more than {MAX_DEPTH} levels deep")
        if event.anchor is not None and not self.replaying:
            return self.anchored(event, depth)
        return self.value(event, depth)

    def value(self, event, depth: int):
        """convert()'s value once counted: its tag checked, then made."""
        kind = event.__class__
        tag = event.tag
        if kind is _Scalar:
            if tag is None or tag == "!":
                tag = self.scalar_tag(event)
        elif tag is None or tag == "!":
            tag = _MAP if kind is _MappingStart else _SEQ
        if tag not in _SAFE_TAGS:
            self.fail(event, f"tag {tag} is not allowed", "use plain YAML values")
        if kind is _Scalar:
            if tag == _STR:
                value = event.value
            else:
                value = self.constructed.get((tag, event.value), self)  # self: not made yet (None is a value)
                if value is self:
                    value = self._scalar(event, tag)
            if event.tag is None and event.implicit[0] and (tag == _STR or tag in _PLAIN_CONSTRUCTORS):
                self.plain_values[event.value] = value  # the loops below take the text's next ones from here
            return value
        if kind is _MappingStart:
            return self._mapping(event, depth + 1)
        if kind is _SequenceStart:
            return self._sequence(event, depth + 1)
        raise _NotComposed(f"unexpected {kind.__name__}")

    def scalar_tag(self, event) -> str:
        """The resolver's tag for an untagged scalar: a plain one's by its text, any other str."""
        if not event.implicit[0]:
            return _STR
        tag = self.plain_tags.get(event.value)
        if tag is None:
            tag = self.plain_tags[event.value] = self.resolve(yaml.ScalarNode, event.value, event.implicit)
        return tag

    def merge_key(self, event) -> bool:
        """Is this scalar key `<<` (a merge key, which the safe constructor would merge)?"""
        return (event.tag if event.tag not in (None, "!") else self.scalar_tag(event)) == _MERGE

    def anchored(self, event, depth: int):
        """An anchored value: read while its events are recorded, for the aliases that name it."""
        anchor = event.anchor
        if anchor in self.anchors:
            raise _NotComposed(f"second anchor &{anchor}")
        events = [event]
        self.recording.append((anchor, events))
        self.next_event = self.recorded_event
        try:
            value = self.value(event, depth)
        finally:
            self.recording.pop()
            if not self.recording:
                self.next_event = self.parser_event
        self.anchors[anchor] = events
        return value

    def recorded_event(self):
        event = self.parser_event()
        for _, events in self.recording:
            events.append(event)
        return event

    def aliased(self, event, depth: int):
        """An alias's value: its anchor's events read again, a new value counted as the first was."""
        events = self.anchors.get(event.anchor)
        if events is None:
            if any(anchor == event.anchor for anchor, _ in self.recording):
                self.fail(event, f"the alias *{event.anchor} is inside the value it names (a value that holds "
                          "itself)", "write the values out")
            raise _NotComposed(f"undefined alias *{event.anchor}")
        source = self.next_event
        rest = iter(events)
        self.next_event = rest.__next__
        self.replaying += 1
        try:
            return self.convert(next(rest), depth)
        finally:
            self.replaying -= 1
            self.next_event = source

    def _scalar(self, event, tag: str):
        """A scalar's value; a value its tag cannot hold (!!int abc, 2020-02-30, 0x) is a bad value, not a crash."""
        text = event.value
        if tag == _INT and sum(c.isdigit() for c in text) > MAX_DIGITS:
            self.fail(event, f"an integer of {sum(c.isdigit() for c in text):,} digits",
                      f"lstmcalc reads integers of up to {MAX_DIGITS} digits")
        node = yaml.ScalarNode(tag, text, event.start_mark, event.end_mark, event.style)
        try:
            if tag in _PLAIN_CONSTRUCTORS:  # a function of the text alone (no generator, no memo needed)
                value = self.constructed[tag, text] = self.scalars.yaml_constructors[tag](self.scalars, node)
                return value
            return self.scalars.construct_object(node)
        except (yaml.YAMLError, ValueError, TypeError, KeyError, AttributeError, OverflowError):
            kind = _KINDS.get(tag.rsplit(":", 1)[-1], "value")
            self.fail(event, f"{brief(text)} is not a valid {kind}",
                      "write a valid one, or put it in quotes if it is meant as text")

    # The collections are made with dict.__new__ / list.__new__: their __init__ (for the
    # importers that build them by hand) would only set what is set here, at a call's cost.
    # A quoted scalar or a plain one met before (most of a spec's: `plain_values`), and a list's
    # untagged, unanchored mapping (a layer), are taken here rather than through convert(),
    # counted and checked as convert() would: the call is most of a scalar's cost.
    def _mapping(self, start, depth: int):
        """A mapping whose keys are at `depth`, from its start event to its end."""
        out = dict.__new__(MarkedDict)
        out.line, out.column = _line_column(start.start_mark)
        out.key_marks = marks = _KeyMarks()
        next_event, convert, known = self.next_event, self.convert, self.plain_values
        shallow = depth <= MAX_DEPTH
        merge = self.merge_key
        while True:
            event = next_event()
            kind = event.__class__
            if kind is _MappingEnd:
                return out
            if (kind is _Scalar and event.tag is None and event.anchor is None and shallow
                    and self.count < MAX_NODES
                    and (not event.implicit[0] or type(known.get(event.value)) is str)):
                self.count += 1
                key = event.value
            else:
                if kind is _Scalar and merge(event):
                    self.fail(event, "merge keys (<<) are not supported", "write the keys out")
                key = convert(event, depth)
                if isinstance(key, (dict, list)):
                    self.fail(event, "a key must be a plain value")
            if key in out:
                self.fail(event, f"duplicate key '{key}' (first given on line {marks[key][0]})",
                          "remove one of them")
            marks[key] = event.start_mark
            event = next_event()
            if event.__class__ is _Scalar and event.tag is None and event.anchor is None and shallow \
                    and self.count < MAX_NODES:
                value = known.get(event.value, known) if event.implicit[0] else event.value
                if value is known:  # not met before: convert() resolves and makes it
                    value = convert(event, depth)
                else:
                    self.count += 1
            else:
                value = convert(event, depth)
            out[key] = value

    def _sequence(self, start, depth: int):
        """A sequence whose items are at `depth`, from its start event to its end."""
        out = list.__new__(MarkedList)
        out.line, out.column = _line_column(start.start_mark)
        out.item_marks = marks = _ItemMarks()
        next_event, convert, known = self.next_event, self.convert, self.plain_values
        shallow = depth <= MAX_DEPTH
        while True:
            event = next_event()
            kind = event.__class__
            if kind is _SequenceEnd:
                return out
            if kind is _Scalar and event.tag is None and event.anchor is None and shallow and self.count < MAX_NODES:
                value = known.get(event.value, known) if event.implicit[0] else event.value
                if value is known:  # not met before: convert() resolves and makes it
                    value = convert(event, depth)
                else:
                    self.count += 1
            elif (kind is _MappingStart and event.tag is None and event.anchor is None and shallow
                  and self.count < MAX_NODES):
                self.count += 1  # before its keys, as convert() counts
                value = self._mapping(event, depth + 1)  # a list of layers' item
            else:
                value = convert(event, depth)
            out.append(value)
            marks.append(event.start_mark)
