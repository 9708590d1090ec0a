"""`check --update`: write new expectation values into a spec file, and nothing else.

The one place that writes a user's file. Values are replaced by exact span
editing on PyYAML's marks (character offsets in the decoded text), leaf by
leaf, so comments, quoting, flow or block style, CRLF and a BOM stay byte
for byte. Before anything is written the new text is parsed again and must
equal the old document with only the expectation values changed; a value
that is an alias, or carries an anchor that something else uses, is refused.
The write is atomic (a unique temporary file in the target's directory,
fsync, os.replace), keeps mode and ownership, follows symlinks to write the
target, and is refused if the file changed since it was read. Any failure
leaves the original as it was and no temporary file behind.
"""

from __future__ import annotations

import os
import re
import tempfile

import yaml

from lstmcalc.errors import Problem, SpecError

BOM = b"\xef\xbb\xbf"
_PREFIX = re.compile(r"(?:[&!]\S*\s+)*")  # an anchor and/or a tag before a value: kept as written


class Refused(Exception):
    """The update cannot be made safely; the message says why and what to do."""


def flow(value) -> str:
    """A value as YAML flow text: 5, null, [50, 128], [[3], [3]]."""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    return "null" if value is None else str(value)


def _tight_end(node) -> int:
    """Where a node's own text ends (a block collection's end mark runs on to the next token)."""
    if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        return _tight_end(node.value[-1])
    if isinstance(node, yaml.MappingNode) and not node.flow_style and node.value:
        return _tight_end(node.value[-1][1])
    return node.end_mark.index


def _scalar_value(node):
    return yaml.SafeLoader("").construct_object(node)


class _Editor:
    """Collects (start, end, new text) edits for one document."""

    def __init__(self, text: str, root):
        self.text = text
        self.root = root
        self.newline = "\r\n" if "\r\n" in text else "\n"
        self.uses: dict[int, int] = {}
        self._count(root)
        self.edits: list[tuple[int, int, str]] = []

    def _count(self, node):
        self.uses[id(node)] = self.uses.get(id(node), 0) + 1
        if self.uses[id(node)] > 1:
            return  # an alias: its children are counted once
        children = node.value if isinstance(node, yaml.SequenceNode) else (
            [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode) else [])
        for child in children:
            self._count(child)

    def find(self, path: tuple):
        node = self.root
        for step in path:
            if isinstance(step, int):
                node = node.value[step]
            else:
                node = next(v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == step)
        return node

    def _check_shared(self, node, where: str):
        if self.uses.get(id(node), 0) > 1:
            raise Refused(f"{where} is an alias or an anchor used elsewhere; write the value out in place "
                          "(without & or *) and run --update again")
        if isinstance(node, yaml.SequenceNode):
            for child in node.value:
                self._check_shared(child, where)

    def set(self, path: tuple, value, where: str):
        """Edit the value at path (keys and list indices from the document root) to `value`."""
        node = self.find(path)
        self._check_shared(node, where)
        self._edit(node, value)

    def _edit(self, node, value):
        if isinstance(node, yaml.SequenceNode) and isinstance(value, list) and len(node.value) == len(value):
            for child, v in zip(node.value, value):
                self._edit(child, v)
            return
        if isinstance(node, yaml.ScalarNode) and not isinstance(value, list):
            current = _scalar_value(node)
            if current == value and type(current) is type(value):
                return
        start, end = node.start_mark.index, _tight_end(node)
        start += _PREFIX.match(self.text, start, end).end() - start
        if isinstance(node, yaml.SequenceNode) and not node.flow_style and isinstance(value, list) and value:
            indent = self.newline + " " * node.start_mark.column + "- "
            new = "- " + indent.join(flow(v) for v in value)
        else:
            new = flow(value)
        self.edits.append((start, end, new))

    def result(self) -> str:
        spans = sorted(self.edits)
        for before, after in zip(spans, spans[1:]):
            if after[0] < before[1]:
                raise Refused("two expectations share the same text; write each value out in place")
        text = self.text
        for start, end, new in reversed(spans):
            text = text[:start] + new + text[end:]
        return text


def new_text(text: str, changes: list[tuple[tuple, object, str]]) -> str:
    """The text with each (path, value, description) change made; everything else as it was."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)  # the pure-Python parser: offsets count characters
    editor = _Editor(text, root)
    for path, value, where in changes:
        editor.set(path, value, where)
    return editor.result()


def _same_except(old: str, new: str, changes) -> bool:
    """True if `new` reads as `old` with exactly the changed values (the safety net)."""
    from lstmcalc.sources.yaml_text import load

    before, after = load(old, "<old>"), load(new, "<new>")
    for path, value, _ in changes:
        parent = before
        for step in path[:-1]:
            parent = parent[step]
        parent[path[-1]] = value
    return repr(before) == repr(after)


def _read_bytes(path: str) -> tuple[bytes, os.stat_result]:
    with open(path, "rb") as f:
        st = os.fstat(f.fileno())
        return f.read(), st


def update_file(path: str, text_read: str, changes: list[tuple[tuple, object, str]]) -> None:
    """Write the changes into the file at path, whose decoded text was `text_read`.

    Raises SpecError (exit 2) and leaves the file untouched if the update
    cannot be made exactly and safely.
    """
    try:
        _update(path, text_read, changes)
    except Refused as e:
        raise SpecError(Problem(f"not updated: {e}", file=path, hint="the file is unchanged")) from None
    except OSError as e:
        reason = e.strerror or type(e).__name__
        raise SpecError(Problem(f"not updated: {reason}", file=path, hint="the file is unchanged")) from None


def _update(path: str, text_read: str, changes) -> None:
    target = os.path.realpath(path)  # a symlink: write its target, keep the link
    data, st = _read_bytes(target)
    bom = data.startswith(BOM)
    body = data[len(BOM):] if bom else data
    if body.decode("utf-8", errors="surrogateescape") != text_read:
        raise Refused("the file changed while it was being checked; run check --update again")
    text = new_text(text_read, changes)
    try:
        same = _same_except(text_read, text, changes)
    except SpecError:
        same = False
    if not same:
        raise Refused("the new values cannot be written without changing something else; edit them by hand")
    _atomic_write(target, (BOM if bom else b"") + text.encode("utf-8"), data, st)


def _atomic_write(target: str, content: bytes, original: bytes, st: os.stat_result) -> None:
    directory, base = os.path.split(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{base}.", suffix=".lstmcalc-tmp", dir=directory or ".")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
            f.flush()
            os.fchmod(f.fileno(), st.st_mode & 0o7777)
            tmp_st = os.fstat(f.fileno())
            if (tmp_st.st_uid, tmp_st.st_gid) != (st.st_uid, st.st_gid):
                try:
                    os.fchown(f.fileno(), st.st_uid, st.st_gid)
                except PermissionError:
                    raise Refused("cannot keep the file's owner and group (it belongs to another user)") from None
            os.fsync(f.fileno())
        now, now_st = _read_bytes(target)  # the last moment: did someone save the file meanwhile?
        if now != original or (now_st.st_mtime_ns, now_st.st_ino) != (st.st_mtime_ns, st.st_ino):
            raise Refused("the file changed while it was being checked; run check --update again")
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:
        dir_fd = os.open(directory or ".", os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass  # the rename is done; a directory that cannot be synced is not an error
