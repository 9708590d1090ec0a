"""The process's edges: every character lstmcalc writes passes through here.

- `printable` is the one escaping function: a control, format or
  line-separator character (and a byte of a non-UTF-8 file name) from a spec,
  an argument or a file name is shown as an escape (`\\x1b`, `\\u202e`),
  never sent to the terminal raw. Renderers apply it to each value (so that
  columns line up); `edges()` applies it again to everything written on
  standard output and standard error (so that nothing can slip through).
- `json_text` keeps JSON valid JSON while escaping the same characters
  (`render.json_writer` writes the JSON itself).
- An encoding that cannot show a character (`PYTHONIOENCODING=ascii`) gets
  a readable ASCII stand-in (× as x, σ as sigma) instead of an error.
- A closed pipe (`| head -1`) ends the program quietly with status 141, as
  Unix tools do; any other failure to write (a closed stream, /dev/full)
  gives one line on standard error and status 2.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import os
import re
import sys

EXIT_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a tool stopped by a closed pipe
EXIT_WRITE = 2

# C0 and C1 controls, soft hyphen, bidi and zero-width marks, line and paragraph separators,
# the BOM, interlinear annotations, tag characters, and lone surrogates (undecodable file-name bytes)
_UNSAFE = ("[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f"
           "\ufeff\ufff9-\ufffb\U000e0000-\U000e007f\ud800-\udfff]")
_UNSAFE_IN_STREAM = _UNSAFE.replace("\x00-\x1f", "\x00-\x08\x0b-\x1f")  # keeps \t, \n
# The same two sets within ASCII. Compiling the whole sets costs more than a summary's work (the
# compiler walks every code point of their ranges), so they are compiled (once, by re's cache) only
# for a text that is not ASCII; str.isascii reads a flag. These small ones too are compiled only
# when an ASCII text has such a character (compiling both cost a few percent of start-up).
_WITHIN_ASCII = {_UNSAFE: "[\x00-\x1f\x7f]", _UNSAFE_IN_STREAM: "[\x00-\x08\x0b-\x1f\x7f]"}


# The safe ASCII characters of each set, as bytes: deleting them from an ASCII text leaves its unsafe
# ones, in one pass in C (re's search takes several times longer over a megabyte-long summary).
_SAFE_ASCII = {_UNSAFE: bytes(range(0x20, 0x7f)), _UNSAFE_IN_STREAM: b"\t\n" + bytes(range(0x20, 0x7f))}


def _replace_unsafe(pattern: str, s: str, escape) -> str:
    """s with each character of the unsafe set (`_UNSAFE` or `_UNSAFE_IN_STREAM`) replaced by escape(match)."""
    if not s.isascii():
        return re.compile(pattern).sub(escape, s)
    if not s.encode().translate(None, _SAFE_ASCII[pattern]):
        return s
    return re.compile(_WITHIN_ASCII[pattern]).sub(escape, s)


def _escape(m: re.Match) -> str:
    c = m.group()
    n = ord(c)
    if 0xDC80 <= n <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{n - 0xDC00:02x}"
    return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(c) or (
        f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}" if n < 0x10000 else f"\\U{n:08x}")


def printable(text: object) -> str:
    """The text with every character that could act on a terminal shown as an escape (\\x1b)."""
    s = text if isinstance(text, str) else str(text)
    return _replace_unsafe(_UNSAFE, s, _escape)


def brief(value: object, limit: int = 60) -> str:
    """A value from the input as a message shows it: repr, escaped, and cut to about `limit` characters."""
    s = printable(repr(value))
    return s if len(s) <= limit else f"{s[:limit]}... ({len(s):,} characters)"


def clip(text: str, limit: int = 400) -> str:
    """A message part cut to about `limit` characters (a value from the input can be megabytes long)."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


def json_text(text: str) -> str:
    """JSON text (from json.dumps) with the unsafe characters as \\u escapes: the same JSON value."""
    def esc(m: re.Match) -> str:
        n = ord(m.group())
        if n > 0xFFFF:
            n -= 0x10000
            return f"\\u{0xD800 + (n >> 10):04x}\\u{0xDC00 + (n & 0x3FF):04x}"
        return f"\\u{n:04x}"

    return _replace_unsafe(_UNSAFE_IN_STREAM, text, esc)


_ASCII = {"×": "x", "·": "*", "⊙": "(.)", "→": "->", "−": "-", "σ": "sigma", "ᵀ": "^T", "γ": "gamma",
          "\u0303": "~", "β": "beta", "√": "sqrt", "↔": "<->", "—": "-", "–": "-", "ε": "eps", "μ": "mu",
          "²": "^2", "└": "`-", "…": "...", "≈": "~", "≤": "<=", "≥": ">=", "“": '"', "”": '"', "’": "'"}


def _stand_in(e: UnicodeEncodeError):
    bad = e.object[e.start:e.end]
    return "".join(_ASCII.get(c) or c.encode("ascii", "backslashreplace").decode() for c in bad), e.end


codecs.register_error("lstmcalc-ascii", _stand_in)


# -- the streams -------------------------------------------------------------------


class WriteFailed(SystemExit):
    """Writing the output failed; the process ends with the status this carries."""


class SafeStream:
    """A text stream over stdout or stderr that escapes, fits the encoding, and handles write errors."""

    def __init__(self, raw, name: str, escape: bool = True):
        self.raw, self.name, self.escape = raw, name, escape
        self.raw_encoding = (getattr(raw, "encoding", None) or "utf-8").lower()
        self.unicode = codecs.lookup(self.raw_encoding).name.startswith("utf")
        self.encoding = "utf-8"  # what the caller may write: anything (click checks this)
        self.errors = "strict"
        self.dead = False

    def write(self, s: str | bytes) -> int:
        if isinstance(s, bytes):  # click writes its shell-completion script as bytes
            s = s.decode("utf-8", "replace")
        if self.escape:
            s = _replace_unsafe(_UNSAFE_IN_STREAM, s, _escape)
        if not self.unicode and not s.isascii():
            s = s.encode(self.raw_encoding, "lstmcalc-ascii").decode(self.raw_encoding)
        self._do(lambda: self.raw.write(s))
        return len(s)

    def flush(self) -> None:
        self._do(lambda: self.raw.flush())

    def _do(self, op):
        if self.dead:
            return  # it failed once, and said so
        if self.raw is None:
            self.dead = True
            failed(f"standard {self.name} is closed")
        try:
            op()
        except OSError as e:
            self.dead = True
            if e.errno == errno.EPIPE:
                quiet(self.raw)
            failed(f"cannot write to standard {self.name}: {e.strerror or e}", self.raw)

    def unescaped(self) -> SafeStream:
        """The same stream without escaping, for rich, which escapes each value itself and adds colour."""
        view = SafeStream(self.raw, self.name, escape=False)
        view.encoding = self.raw_encoding  # rich draws ASCII boxes on an ASCII stream
        return view

    def isatty(self) -> bool:
        return bool(self.raw is not None and self.raw.isatty())

    def fileno(self) -> int:
        return self.raw.fileno()

    def writable(self) -> bool:
        return True


def _silence(raw) -> None:
    """Point the stream's descriptor at /dev/null, so the interpreter's last flush cannot fail again."""
    with contextlib.suppress(Exception):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, raw.fileno())
        os.close(devnull)


def quiet(raw) -> None:
    """The reader went away (a closed pipe): stop quietly."""
    _silence(raw)
    raise WriteFailed(EXIT_PIPE)


def failed(message: str, raw=None) -> None:
    """Writing failed: one line on standard error (if it can be written) and exit status 2."""
    if raw is not None:
        _silence(raw)
    with contextlib.suppress(BaseException):  # standard error may be the stream that failed
        sys.stderr.write(f"lstmcalc: {message}\n")
        sys.stderr.flush()
    raise WriteFailed(EXIT_WRITE)


@contextlib.contextmanager
def edges():
    """Run the command with standard output and error behind SafeStream; put them back afterwards."""
    saved = sys.stdout, sys.stderr
    if not isinstance(sys.stdout, SafeStream):
        sys.stdout = SafeStream(saved[0], "output")
    if not isinstance(sys.stderr, SafeStream):
        sys.stderr = SafeStream(saved[1], "error")
    try:
        yield
    finally:
        try:
            sys.stdout.flush()
        finally:
            sys.stdout, sys.stderr = saved


def rich_file():
    """The file rich should write to: standard output, unescaped (rich's values are escaped one by one)."""
    out = sys.stdout
    return out.unescaped() if isinstance(out, SafeStream) else out
