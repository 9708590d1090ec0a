"""An imported document → YAML spec text (for `lstmcalc import`).

Arguments equal to Keras's defaults are already left out by the importers;
this module only lays the document out: top-level keys in the contract's
order, one layer per line where it fits.
"""

from __future__ import annotations

import yaml

ORDER = ("name", "framework", "input", "inputs", "batch_size", "layers", "outputs", "expect")


class _Dumper(yaml.SafeDumper):
    pass


def _flow_list(dumper, value):
    flow = all(not isinstance(v, (dict, list)) for v in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


def _mapping(dumper, value):
    flow = all(not isinstance(v, (dict, list)) or (isinstance(v, list) and len(v) < 8 and
                                                  all(not isinstance(i, (dict, list)) for i in v))
               for v in value.values()) and len(value) <= 8
    return dumper.represent_mapping("tag:yaml.org,2002:map", value.items(), flow_style=flow)


class _Block(yaml.SafeDumper):
    """Top level: block style, items in flow style."""


def _block_top(dumper, value):
    if any(isinstance(v, (dict, list)) for v in value.values()) and len(value) == 1:
        return dumper.represent_mapping("tag:yaml.org,2002:map", value.items(), flow_style=False)
    return _mapping(dumper, value)


_Block.add_representer(dict, _block_top)
_Block.add_representer(list, lambda d, v: d.represent_sequence(
    "tag:yaml.org,2002:seq", v, flow_style=all(not isinstance(i, (dict, list)) for i in v)))
_Dumper.add_representer(list, _flow_list)
_Dumper.add_representer(dict, _mapping)


def plain(value):
    """Marked values (with lines) as plain dicts and lists, for the YAML dumper."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def to_yaml(doc: dict, notes=(), source: str = "") -> str:
    doc = plain(doc)
    ordered = {k: doc[k] for k in ORDER if k in doc}
    ordered.update({k: v for k, v in doc.items() if k not in ordered})
    head = [f"# imported from {source} by lstmcalc import"] if source else []
    head += [f"# note: {n}" for n in notes]
    parts = []
    for key, value in ordered.items():
        if key == "layers":
            lines = ["layers:"]
            for layer in value:
                text = yaml.dump(layer, Dumper=_Dumper, sort_keys=False, width=110, allow_unicode=True).rstrip()
                lines.append("  - " + text.replace("\n", "\n    "))
            parts.append("\n".join(lines))
        elif not isinstance(value, (dict, list)):
            parts.append(yaml.safe_dump({key: value}, sort_keys=False, allow_unicode=True).rstrip())
        else:
            parts.append(yaml.dump({key: value}, Dumper=_Block, sort_keys=False, width=110,
                                   allow_unicode=True).rstrip())
    return "\n".join(head + parts) + "\n"
