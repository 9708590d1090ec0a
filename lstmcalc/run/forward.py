"""The reference forward pass over a built model, and what `verify` and `run`
check with it.

Weights are nested dicts of nested lists in the contract's layout (Keras
names; Bidirectional: {"forward": ..., "backward": ...}). Each layer's
forward function reads them through `Tracked`, which records every tensor it
reads and refuses any it does not declare, so that a weight declared but
never used, or used but never declared, is caught.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from lstmcalc.errors import Problem, ShapeError, SpecError
from lstmcalc.graph import cycle_collector_paused
from lstmcalc.graph.build import INPUT, LayerRecord, Model, Node, build
from lstmcalc.graph.refs import TensorRef
from lstmcalc.run.tensor import check_shape, shape_of, tensor_problem
from lstmcalc.shapes import fmt_shape

# The size guard: about a minute of pure-Python arithmetic, a few GB of lists.
MAX_OPS = 1_500_000_000
MAX_BYTES = 3 * 1024**3
BYTES_PER_VALUE = 32  # a float object and its list slot
VARIABLE_LENGTH = 5  # a null timestep becomes this many steps in verify


class UndeclaredWeight(KeyError):
    pass


class Tracked:
    """Read-only view of one layer's weights that remembers what was read."""

    def __init__(self, values: dict, declared: dict, path: str = ""):
        self.values, self.declared, self.path = values, declared, path
        self.read: set[str] = set()
        self.children: dict[str, Tracked] = {}

    def __getitem__(self, name):
        if name not in _keys(self.declared):
            raise UndeclaredWeight(f"{self.path}{name}")
        if isinstance(self.declared[name], (dict, list)):
            if name not in self.children:
                self.children[name] = Tracked(self.values[name], self.declared[name], f"{self.path}{name}/")
            return self.children[name]
        self.read.add(name)
        return self.values[name]

    def unread(self) -> list[str]:
        out = []
        for name, decl in _items(self.declared):
            if isinstance(decl, (dict, list)):
                child = self.children.get(name)
                out += child.unread() if child else [f"{self.path}{name}/{n}" for n in flat_names(decl)]
            elif name not in self.read:
                out.append(self.path + name)
        return out


def _items(tree):
    """(key, value) of a weight tree's level: a mapping, or a list (RNN's stacked cells) keyed 0, 1, ..."""
    return enumerate(tree) if isinstance(tree, list) else tree.items()


def _keys(tree):
    return range(len(tree)) if isinstance(tree, list) else tree


def flat_names(tree, prefix: str = "") -> list[str]:
    out = []
    for k, v in _items(tree):
        out += flat_names(v, f"{prefix}{k}/") if isinstance(v, (dict, list)) else [f"{prefix}{k}"]
    return out


def _as_lists(tree: dict):
    """A level keyed "0", "1", ... (weights named "0/kernel") is a list, as the contract lays it out."""
    tree = {k: _as_lists(v) if isinstance(v, dict) else v for k, v in tree.items()}
    if tree and list(tree) == [str(i) for i in range(len(tree))]:
        return list(tree.values())
    return tree


def weight_tree(r: LayerRecord) -> dict:
    """{tensor name: shape}, nested as the contract lays weights out."""
    if len(r.children) > 1:
        return {k.role: weight_tree(k) for k in r.children}
    if r.children:
        return weight_tree(r.children[0])
    buffers = r.type.buffers(r.args, r.input_shape) if hasattr(r.type, "buffers") else []
    tree: dict = {}
    for w in (*r.weights, *buffers):  # "query/kernel" nests as {"query": {"kernel": ...}}
        *path, last = w.name.split("/")
        node = tree
        for part in path:
            node = node.setdefault(part, {})
        node[last] = w.shape
    return _as_lists(tree)


# -- cost estimate ----------------------------------------------------------------


def batch_of(model: Model) -> int:
    """The model's batch size (1 where it is variable)."""
    first = model.input_records[0]
    return first.output_shape[first.args.get("batch_axis", 0)] or 1


def estimate(model: Model) -> tuple[int, int]:
    """(operations, bytes) of a forward pass over the model's batch."""
    batch = batch_of(model)
    ops = values = 0
    for r in model.layers:
        calls = max(1, len(r.nodes))
        ops += ((r.macs or 0) + (r.elementwise or 0) + (r.output_size() or 0)) * calls
        values += (r.output_size() or 0) * calls + r.params
    return ops * batch, values * batch * BYTES_PER_VALUE


def memory_bytes() -> int | None:
    """This machine's physical memory, where the system says."""
    import os

    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def guard(model: Model, force: bool) -> None:
    ops, size = estimate(model)
    memory = memory_bytes()
    if force and memory is not None and size > memory:  # --force cannot help: it would only be killed
        raise SpecError(Problem(
            f"this forward pass would need about {size // 1024**3:,} GB, more than this machine's "
            f"{memory // 1024**3:,} GB of memory", file=model.spec.file,
            hint="use a smaller batch or smaller sizes"))
    if force or (ops <= MAX_OPS and size <= MAX_BYTES):
        return
    raise SpecError(Problem(
        f"this forward pass would take about {ops // 25_000_000:,} s ({ops:,} operations) and "
        f"{size // 1024**3:,} GB in pure Python",
        file=model.spec.file,
        hint="use a smaller batch or smaller sizes, or pass --force to run it anyway",
    ))


def concrete(model: Model, shapes: dict[str, tuple]) -> Model:
    """The same model on concrete input shapes ({input name: shape with the batch axis})."""
    batches = set()
    inputs = []
    for spec_input in model.spec.inputs:
        shape = shapes[spec_input.name]
        axis = model.get(spec_input.name).args.get("batch_axis", 0)
        batches.add(shape[axis])
        inputs.append(spec_input._replace(shape=tuple(shape[:axis] + shape[axis + 1:])))
    if len(batches) > 1:
        raise SpecError(Problem(f"the inputs have different batch sizes ({', '.join(map(str, sorted(batches)))})",
                                file=model.spec.file, hint="give every input the same batch size"))
    return build(model.spec._replace(inputs=tuple(inputs)), batches.pop(), only_used=True)


# -- running ------------------------------------------------------------------------


def call_values(node: Node, values: dict) -> dict:
    """The call's keyword arguments with tensors looked up (initial_state: a list of tensors)."""
    out = {}
    for kw, v in node.call.items():
        if kw == "mask" and node.auto_mask:
            continue  # the graph records Keras's mask ops; the forward pass carries masks itself
        if isinstance(v, TensorRef):
            out[kw] = [values[v]] if kw == "initial_state" else values[v]  # Keras reads one state as [state]
        elif isinstance(v, tuple):
            out[kw] = [values[t] for t in v]
        else:
            out[kw] = v
    return out


def as_inputs(model: Model, x) -> dict:
    """{input name: tensor}; a single-input model also takes the bare tensor (a nested list)."""
    return x if isinstance(x, dict) else {model.inputs[0]: x}


def run_nodes(model: Model, weights: dict, inputs: dict, until: str | None = None):
    """Yield (node, record, output, tracked weights, referenced outputs) for each call, in execution order.

    `inputs` maps each input name to its tensor (batch axis first). Masks flow
    with the tensors as Keras propagates them (`compute_mask`); a `mask` given
    in `call:` replaces the propagated one.
    """
    inputs = as_inputs(model, inputs)
    values: dict = {TensorRef(name, 0, 0): inputs[name] for name in model.inputs}
    masks: dict = {}
    context: dict = {}  # what a torch recurrent module leaves for a HiddenState step after it
    for node in model.nodes:
        r = model.get(node.layer)
        if node.is_list:
            x = [values[t] for t in node.inputs]
            mask = [masks.get(t) for t in node.inputs]
            mask = None if all(m is None for m in mask) else mask
        else:
            x, mask = values[node.inputs[0]], masks.get(node.inputs[0])
        kwargs = call_values(node, values)
        mask = kwargs.pop("mask", mask)
        kwargs.pop("training", None)
        if getattr(r.type, "uses_context", False):
            kwargs["context"] = context
        tracked = Tracked(weights.get(r.name, {}), weight_tree(r))
        try:
            y = r.type.forward(r.args, tracked, x, mask, **kwargs)
        except UndeclaredWeight as e:
            e.layer = r.name
            raise
        except ShapeError as e:  # a refusal that depends on the data (Keras fails only when it runs)
            spec = r.spec
            raise SpecError(Problem(e.message, file=model.spec.file, line=spec.line if spec else None,
                                    column=spec.column if spec else None, layer=r.name,
                                    layer_type=r.display_type, hint=e.hint)) from None
        outs = r.type.reference_values(r.args, y, context, node.output_shape)
        out_mask = r.type.compute_mask(r.args, x, mask)
        for k, v in enumerate(outs):
            values[TensorRef(node.layer, node.index, k)] = v
            if k == 0:
                masks[TensorRef(node.layer, node.index, k)] = out_mask
        yield node, r, y, tracked, outs
        if node.layer == until:
            return


@cycle_collector_paused()  # the forward pass makes many lists and no reference cycles
def forward(model: Model, weights: dict, inputs: dict, layer: str | None = None):
    """The model's output (a list of tensors for several outputs), or the output of `layer`'s last call."""
    inputs = as_inputs(model, inputs)
    if layer is not None and model.get(layer).type is INPUT:
        return inputs[layer]
    values = {TensorRef(n, 0, 0): inputs[n] for n in model.inputs}
    last = None
    for node, _, y, _, outs in run_nodes(model, weights, inputs, layer):
        last = y
        for k, v in enumerate(outs):
            values[TensorRef(node.layer, node.index, k)] = v
    if layer is not None:
        return last
    found = [values[t] for t in model.outputs]
    return found[0] if len(found) == 1 else found


# -- verify -------------------------------------------------------------------------


def random_weights(model: Model, rng: random.Random) -> dict:
    rnd = rng.random

    def fill(shape, positive):  # uniform in [0.5, 1.5) for variances, [-0.5, 0.5) otherwise
        if len(shape) == 1:
            shift = 0.5 if positive else -0.5
            return [rnd() + shift for _ in range(shape[0])]
        return [fill(shape[1:], positive) for _ in range(shape[0])]

    def tree(decl):
        if isinstance(decl, list):
            return [tree(v) for v in decl]
        return {n: tree(v) if isinstance(v, (dict, list)) else
                fill(v, "variance" in n or "stddev" in n or n == "running_var") for n, v in decl.items()}

    return {r.name: tree(weight_tree(r)) for r in model.layers if r.type is not INPUT and weight_tree(r)}


def random_inputs(model: Model, rng: random.Random) -> dict:
    """{input name: a random tensor}: token ids below the vocabulary where an Embedding reads it."""
    out = {}
    def fill(s, vocab, dtype):
        if len(s) == 1:
            if vocab:
                return [rng.randrange(vocab) for _ in range(s[0])]
            if dtype == "bool":
                return [rng.random() < 0.7 for _ in range(s[0])]
            return [rng.uniform(-1.0, 1.0) for _ in range(s[0])]
        return [fill(s[1:], vocab, dtype) for _ in range(s[0])]

    for r in model.input_records:
        out[r.name] = fill(r.output_shape, _vocabulary(model, r.name), r.args.get("dtype"))
    return out


def _vocabulary(model: Model, name: str) -> int | None:
    """The vocabulary of the Embedding that reads input `name` (None if none does)."""
    for node in model.nodes:
        if any(t.layer == name for t in node.inputs):
            r = model.get(node.layer)
            while r.children and r.type.name == "TimeDistributed":
                r = r.children[0]
            if r.type.name == "Embedding":
                return r.args.get("input_dim") or r.args.get("num_embeddings")  # Keras / PyTorch
    return None


@dataclass(frozen=True)
class LayerCheck:
    name: str
    expected_shape: tuple
    actual_shape: tuple
    expected_params: int  # the closed-form formula
    actual_params: int  # counted from the declared weight shapes
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        return {"name": self.name, "expected_shape": list(self.expected_shape),
                "actual_shape": list(self.actual_shape), "expected_params": self.expected_params,
                "actual_params": self.actual_params, "ok": self.ok, "problems": list(self.problems)}


def concrete_for_verify(model: Model, batch: int) -> Model:
    """Give variable sizes a small length that every layer accepts (5 first)."""
    first_error = None
    for length in (VARIABLE_LENGTH, 1, 2, 3, 4, 6, 8, 16, 32, 64):
        shapes = {}
        for r in model.input_records:
            axis = r.args.get("batch_axis", 0)
            shapes[r.name] = tuple(batch if i == axis else length if d is None else d
                                   for i, d in enumerate(r.output_shape))
        try:
            return concrete(model, shapes)
        except SpecError as e:
            first_error = first_error or e
    raise SpecError(first_error.problem._replace(hint="verify found no small size for the variable (null) "
                            "axes that every layer accepts; give input.shape sizes"))


@cycle_collector_paused()  # as forward(): scanning the young weight lists is wasted work
def verify(model: Model, seed: int = 0, batch: int = 2, force: bool = False) -> list[LayerCheck]:
    """Run the model on seeded random weights and inputs; check every layer's every call."""
    model = concrete_for_verify(model, batch)
    guard(model, force)
    rng = random.Random(seed)
    weights = random_weights(model, rng)
    inputs = random_inputs(model, rng)
    problems: dict = {r.name: [] for r in model.layers if r.type is not INPUT and not r.type.is_op}
    actual: dict = {}
    try:
        for node, r, y, tracked, _ in run_nodes(model, weights, inputs):
            tensors = y if isinstance(node.output_shape, list) else [y]  # several outputs: a list
            shapes = [shape_of(t) for t in tensors]
            actual[r.name] = shapes if isinstance(node.output_shape, list) else shapes[0]
            if not all(check_shape(t, sh) for t, sh in zip(tensors, shapes)):
                problems[r.name].append("the output is not a rectangular tensor of numbers")
            training_only = {w.name.split("/")[-1] for w in r.weights if w.training_only}
            unread = [n for n in tracked.unread() if n.split("/")[-1] not in training_only]
            if unread:
                problems[r.name].append("declared weights never read: " + ", ".join(unread))
            if actual[r.name] != node.output_shape:
                problems[r.name].append(f"output shape {fmt_shape(actual[r.name])} differs from the shape rule's "
                                        f"{fmt_shape(node.output_shape)}")
    except UndeclaredWeight as e:
        problems[e.layer].append(f"the forward pass read a weight it does not declare: {e.args[0]}")
        actual[e.layer] = ()
    checks = []
    for r in model.layers:
        if r.type is INPUT or r.type.is_op:  # the graph's mask operations are not run: masks travel with tensors
            continue
        if r.name not in actual:
            break
        if r.formula.value != r.params:
            problems[r.name].append(f"formula gives {r.formula.value:,} but the weight shapes hold {r.params:,}")
        checks.append(LayerCheck(r.name, r.output_shape, actual[r.name], r.formula.value, r.params,
                                 tuple(dict.fromkeys(problems[r.name]))))
    return checks


# -- run: checking what the user gives --------------------------------------------


def check_inputs(model: Model, x, file: str) -> tuple[Model, dict]:
    """Validate the input tensor(s) (a nested list, or {input name: nested list} for several inputs).

    Returns the model built on the given shapes and {input name: tensor}.
    """
    if len(model.inputs) == 1 and not isinstance(x, dict):
        given = {model.inputs[0]: x}
    elif isinstance(x, dict):
        missing = [n for n in model.inputs if n not in x]
        unknown = [n for n in x if n not in model.inputs]
        if missing or unknown:
            what = f"no tensor for input '{missing[0]}'" if missing else f"'{unknown[0]}' is not an input of the model"
            raise SpecError(Problem(what, file=file, hint="give {" + ", ".join(f'"{n}": [...]' for n in model.inputs)
                                    + "}"))
        given = {n: x[n] for n in model.inputs}
    else:
        raise SpecError(Problem(f"the model has {len(model.inputs)} inputs, so the input file must map each input "
                                "name to its tensor", file=file,
                                hint="give {" + ", ".join(f'"{n}": [...]' for n in model.inputs) + "}"))
    shapes = {}
    for name, value in given.items():
        want = model.get(name).output_shape
        axis = model.get(name).args.get("batch_axis", 0)
        where = ("batch axis first" if axis == 0 else
                 f"the batch at axis {axis}, as the model reads it (batch_first false: time steps first)")
        label = "input" if len(given) == 1 else f"input '{name}'"
        problem = tensor_problem(value)
        if problem:
            raise SpecError(Problem(f"the {label} is not a tensor of numbers: {problem}", file=file,
                                    hint=f"give a rectangular nested list of numbers, {where}"))
        got = shape_of(value)
        fits = len(got) == len(want) and all(w is None or w == g for w, g in zip(want, got))
        if not fits or 0 in got:
            raise SpecError(Problem(f"{label} has shape {fmt_shape(got)} but the model takes {fmt_shape(want)}",
                                    file=file, hint=f"give a nested list with {where}"))
        shapes[name] = got
    return concrete(model, shapes), given


def check_weights(model: Model, weights, file: str) -> None:
    if not isinstance(weights, dict):
        raise SpecError(Problem("weights must be a JSON object mapping layer names to tensors", file=file))
    known = {r.name: r for r in model.layers if r.type is not INPUT}
    for name in weights:
        if name not in known:
            raise SpecError(Problem(f"weights for '{name}', which is not a layer of the model", file=file,
                                    hint="layers: " + ", ".join(known)))
        if not weight_tree(known[name]) and weights[name] != {}:  # an empty entry holds nothing
            raise SpecError(Problem(f"weights for '{name}', a {known[name].display_type} layer, which has none",
                                    file=file, hint=f"remove the entry '{name}'"))
    for r in model.layers:
        if r.type is not INPUT and weight_tree(r):
            _check_tree(r, weights.get(r.name), weight_tree(r), "", file)


def _check_tree(r: LayerRecord, given, decl, path: str, file: str):
    where = {"file": file, "layer": r.name, "layer_type": r.display_type}
    if isinstance(decl, list):  # RNN's stacked cells: one mapping per cell, in order
        if not isinstance(given, list) or len(given) != len(decl):
            raise SpecError(Problem(f"{path or 'the weights'} must be a list of {len(decl)} mappings, one per cell",
                                    hint="give [{kernel: ..., recurrent_kernel: ..., bias: ...}, ...] in cell order",
                                    **where))
        for k, (g, d) in enumerate(zip(given, decl)):
            _check_tree(r, g, d, f"{path}{k}/", file)
        return
    if not isinstance(given, dict):
        raise SpecError(Problem(f"no weights given (expected tensors {', '.join(flat_names(decl))})", **where))
    for name in given:
        if name not in decl and name not in r.type.ignored_tensors:
            raise SpecError(Problem(f"unknown tensor '{path}{name}'", hint="expected: " + ", ".join(decl),
                                    **where))
    for name, shape in decl.items():
        if name not in given:
            raise SpecError(Problem(f"tensor '{path}{name}' is missing", **where))
        if isinstance(shape, (dict, list)):
            _check_tree(r, given[name], shape, f"{path}{name}/", file)
            continue
        problem = tensor_problem(given[name])  # rectangular numbers, so shape_of is its shape
        if problem:
            raise SpecError(Problem(f"tensor '{path}{name}' is not a tensor of numbers: {problem}", **where))
        if shape_of(given[name]) != tuple(shape):
            raise SpecError(Problem(
                f"tensor '{path}{name}' has shape {fmt_shape(shape_of(given[name]))}, expected "
                f"{fmt_shape(shape)}", hint="lay it out as Keras 3 does (see the README)", **where))
