"""Spec paths from the command line: files, directories and globs, found by one bounded walk.

The walk never follows a symbolic link to a directory (so a link to its own
directory cannot loop), visits at most MAX_ENTRIES entries, and lists each
file once however many paths name it (by device and inode).
"""

from __future__ import annotations

import os
import re

from lstmcalc.errors import Problem, SpecError

SPEC_SUFFIXES = (".yaml", ".yml")
MAX_ENTRIES = 100_000
_MAGIC = re.compile(r"[*?\[]")


def _pattern(glob: str) -> re.Pattern:
    """A glob as a regular expression over '/'-separated paths: * ? [..] within a name, ** across names."""
    out, i = [], 0
    while i < len(glob):
        c = glob[i]
        if glob.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
            continue
        if glob.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[" and "]" in glob[i + 2:]:
            end = glob.index("]", i + 2)
            body = glob[i + 1:end]
            out.append("[" + ("^" + re.escape(body[1:]) if body.startswith("!") else re.escape(body)) + "]")
            i = end + 1
            continue
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out) + r"\Z")


def _walk(root: str, budget: list[int], depth: int | None = None):
    """Every file under root (at most `depth` levels down), never following a link to a directory.

    budget[0] counts the entries still allowed, across all the walks of one command.
    """
    base = root.rstrip("/").count("/")
    for dirpath, dirnames, files in os.walk(root, followlinks=False):
        budget[0] -= len(dirnames) + len(files)
        if budget[0] < 0:
            raise SpecError(Problem(f"more than {MAX_ENTRIES:,} entries to search", file=root,
                                    hint="name the spec files or a smaller directory"))
        if depth is not None and dirpath.rstrip("/").count("/") - base >= depth - 1:
            dirnames.clear()
        dirnames.sort()
        for f in sorted(files):
            yield os.path.join(dirpath, f)


def _glob(pattern: str, budget: list[int]) -> list[str]:
    parts = pattern.split("/")
    fixed = next(i for i, part in enumerate(parts) if _MAGIC.search(part))
    root = "/".join(parts[:fixed]) or ("/" if fixed else ".")
    depth = None if "**" in pattern else len(parts) - fixed
    regex = _pattern(pattern)
    hidden = "/." in "/" + pattern  # as in the shell, * does not match a leading dot unless the pattern has one
    out = []
    for path in _walk(root, budget, depth):
        shown = path[2:] if not fixed else path  # walked from ".": "./a.yaml" is "a.yaml"
        if regex.match(shown) and (hidden or "/." not in "/" + shown):
            out.append(shown)
    return out


def expand(paths: list[str]) -> list[str]:
    """Files as given, directories searched for *.yaml / *.yml, globs expanded; each file once."""
    out: list[str] = []
    seen: set[tuple[int, int]] = set()
    budget = [MAX_ENTRIES]
    for p in paths:
        if p == "-" or os.path.isfile(p):
            found = [p]
        elif os.path.isdir(p):
            found = [f for f in _walk(p, budget) if f.endswith(SPEC_SUFFIXES)]
        elif _MAGIC.search(p):
            found = [f for f in _glob(p, budget) if os.path.isfile(f)]
        else:
            found = [p]  # reported as missing by the loader
        for f in found:
            try:
                st = os.stat(f)
            except (OSError, ValueError):
                out.append(f)
                continue
            if (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                out.append(f)
    return out
