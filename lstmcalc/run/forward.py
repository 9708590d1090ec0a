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
from dataclasses import dataclass, replace

from lstmcalc.errors import Problem, SpecError
from lstmcalc.graph.build import INPUT, LayerRecord, Model, build
from lstmcalc.layers import batch_axis
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
        if name not in self.declared:
            raise UndeclaredWeight(self.path + name)
        if isinstance(self.declared[name], dict):
            if name not in self.children:
                self.children[name] = Tracked(self.values[name], self.declared[name], f"{self.path}{name}/")
            return self.children[name]
        self.read.add(name)
        return self.values[name]

    def unread(self) -> list[str]:
        out = []
        for name, decl in self.declared.items():
            if isinstance(decl, dict):
                child = self.children.get(name)
                out += child.unread() if child else [f"{self.path}{name}/{n}" for n in flat_names(decl)]
            elif name not in self.read:
                out.append(self.path + name)
        return out


def flat_names(tree: dict, prefix: str = "") -> list[str]:
    out = []
    for k, v in tree.items():
        out += flat_names(v, f"{prefix}{k}/") if isinstance(v, dict) else [prefix + k]
    return out


def weight_tree(r: LayerRecord) -> dict:
    """{tensor name: shape}, nested as the contract lays weights out."""
    if len(r.children) > 1:
        return {k.role: weight_tree(k) for k in r.children}
    if r.children:
        return weight_tree(r.children[0])
    buffers = r.type.buffers(r.args, r.input_shape) if hasattr(r.type, "buffers") else []
    return {w.name: w.shape for w in (*r.weights, *buffers)}


# -- cost estimate ----------------------------------------------------------------


def estimate(model: Model) -> tuple[int, int]:
    """(operations, bytes) of a forward pass over the model's batch."""
    batch = model.layers[0].output_shape[0] or 1
    ops = values = 0
    for r in model.layers:
        ops += (r.macs or 0) + (r.elementwise or 0)
        values += (r.output_size() or 0) + r.params
        ops += r.output_size() or 0
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


def concrete(model: Model, shape: tuple) -> Model:
    """The same model on a concrete input shape (batch axis included, where the model has it)."""
    axis = batch_axis(model.framework, model.spec.layers)
    spec = replace(model.spec, input=replace(model.spec.input, shape=tuple(shape[:axis] + shape[axis + 1:])))
    return build(spec, shape[axis])


# -- running ------------------------------------------------------------------------


def run_layers(model: Model, weights: dict, x, until: str | None = None):
    """Yield (record, output, tracked weights) for each layer after the input."""
    mask = None
    context: dict = {}  # what a layer leaves for later ones (a recurrent module's final states)
    for r in model.layers[1:]:
        tracked = Tracked(weights.get(r.name, {}), weight_tree(r))
        extra = {"context": context} if getattr(r.type, "uses_context", False) else {}
        y = r.type.forward(r.args, tracked, x, mask, **extra)
        mask = r.type.compute_mask(r.args, x, mask)
        yield r, y, tracked
        if r.name == until:
            return
        x = y


def forward(model: Model, weights: dict, x, layer: str | None = None):
    """Output of the final layer (or of `layer`; the input layer's output is the input)."""
    y = x
    if layer == model.layers[0].name:
        return x
    for step in run_layers(model, weights, x, layer):
        y = step[1]
    return y


# -- verify -------------------------------------------------------------------------


def random_weights(model: Model, rng: random.Random) -> dict:
    rnd = rng.random

    def fill(shape, positive):  # uniform in [0.5, 1.5) for variances, [-0.5, 0.5) otherwise
        if len(shape) == 1:
            shift = 0.5 if positive else -0.5
            return [rnd() + shift for _ in range(shape[0])]
        return [fill(shape[1:], positive) for _ in range(shape[0])]

    def tree(decl: dict) -> dict:
        return {n: tree(v) if isinstance(v, dict) else fill(v, "variance" in n or "stddev" in n or n == "running_var")
                for n, v in decl.items()}

    return {r.name: tree(weight_tree(r)) for r in model.layers[1:] if weight_tree(r)}


def random_input(model: Model, rng: random.Random):
    shape = model.layers[0].output_shape
    first = model.layers[1] if len(model.layers) > 1 else None
    vocab = _vocabulary(first)

    def fill(s):
        if len(s) == 1:
            if vocab:
                return [rng.randrange(vocab) for _ in range(s[0])]
            return [rng.uniform(-1.0, 1.0) for _ in range(s[0])]
        return [fill(s[1:]) for _ in range(s[0])]

    return fill(shape)


def _vocabulary(r: LayerRecord | None) -> int | None:
    while r is not None and r.children and r.type.name == "TimeDistributed":
        r = r.children[0]
    if r is not None and r.type.name == "Embedding":
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
    shape = model.layers[0].output_shape
    axis = batch_axis(model.framework, model.spec.layers)
    first_error = None
    for length in (VARIABLE_LENGTH, 1, 2, 3, 4, 6, 8, 16, 32, 64):
        try:
            return concrete(model, tuple(batch if i == axis else length if d is None else d
                                         for i, d in enumerate(shape)))
        except SpecError as e:
            first_error = first_error or e
    raise SpecError(replace(first_error.problem, hint="verify found no small size for the variable (null) "
                            "axes that every layer accepts; give input.shape sizes"))


def verify(model: Model, seed: int = 0, batch: int = 2, force: bool = False) -> list[LayerCheck]:
    """Run the model on seeded random weights and input; check every layer."""
    model = concrete_for_verify(model, batch)
    guard(model, force)
    rng = random.Random(seed)
    weights = random_weights(model, rng)
    x = random_input(model, rng)
    checks = []
    steps = run_layers(model, weights, x)
    for r in model.layers[1:]:
        problems = []
        try:
            _, y, tracked = next(steps)
            tensors = y if isinstance(r.output_shape, list) else [y]  # several outputs: a list
            shapes = [shape_of(t) for t in tensors]
            actual = shapes if isinstance(r.output_shape, list) else shapes[0]
            if not all(check_shape(t, sh) for t, sh in zip(tensors, shapes)):
                problems.append("the output is not a rectangular tensor of numbers")
            training_only = {w.name.split("/")[-1] for w in r.weights if w.training_only}
            unread = [n for n in tracked.unread() if n.split("/")[-1] not in training_only]
            if unread:
                problems.append("declared weights never read: " + ", ".join(unread))
        except UndeclaredWeight as e:
            actual, y = (), None
            problems.append(f"the forward pass read a weight it does not declare: {e.args[0]}")
            steps = iter(())
        if actual != r.output_shape:
            problems.append(f"output shape {fmt_shape(actual)} differs from the shape rule's "
                            f"{fmt_shape(r.output_shape)}")
        if r.formula.value != r.params:
            problems.append(f"formula gives {r.formula.value:,} but the weight shapes hold {r.params:,}")
        checks.append(LayerCheck(r.name, r.output_shape, actual, r.formula.value, r.params, tuple(problems)))
        if y is None:
            break
    return checks


# -- run: checking what the user gives --------------------------------------------


def check_input(model: Model, x, file: str) -> Model:
    """Validate an input tensor against the model and return the concrete model."""
    want = model.layers[0].output_shape
    got = shape_of(x)
    problem = tensor_problem(x)
    if problem:
        raise SpecError(Problem(f"the input is not a tensor of numbers: {problem}", file=file,
                                hint="give a rectangular nested list of numbers, batch axis first"))
    fits = len(got) == len(want) and all(w is None or w == g for w, g in zip(want, got))
    if not fits or 0 in got:
        raise SpecError(Problem(f"input has shape {fmt_shape(got)} but the model takes {fmt_shape(want)}",
                                file=file, hint="give a nested list with the batch axis first"))
    return concrete(model, got)


def check_weights(model: Model, weights, file: str) -> None:
    if not isinstance(weights, dict):
        raise SpecError(Problem("weights must be a JSON object mapping layer names to tensors", file=file))
    known = {r.name: r for r in model.layers if r.type is not INPUT}
    for name in weights:
        if name not in known:
            raise SpecError(Problem(f"weights for '{name}', which is not a layer of the model", file=file,
                                    hint="layers: " + ", ".join(known)))
        if not weight_tree(known[name]):
            raise SpecError(Problem(f"weights for '{name}', a {known[name].display_type} layer, which has none",
                                    file=file, hint=f"remove the entry '{name}'"))
    for r in model.layers[1:]:
        if weight_tree(r):
            _check_tree(r, weights.get(r.name), weight_tree(r), "", file)


def _check_tree(r: LayerRecord, given, decl: dict, path: str, file: str):
    where = {"file": file, "layer": r.name, "layer_type": r.display_type}
    if not isinstance(given, dict):
        raise SpecError(Problem(f"no weights given (expected tensors {', '.join(flat_names(decl))})", **where))
    for name in given:
        if name not in decl and name not in r.type.ignored_tensors:
            raise SpecError(Problem(f"unknown tensor '{path}{name}'", hint="expected: " + ", ".join(decl),
                                    **where))
    for name, shape in decl.items():
        if name not in given:
            raise SpecError(Problem(f"tensor '{path}{name}' is missing", **where))
        if isinstance(shape, dict):
            _check_tree(r, given[name], shape, f"{path}{name}/", file)
            continue
        problem = tensor_problem(given[name])  # rectangular numbers, so shape_of is its shape
        if problem:
            raise SpecError(Problem(f"tensor '{path}{name}' is not a tensor of numbers: {problem}", **where))
        if shape_of(given[name]) != tuple(shape):
            raise SpecError(Problem(
                f"tensor '{path}{name}' has shape {fmt_shape(shape_of(given[name]))}, expected "
                f"{fmt_shape(shape)}", hint="lay it out as Keras 3 does (see the README)", **where))
