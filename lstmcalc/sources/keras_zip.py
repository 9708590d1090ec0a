"""A Keras 3 `.keras` file (a zip) → its model config, and its weights file.

Only `config.json` and `metadata.json` are read for the model, with
`zipfile`, never extracting anything to disk. Every read is bounded: a member
larger than its limit, a member that claims a compression ratio no real
config has (a zip bomb), a member name with a path trick, too many members,
or a corrupt or truncated archive is refused with the file's name.
"""

from __future__ import annotations

import json
import zipfile
import zlib

from lstmcalc.errors import Problem, SpecError

MAX_MEMBERS = 10_000
MAX_CONFIG_BYTES = 20 * 1024 * 1024  # a config of thousands of layers is a few MB
MAX_WEIGHTS_BYTES = 512 * 1024 * 1024  # the pure-Python forward pass is for small models
MAX_RATIO = 200  # uncompressed / compressed: JSON compresses ~10x; a zip bomb ~1000x


def fail(file: str, message: str, hint: str | None = None):
    raise SpecError(Problem(message, file=file, hint=hint))


def read_member(path: str, member: str, limit: int, required: bool = True) -> bytes | None:
    """The bytes of one member, bounded in size and in compression ratio."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            if len(infos) > MAX_MEMBERS:
                fail(path, f"the zip holds {len(infos):,} members; a .keras file holds three")
            for info in infos:
                name = info.filename
                if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/") or ":" in name:
                    fail(path, f"the zip has a member with an unsafe path ({name[:80]!r})",
                         "this is not a file Keras wrote; lstmcalc refuses path tricks")
            try:
                info = z.getinfo(member)
            except KeyError:
                if not required:
                    return None
                fail(path, f"the zip has no {member}; it is not a Keras 3 .keras file",
                     "save the model with model.save('model.keras') in Keras 3")
            if info.file_size > limit:
                fail(path, f"{member} is {info.file_size:,} bytes, more than lstmcalc reads ({limit:,})")
            if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                fail(path, f"{member} claims a compression ratio of "
                           f"{info.file_size // max(info.compress_size, 1):,}:1 (a zip bomb?)",
                     "lstmcalc refuses archives no Keras would write")
            with z.open(info) as f:
                data = f.read(limit + 1)
            if len(data) > limit:
                fail(path, f"{member} is larger than it says ({limit:,} bytes read)")
            return data
    except SpecError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, ValueError, NotImplementedError) as e:
        fail(path, f"not a readable zip (corrupt or truncated): {str(e)[:120]}",
             "save the model again with model.save('model.keras')")
    except OSError as e:
        fail(path, f"cannot read: {e.strerror or e}")


def read_config(path: str) -> tuple[object, str | None]:
    """The parsed config.json and the Keras version from metadata.json."""
    raw = read_member(path, "config.json", MAX_CONFIG_BYTES)
    meta = read_member(path, "metadata.json", 1024 * 1024, required=False)
    version = None
    if meta:
        try:
            version = json.loads(meta.decode("utf-8")).get("keras_version")
        except (ValueError, AttributeError):
            version = None
    try:
        config = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as e:
        fail(path, f"config.json inside the .keras file is not valid JSON: {str(e)[:120]}")
    return config, version if isinstance(version, str) else None


def read_weights(path: str) -> bytes:
    """model.weights.h5 inside the .keras file (HDF5 bytes, for the h5 reader)."""
    return read_member(path, "model.weights.h5", MAX_WEIGHTS_BYTES)
