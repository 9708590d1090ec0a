"""Python source that builds a Keras model → the spec document, read with `ast`.

The code is parsed, never executed or imported. What is followed (contract
section 8): every Keras import spelling (`keras`, `tensorflow.keras`,
`tf.keras.X`, `from keras import layers`, Keras 1/2 module paths) and none at
all (a snippet pasted from a question); Sequential with a list or `.add()`,
`Input` first or added, `input_shape=`/`input_dim=`/`input_length=`/
`batch_input_shape=`/`batch_size=` on the first layer or a wrapper,
`model.build(shape)`; the functional API (`Input`, calls, `Model(inputs,
outputs)` positional or by keyword, Keras 1's `Model(input=, output=)`),
unpacking (`out, h, c = lstm(x)`, `out, *states = ...`), `initial_state=`,
shared layers and the merge functions. Values may be literals, module-level
names bound to values, arithmetic, tuples and lists, `len()` of a literal,
`int()`, `math.ceil`/`floor`.

Anything else that the model depends on (a loop adding layers, a function
that builds the model, `x_train.shape[1]`, an undefined name) is refused with
FILE:LINE:COL, the construct and what to write instead: a value that cannot
be followed is kept as an `Opaque` and fails only if the model uses it.
"""

from __future__ import annotations

import ast
import math
import operator

from lstmcalc.errors import Problem, SpecError
from lstmcalc.layers import KERAS, lookup
from lstmcalc.sources.keras_json import RENAMED, same_as_default
from lstmcalc.sources.yaml_text import MarkedDict, MarkedList

# keras_core: Keras 3 before its 3.0 release; tf_keras: Keras 2 for TensorFlow 2.16 and later
KERAS_ROOTS = {"keras", "tensorflow", "tf", "keras_core", "tf_keras"}
MERGE_FUNCTIONS = {"concatenate": "Concatenate", "add": "Add", "subtract": "Subtract", "multiply": "Multiply",
                   "average": "Average", "maximum": "Maximum", "minimum": "Minimum", "dot": "Dot"}
MODEL_CLASSES = {"Sequential", "Model", "Functional"}
# Keras's positional arguments, in order, where they are not the declared order
POSITIONAL = {"Embedding": ("input_dim", "output_dim"), "Conv1D": ("filters", "kernel_size", "strides", "padding"),
              "Dropout": ("rate",), "SpatialDropout1D": ("rate",), "GaussianNoise": ("stddev",),
              "Activation": ("activation",), "Reshape": ("target_shape",), "Permute": ("dims",),
              "RepeatVector": ("n",), "Bidirectional": ("layer", "merge_mode"), "TimeDistributed": ("layer",),
              "MaxPooling1D": ("pool_size", "strides", "padding"), "AveragePooling1D": ("pool_size", "strides",
                                                                                         "padding"),
              "Masking": ("mask_value",), "Concatenate": ("axis",), "Dot": ("axes",)}
# keyword arguments on a layer that give the Sequential model its input (Keras 2)
INPUT_KWARGS = ("input_shape", "input_dim", "input_length", "batch_input_shape", "batch_size", "batch_shape")
BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
          ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow}
STATES = {"LSTM": 2, "CuDNNLSTM": 2, "GRU": 1, "SimpleRNN": 1}
# layers on which Keras 1/2 took input_dim (and input_length) as the last two axes of the input
SEQUENCE_INPUT = {"LSTM", "CuDNNLSTM", "GRU", "SimpleRNN", "Conv1D"}


class Opaque:
    """A value lstmcalc does not follow: fails, naming the construct, when the model uses it."""

    def __init__(self, node, what: str, instead: str):
        self.node, self.what, self.instead = node, what, instead


class KerasName:
    """A Keras module (`keras`, `tf.keras.layers`) or a class/function in one (`LSTM`)."""

    def __init__(self, path: str):
        self.path = path

    @property
    def leaf(self) -> str:
        return self.path.rsplit(".", 1)[-1]


class Tensor:
    """A layer's output: output `index` of call `call` of `producer` (an Input has no producer)."""

    def __init__(self, ref: str, producer=None, call: int = 0, index: int = 0):
        self.ref = ref
        self.producer, self.call, self.index = producer, call, index


class Call:
    """One call of a layer on tensors, kept until the model is picked (only its ancestors are read)."""

    def __init__(self, layer, n: int, node, inputs, kwargs: dict):
        self.layer, self.n, self.node, self.inputs, self.kwargs = layer, n, node, inputs, kwargs


class InputTensor(Tensor):
    def __init__(self, entry: dict, name: str):
        super().__init__(name)
        self.entry = entry


class Layer:
    """A layer object: its class, arguments (marked) and the calls made on it."""

    def __init__(self, t, entry: MarkedDict, node, input_kwargs: dict):
        self.t, self.entry, self.node, self.input_kwargs = t, entry, node, input_kwargs
        self.calls = 0
        self.name: str | None = entry.get("name")
        self.notes: list[str] = []  # what Keras 3 would do differently with this layer

    def outputs(self) -> int:
        """How many tensors a call returns (several with return_state)."""
        inner = self.entry.get("layer") if isinstance(self.entry.get("layer"), dict) else None
        if self.entry.get("return_state"):
            return 1 + STATES.get(self.t.name, 1)
        if inner is not None and inner.get("return_state") and self.t.name == "Bidirectional":
            return 1 + 2 * STATES.get(inner["type"], 1)
        return 1


class SequentialModel:
    def __init__(self, node, name=None):
        self.node, self.name = node, name
        self.items: list = []  # Layer or InputTensor
        self.build_shape = None


class FunctionalModel:
    def __init__(self, node, inputs, outputs, name=None):
        self.node, self.inputs, self.outputs, self.name = node, inputs, outputs, name


class _Reader:
    def __init__(self, file: str):
        self.file = file
        self.env: dict = {}
        self.models: list[tuple[str, object]] = []  # (variable, model) in the order assigned
        self.counters: dict[str, int] = {}
        self.calls: list[Call] = []  # functional calls in order
        self.built_elsewhere: list[tuple[str, ast.AST, str]] = []  # models a function or loop builds
        self.notes: list[str] = []
        self.layers_made: list[Layer] = []
        self.functions: dict[str, ast.AST] = {}

    # -- errors -------------------------------------------------------------------
    def fail(self, node, message: str, hint: str | None = None):
        line = getattr(node, "lineno", None)
        col = getattr(node, "col_offset", None)
        raise SpecError(Problem(message, file=self.file, line=line, column=None if col is None else col + 1,
                                hint=hint))

    def need(self, value, node=None):
        """The value itself; an Opaque fails here, where the model uses it."""
        if isinstance(value, Opaque):
            self.fail(value.node, f"lstmcalc does not follow {value.what}", value.instead)
        if isinstance(value, (list, tuple)):
            for item in value:
                self.need(item)
        return value

    def source(self, node) -> str:
        try:
            return ast.unparse(node)[:60]
        except Exception:  # noqa: BLE001 - a description only
            return type(node).__name__

    # -- statements -----------------------------------------------------------------
    def run(self, tree: ast.Module):
        for stmt in tree.body:
            self.statement(stmt)

    def statement(self, stmt):
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            self.imports(stmt)
        elif isinstance(stmt, ast.Assign):
            value = self.value_of(stmt.value)
            for target in stmt.targets:
                self.assign(target, value, stmt)
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            self.assign(stmt.target, self.value_of(stmt.value), stmt)
        elif isinstance(stmt, ast.AugAssign):
            self.assign(stmt.target, Opaque(stmt, f"an augmented assignment ({self.source(stmt)})",
                                            "write the value out"), stmt)
        elif isinstance(stmt, ast.Expr):
            self.expression_statement(stmt.value)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.functions[stmt.name] = stmt
            self.env[stmt.name] = Opaque(stmt, f"the function {stmt.name}() (code inside functions is not read)",
                                         "build the model at module level, outside any function")
        elif isinstance(stmt, ast.ClassDef):
            self.env[stmt.name] = Opaque(stmt, f"the class {stmt.name} (a subclassed Keras model)",
                                         "write the model with Sequential or the functional API")
        elif isinstance(stmt, ast.If) and self.is_main(stmt.test):
            for s in stmt.body:
                self.statement(s)
        elif isinstance(stmt, (ast.With, ast.Try)):
            for s in stmt.body:
                self.statement(s)
        elif isinstance(stmt, (ast.For, ast.While, ast.If, ast.AsyncFor)):
            self.control_flow(stmt)

    def control_flow(self, stmt):
        """Loops and branches: skipped unless they build the model (then refused)."""
        for node in ast.walk(stmt):
            if isinstance(node, ast.Call):
                func = self.peek(node.func)
                building = isinstance(func, (KerasName, Layer)) or (
                    isinstance(node.func, ast.Attribute) and node.func.attr == "add" and
                    isinstance(self.peek(node.func.value), SequentialModel))
                if building:
                    what = {ast.If: "an if statement"}.get(type(stmt), "a loop")
                    self.fail(stmt, f"{what} that builds the model (line {node.lineno}: {self.source(node)})",
                              "write the layers out one by one at module level (lstmcalc reads code, it does "
                              "not run it)")
        for target in ast.walk(stmt):
            if isinstance(target, ast.Name) and isinstance(target.ctx, ast.Store):
                self.env[target.id] = Opaque(target, f"'{target.id}', assigned inside a loop or branch",
                                             "give it its value at module level")

    @staticmethod
    def is_main(test) -> bool:
        return (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and
                test.left.id == "__name__")

    def peek(self, node):
        """A name's binding without evaluating anything (for the loop check)."""
        if isinstance(node, ast.Name):
            value = self.env.get(node.id)
            if value is None and self.known_name(node.id):
                return KerasName(node.id)
            return value
        if isinstance(node, ast.Attribute):
            base = self.peek(node.value)
            if isinstance(base, KerasName):
                return KerasName(base.path + "." + node.attr)
        return None

    def imports(self, stmt):
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                root = alias.name.split(".")[0]
                bound = alias.asname or root
                if root in KERAS_ROOTS:
                    self.env[bound] = KerasName(alias.name if alias.asname else root)
                else:
                    self.env[bound] = Opaque(stmt, f"the module {alias.name}", "use literal sizes")
            return
        module = stmt.module or ""
        for alias in stmt.names:
            bound = alias.asname or alias.name
            if module.split(".")[0] in KERAS_ROOTS:
                self.env[bound] = KerasName(f"{module}.{alias.name}")
            elif alias.name == "*":
                continue
            else:
                self.env[bound] = Opaque(stmt, f"{alias.name} from {module}", "use literal sizes")

    def assign(self, target, value, stmt):
        if isinstance(target, ast.Name):
            self.env[target.id] = value
            if isinstance(value, (SequentialModel, FunctionalModel)):
                self.models.append((target.id, value))
            elif isinstance(value, Opaque) and self.builds_model(stmt.value):
                self.built_elsewhere.append((target.id, stmt.value, value.what))
            return
        if isinstance(target, (ast.Tuple, ast.List)):
            self.unpack(target, value, stmt)
            return
        # x[0] = ..., obj.attr = ...: no effect on the model unless it is used later
        for node in ast.walk(target):
            if isinstance(node, ast.Name) and isinstance(self.env.get(node.id), (SequentialModel, Layer)):
                self.fail(stmt, f"an assignment to {self.source(target)}", "set it in the constructor")

    def builds_model(self, node) -> bool:
        """Whether `node` calls a function of this file that makes a Keras model (Sequential, Model)."""
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            return False
        func = self.functions.get(node.func.id)
        return func is not None and self.makes_model(func)

    @staticmethod
    def makes_model(func) -> bool:
        """Whether a function's body makes a Keras model (a call of Sequential, Model or Functional)."""
        for sub in ast.walk(func):
            if isinstance(sub, ast.Call):
                name = sub.func.attr if isinstance(sub.func, ast.Attribute) else getattr(sub.func, "id", "")
                if name in MODEL_CLASSES:
                    return True
        return False

    def unpack(self, target, value, stmt):
        items = value
        if isinstance(value, Opaque):
            items = [value] * len(target.elts)
        if not isinstance(items, (list, tuple)):
            self.fail(stmt, f"unpacking {self.source(stmt.value)}, which is not several values",
                      "call a layer with return_state=True to get several outputs")
        starred = [i for i, e in enumerate(target.elts) if isinstance(e, ast.Starred)]
        if starred:
            k = starred[0]
            after = len(target.elts) - k - 1
            parts = list(items[:k]) + [list(items[k:len(items) - after])] + list(items[len(items) - after:])
        else:
            parts = list(items)
        if len(parts) != len(target.elts):
            self.fail(stmt, f"unpacking {len(items)} values into {len(target.elts)} names",
                      "an LSTM with return_state=True returns 3 tensors (output, h, c); a GRU 2")
        for elt, part in zip(target.elts, parts):
            self.assign(elt.value if isinstance(elt, ast.Starred) else elt, part, stmt)

    def expression_statement(self, node):
        if not isinstance(node, ast.Call):
            return
        func = node.func
        if isinstance(func, ast.Attribute):
            owner = self.env.get(func.value.id) if isinstance(func.value, ast.Name) else None
            if isinstance(owner, SequentialModel):
                if func.attr == "add":
                    if len(node.args) != 1:
                        self.fail(node, "model.add() takes one layer")
                    owner.items.append(self.sequential_item(self.value_of(node.args[0]), node.args[0]))
                elif func.attr == "build":
                    arg = node.args[0] if node.args else next((k.value for k in node.keywords
                                                               if k.arg == "input_shape"), None)
                    if arg is not None:
                        owner.build_shape = (self.need(self.value_of(arg)), arg)
                return
        # print(...), model.summary(), model.compile(...): no effect on the model's shapes
        if isinstance(func, ast.Attribute) and func.attr in ("summary", "compile", "fit", "evaluate",
                                                              "predict", "save", "plot_model"):
            return
        self.value_of(node)

    # -- expressions ----------------------------------------------------------------
    def known_name(self, name: str) -> bool:
        return (lookup(KERAS, name) is not None or name in ("Input", "InputLayer") or name in MODEL_CLASSES
                or name in MERGE_FUNCTIONS or name in ("CuDNNGRU",))

    def value_of(self, node):
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, (ast.Tuple, ast.List)):
            values = [self.value_of(e) for e in node.elts]
            return tuple(values) if isinstance(node, ast.Tuple) else values
        if isinstance(node, ast.Name):
            if node.id in self.env:
                return self.env[node.id]
            if node.id in ("True", "False", "None"):
                return {"True": True, "False": False, "None": None}[node.id]
            if self.known_name(node.id) or node.id in ("keras", "tf"):
                return KerasName(node.id)  # a snippet without imports: Keras's names mean Keras's classes
            if node.id in ("layers", "models"):
                return KerasName(f"keras.{node.id}")
            return Opaque(node, f"the name '{node.id}', which the file never defines",
                          "define it at module level with a literal value")
        if isinstance(node, ast.Attribute):
            base = self.value_of(node.value)
            if isinstance(base, KerasName):
                return KerasName(f"{base.path}.{node.attr}")
            if isinstance(base, Opaque):
                return Opaque(node, f"{self.source(node)} (a value known only when the code runs)",
                              "write the number itself")
            return Opaque(node, f"the attribute {self.source(node)}", "write the value itself")
        if isinstance(node, ast.BinOp) and type(node.op) in BINOPS:
            left, right = self.value_of(node.left), self.value_of(node.right)
            if isinstance(left, Opaque) or isinstance(right, Opaque):
                return left if isinstance(left, Opaque) else right
            try:
                return BINOPS[type(node.op)](left, right)
            except Exception:  # noqa: BLE001 - arithmetic lstmcalc cannot do
                return Opaque(node, f"the expression {self.source(node)}", "write the value itself")
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            v = self.value_of(node.operand)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                return -v if isinstance(node.op, ast.USub) else v
            return Opaque(node, f"the expression {self.source(node)}", "write the value itself")
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Subscript):
            base = self.value_of(node.value)
            if isinstance(base, (Tensor, list)) and any(isinstance(b, Tensor) for b in
                                                        (base if isinstance(base, list) else [base])):
                if isinstance(base, list):
                    index = self.value_of(node.slice)
                    if isinstance(index, int):
                        return base[index]
                self.fail(node, f"indexing a tensor ({self.source(node)})",
                          "use a layer (e.g. Lambda is not read; Cropping or Reshape), or unpack the outputs")
            return Opaque(node, f"the subscript {self.source(node)} (a value known only when the code runs)",
                          "write the number itself")
        return Opaque(node, f"the expression {self.source(node)}", "write a literal value")

    def call(self, node):
        func = self.value_of(node.func)
        if isinstance(func, Layer):
            return self.layer_call(func, node)
        if isinstance(func, (SequentialModel, FunctionalModel)):
            self.fail(node, "calling a model on a tensor (a model inside a model)",
                      "lstmcalc reads flat models: call the inner model's layers directly")
        if isinstance(node.func, ast.Name) and node.func.id in ("len", "int", "float", "max", "min"):
            args = [self.value_of(a) for a in node.args]
            if any(isinstance(a, Opaque) for a in args) or node.keywords:
                return next((a for a in args if isinstance(a, Opaque)), None) or Opaque(
                    node, self.source(node), "write the value itself")
            try:
                return {"len": len, "int": int, "float": float, "max": max, "min": min}[node.func.id](*args)
            except Exception:  # noqa: BLE001
                return Opaque(node, f"the expression {self.source(node)}", "write the value itself")
        if isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name) and \
                node.func.value.id == "math" and node.func.attr in ("ceil", "floor", "sqrt"):
            args = [self.value_of(a) for a in node.args]
            if len(args) == 1 and isinstance(args[0], (int, float)):
                return getattr(math, node.func.attr)(args[0])
        if isinstance(func, KerasName):
            return self.keras_call(func, node)
        if isinstance(func, Opaque):
            return Opaque(node, f"{self.source(node)}: {func.what}", func.instead)
        return Opaque(node, f"the call {self.source(node)} (a function's result)",
                      "write the value or the layers out at module level")

    def kwargs(self, node) -> dict:
        out = {}
        for k in node.keywords:
            if k.arg is None:
                self.fail(k.value, f"**{self.source(k.value)} (keyword arguments from a mapping)",
                          "write the keyword arguments out")
            out[k.arg] = (self.value_of(k.value), k.value)
        return out

    def keras_call(self, func: KerasName, node):
        leaf = func.leaf
        if leaf in ("Input", "InputLayer"):
            return self.input_tensor(node)
        if leaf == "Sequential":
            return self.sequential(node)
        if leaf in ("Model", "Functional"):
            return self.functional(node)
        if leaf in MERGE_FUNCTIONS:
            kw = self.kwargs(node)
            layer = self.make_layer(MERGE_FUNCTIONS[leaf], node, [], {k: v for k, v in kw.items() if k != "inputs"})
            first = node.args[0] if node.args else kw.get("inputs", (None, None))[1]
            if first is None:
                self.fail(node, f"{leaf}() without its list of tensors")
            return self.layer_call(layer, node, first, call_kwargs=False)
        if leaf[:1].islower():
            return Opaque(node, f"the function {func.path}()", "write the layers out")
        return self.make_layer(leaf, node, node.args, self.kwargs(node))

    def input_tensor(self, node) -> InputTensor:
        kw = self.kwargs(node)
        shape = self.need(self.value_of(node.args[0])) if node.args else None
        batch = None
        if "shape" in kw:
            shape = self.need(kw["shape"][0], kw["shape"][1])
        if "batch_shape" in kw or "batch_input_shape" in kw:
            full = self.need((kw.get("batch_shape") or kw.get("batch_input_shape"))[0])
            batch, shape = full[0], list(full[1:])
        if "batch_size" in kw:
            batch = self.need(kw["batch_size"][0])
        if shape is None:
            self.fail(node, "Input() without a shape", "write Input(shape=(50, 10))")
        if isinstance(shape, int):
            shape = [shape]
        name = self.need(kw["name"][0]) if "name" in kw else None
        if name is None:
            name = self.auto_name("input_layer")
        entry = MarkedDict(shape=list(shape), name=name)
        entry.line, entry.column = node.lineno, node.col_offset + 1
        if "dtype" in kw and self.need(kw["dtype"][0]) not in (None, "float32"):
            entry["dtype"] = self.need(kw["dtype"][0])
        t = InputTensor(entry, name)
        t.batch = batch
        return t

    def auto_name(self, base: str) -> str:
        n = self.counters.get(base, 0)
        self.counters[base] = n + 1
        return base if n == 0 else f"{base}_{n}"

    def make_layer(self, cls: str, node, args, kw: dict) -> Layer:
        original = cls
        cls = {"CuDNNGRU": "GRU"}.get(cls, cls)
        t = lookup(KERAS, cls)
        entry = MarkedDict(type=cls if t is None else t.name)
        entry.line, entry.column = node.lineno, node.col_offset + 1
        entry.key_marks["type"] = (node.lineno, node.col_offset + 1)
        if t is None:  # the validator names the unknown class (with a did-you-mean)
            return Layer(None, entry, node, {})
        declared = [a.name for a in t.args]
        order = POSITIONAL.get(t.name, tuple(declared))
        for i, arg in enumerate(args):
            if i >= len(order):
                self.fail(arg, f"{t.name} takes at most {len(order)} positional arguments here",
                          "write the rest as keyword arguments")
            kw = {order[i]: (self.value_of(arg), arg), **kw}
        input_kwargs = {}
        notes: list[str] = []
        declared_args = {a.name: a for a in t.all_args}
        for key, (value, vnode) in kw.items():
            if key in INPUT_KWARGS or (key == "input_dim" and t.name != "Embedding"):
                input_kwargs[key] = (self.need(value), vnode)
                if key not in ("input_dim", "input_length") or t.name != "Embedding":
                    continue
            if key not in {a.name for a in t.all_args} and key in RENAMED:
                key = RENAMED[key]
            if isinstance(value, Layer):
                value = value.entry
                value.pop("name", None)
            else:
                value = self.need(value)
            if isinstance(value, tuple):
                value = list(value)
            if key == "input_length" and t.name == "Embedding":
                continue
            if key in declared_args and key != "name" and same_as_default(declared_args[key], value):
                continue
            entry[key] = value
            entry.key_marks[key] = (vnode.lineno, vnode.col_offset + 1)
        if original == "CuDNNGRU":
            entry["reset_after"] = True
            notes.append(f"line {node.lineno}: CuDNNGRU is Keras 2's; read as GRU(reset_after=True), "
                              "which counts the same (Keras 3 has no CuDNNGRU)")
        if t.name == "CuDNNLSTM":
            notes.append(f"line {node.lineno}: CuDNNLSTM is Keras 2's and counts two bias vectors; "
                              "Keras 3 has no CuDNNLSTM, and its LSTM counts 4 × units fewer")
        inner = entry.get("layer")
        layer = Layer(t, entry, node, input_kwargs)
        layer.notes = notes
        self.layers_made.append(layer)
        if layer.name is None:  # Keras names a layer when it is made (a wrapped layer before its wrapper)
            layer.name = self.auto_name(t.auto_name)
        for wrapped in args + [k.value for k in node.keywords]:
            v = self.env.get(wrapped.id) if isinstance(wrapped, ast.Name) else None
            if isinstance(v, Layer) and v.input_kwargs and not input_kwargs:
                layer.input_kwargs = v.input_kwargs
        if isinstance(inner, dict) and not layer.input_kwargs:
            sub = next((a for a in [*args, *(k.value for k in node.keywords)] if isinstance(a, ast.Call)), None)
            layer.input_kwargs = getattr(self, "_last_input_kwargs", {}) if sub is not None else {}
        self._last_input_kwargs = layer.input_kwargs
        return layer

    def layer_call(self, layer: Layer, node, first=None, call_kwargs: bool = True):
        if layer.t is None:
            return Tensor("?")
        first = first if first is not None else (node.args[0] if node.args else None)
        kw = self.kwargs(node) if call_kwargs else {}
        if first is None:
            first_kw = kw.pop("inputs", None)
            if first_kw is None:
                self.fail(node, f"calling {layer.t.name} without an input tensor")
            value = first_kw[0]
        else:
            value = self.value_of(first)
        self.refs(value, first if first is not None else node)  # fails here on what is not a tensor
        layer.entry["name"] = layer.name
        n = layer.calls
        layer.calls += 1
        call = {}
        for key, (v, vnode) in kw.items():
            if key in ("initial_state", "mask"):
                self.refs(v, vnode)
                call[key] = self.need(v)
            elif key in ("training",):
                continue
            elif isinstance(v, bool):
                call[key] = v
            else:
                self.fail(vnode, f"the call argument {key}= (lstmcalc reads initial_state, mask and flags)")
        self.calls.append(Call(layer, n, node, self.need(value), call))
        k = layer.outputs()
        if k == 1:
            return Tensor(self.ref(layer.name, n, 0), layer, n, 0)
        return [Tensor(self.ref(layer.name, n, i), layer, n, i) for i in range(k)]

    @staticmethod
    def ref(name, node, index) -> str:
        if node == 0:
            return name if index == 0 else f"{name}[{index}]"
        return f"{name}[{node}][{index}]"

    def refs(self, value, node):
        value = self.need(value)
        if isinstance(value, Tensor):
            return value.ref
        if isinstance(value, (list, tuple)) and value and all(isinstance(v, Tensor) for v in value):
            return [v.ref for v in value]
        self.fail(node, f"{self.source(node)} is not a tensor (an Input or a layer's output)",
                  "call layers on tensors made with Input(...)")

    # -- models ---------------------------------------------------------------------
    def sequential_item(self, value, node):
        value = self.need(value)
        if isinstance(value, (Layer, InputTensor)):
            return value
        self.fail(node, f"{self.source(node)} is not a layer", "add layers such as LSTM(64)")

    def sequential(self, node) -> SequentialModel:
        kw = self.kwargs(node)
        model = SequentialModel(node, self.need(kw["name"][0]) if "name" in kw else None)
        layers = node.args[0] if node.args else (kw["layers"][1] if "layers" in kw else None)
        if layers is not None:
            items = self.value_of(layers)
            if not isinstance(items, list):
                self.fail(layers, "Sequential() takes a list of layers", "write Sequential([LSTM(64), Dense(1)])")
            for item, item_node in zip(items, layers.elts):
                model.items.append(self.sequential_item(item, item_node))
        return model

    def functional(self, node) -> FunctionalModel:
        kw = self.kwargs(node)
        inputs = kw.get("inputs") or kw.get("input")
        outputs = kw.get("outputs") or kw.get("output")
        args = list(node.args)
        if inputs is None and args:
            inputs = (self.value_of(args[0]), args[0])
        if outputs is None and len(args) > 1:
            outputs = (self.value_of(args[1]), args[1])
        if inputs is None or outputs is None:
            self.fail(node, "Model() without inputs and outputs (a subclassed model?)",
                      "write Model(inputs=inp, outputs=out)")
        ins = self.need(inputs[0])
        ins = ins if isinstance(ins, (list, tuple)) else [ins]
        if not all(isinstance(i, InputTensor) for i in ins):
            self.fail(inputs[1], f"the model's inputs {self.source(inputs[1])} are not Input(...) tensors")
        self.refs(outputs[0], outputs[1])
        name = self.need(kw["name"][0]) if "name" in kw else None
        return FunctionalModel(node, list(ins), outputs, name)

    # -- the document ---------------------------------------------------------------
    def pick(self, wanted: str | None):
        last_line = self.models[-1][1].node.lineno if self.models else 0
        later = [b for b in self.built_elsewhere if b[1].lineno > last_line and
                 (wanted is None or b[0] == wanted)]
        if later and (wanted is None or wanted not in [n for n, _ in self.models]):
            name, node, _ = later[-1]
            self.fail(node, f"'{name}' is the model that {self.source(node)} builds inside a function "
                            "(code inside functions is not read)",
                      "build the model at module level, outside any function, or pick another with --model NAME")
        builders = [f for f in self.functions.values() if self.makes_model(f)]
        if not self.models and builders:
            f = builders[-1]
            self.fail(f, f"the model is built inside the function {f.name}() (code inside functions is not read)",
                      "build the model at module level, outside any function")
        if not self.models:
            hint = ("the file never assigns a Keras model (Sequential(...) or Model(inputs, outputs)) at module "
                    "level")
            raise SpecError(Problem("no Keras model found in the source", file=self.file,
                                    hint=hint + "; for PyTorch, the file needs an nn.Module class"))
        names = [n for n, _ in self.models]
        if wanted is not None:
            for n, m in reversed(self.models):
                if n == wanted:
                    return n, m
            raise SpecError(Problem(f"no model named '{wanted}' in the source", file=self.file,
                                    hint="models: " + ", ".join(dict.fromkeys(names))))
        name, model = self.models[-1]
        others = [n for n in dict.fromkeys(names) if n != name]
        if others:
            self.notes.append(f"the file builds other models too ({', '.join(others)}); "
                              f"this is '{name}' (the last); pick one with --model NAME")
        return name, model

    def document(self, wanted: str | None) -> MarkedDict:
        _, model = self.pick(wanted)
        if isinstance(model, SequentialModel):
            layers = [i for i in model.items if isinstance(i, Layer)]
            doc = self.sequential_document(model)
        else:
            layers = [e for e in self.layers_made if e.calls]
            doc = self.functional_document(model)
        self.notes[:0] = [n for layer in layers for n in layer.notes]
        return doc

    def sequential_document(self, model: SequentialModel) -> MarkedDict:
        items = list(model.items)
        doc = MarkedDict()
        doc.line, doc.column = model.node.lineno, model.node.col_offset + 1
        if model.name:
            doc["name"] = model.name
        shape, dtype, batch = None, None, None
        if items and isinstance(items[0], InputTensor):
            first = items.pop(0)
            shape, dtype, batch = first.entry["shape"], first.entry.get("dtype"), getattr(first, "batch", None)
        if not items:
            self.fail(model.node, "the Sequential model has no layers")
        if any(isinstance(i, InputTensor) for i in items):
            self.fail(model.node, "an Input in the middle of a Sequential model", "put Input first")
        if shape is None:
            shape, dtype, batch = self.sequential_input(model, items[0])
        doc["input"] = MarkedDict(shape=list(shape))
        if dtype:
            doc["input"]["dtype"] = dtype
        if batch is not None:
            doc["batch_size"] = batch
        layers = MarkedList()
        for layer in items:
            if layer.calls:
                self.fail(layer.node, "a layer used both in a Sequential model and called on a tensor",
                          "use a new layer object in each model")
            layers.append(layer.entry)
        doc["layers"] = layers
        return doc

    def sequential_input(self, model, first: Layer):
        kw = {k: v[0] for k, v in first.input_kwargs.items()}
        batch = kw.get("batch_size")
        dtype = None
        if first.t is not None and first.t.name == "Embedding":
            dtype = "int32"
        if kw.get("batch_input_shape") or kw.get("batch_shape"):
            full = list(kw.get("batch_input_shape") or kw.get("batch_shape"))
            batch, shape = full[0], full[1:]
            self.notes.append(f"line {first.node.lineno}: batch_input_shape sets the batch to {batch}, as in "
                              "Keras 2; Keras 3 refuses batch_input_shape (write keras.Input(batch_shape=...))")
        elif kw.get("input_shape") is not None:
            shape = kw["input_shape"]
            shape = [shape] if isinstance(shape, int) else list(shape)
        elif first.t is not None and first.t.name == "Embedding":
            length = kw.get("input_length")
            shape = [length]
            if length is not None:
                self.notes.append(f"line {first.node.lineno}: Embedding's input_length={length} gives the input "
                                  f"(None, {length}) as Keras 2 built it; Keras 3 ignores input_length and leaves "
                                  "this model unbuilt (write keras.Input(shape=(" f"{length},)) first)")
        elif kw.get("input_dim") is not None and first.t is not None and first.t.name in SEQUENCE_INPUT:
            # Keras 1/2 read input_dim on a recurrent or Conv1D layer as input_shape=(input_length, input_dim)
            shape = [kw.get("input_length"), kw["input_dim"]]
            self.notes.append(f"line {first.node.lineno}: {first.t.name}(input_dim={kw['input_dim']}) gives the "
                              f"input (None, {shape[0]}, {shape[1]}) as Keras 1 and 2 built it; Keras 3 reads it as "
                              f"the shape ({kw['input_dim']},) and refuses the {first.t.name} (write "
                              f"keras.Input(shape=({shape[0]}, {shape[1]})) first)")
        elif kw.get("input_dim") is not None:
            shape = [kw["input_dim"]]
        elif model.build_shape is not None:
            full, node = model.build_shape
            full = list(full)
            batch, shape = full[0], full[1:]
        else:
            self.fail(first.node, "the Sequential model gives no input shape",
                      "add Input(shape=(...)) first, input_shape= on the first layer, or model.build(...)")
        return shape, dtype, batch

    def functional_document(self, model: FunctionalModel) -> MarkedDict:
        doc = MarkedDict()
        doc.line, doc.column = model.node.lineno, model.node.col_offset + 1
        if model.name:
            doc["name"] = model.name
        doc["inputs"] = MarkedList(i.entry for i in model.inputs)
        batch = {getattr(i, "batch", None) for i in model.inputs} - {None}
        if batch:
            doc["batch_size"] = batch.pop()
        doc["layers"] = self.functional_layers(model)
        if not doc["layers"]:
            self.fail(model.node, "the model calls no layers")
        outs = self.need(model.outputs[0])
        doc["outputs"] = [self.new_ref(t) for t in (outs if isinstance(outs, (list, tuple)) else [outs])]
        return doc

    def functional_layers(self, model: FunctionalModel) -> MarkedList:
        """The calls the model's outputs depend on, in order; calls made for other models are left out
        and each layer's calls are numbered among those kept (Keras numbers them among all)."""
        by_key = {(id(c.layer), c.n): c for c in self.calls}
        needed: set = set()
        stack = list(self.tensors_in(self.need(model.outputs[0])))
        while stack:
            t = stack.pop()
            if t.producer is None or (id(t.producer), t.call) in needed:
                continue
            needed.add((id(t.producer), t.call))
            c = by_key[(id(t.producer), t.call)]
            stack += self.tensors_in(c.inputs) + [x for v in c.kwargs.values() for x in self.tensors_in(v)]
        self._renumber: dict = {}
        layers = MarkedList()
        for c in self.calls:
            if (id(c.layer), c.n) not in needed:
                continue
            new_n = sum(1 for key in self._renumber if key[0] == id(c.layer))
            self._renumber[(id(c.layer), c.n)] = new_n
            if new_n == 0:
                entry = c.layer.entry
            else:
                entry = MarkedDict(call=c.layer.name)
                entry.line, entry.column = c.node.lineno, c.node.col_offset + 1
            entry["inputs"] = self.new_ref(c.inputs)
            call = {k: v if isinstance(v, bool) else self.new_ref(v) for k, v in c.kwargs.items()}
            if call:
                entry["call" if new_n == 0 else "kwargs"] = call
            layers.append(entry)
        return layers

    @staticmethod
    def tensors_in(value) -> list:
        if isinstance(value, Tensor):
            return [value]
        if isinstance(value, (list, tuple)):
            return [v for v in value if isinstance(v, Tensor)]
        return []

    def new_ref(self, value):
        """A tensor's reference in the picked model's spec (its producer's calls renumbered)."""
        if isinstance(value, (list, tuple)):
            return [self.new_ref(v) for v in value]
        if value.producer is None:
            return value.ref
        n = self._renumber[(id(value.producer), value.call)]
        if n == 0 and value.producer.outputs() > 1:
            return f"{value.producer.name}[{value.index}]"
        return self.ref(value.producer.name, n, value.index)


MAX_NODES = 200_000


def to_document(text: str, file: str, model: str | None = None, input_shape=None, init=None):
    """The spec document (marked with the source's lines) and notes for Python source."""
    try:
        tree = ast.parse(text, filename=file)
    except SyntaxError as e:
        raise SpecError(Problem(f"Python syntax error: {e.msg}", file=file, line=e.lineno, column=e.offset,
                                hint="lstmcalc reads the code as Python; fix the syntax")) from None
    except (ValueError, RecursionError, MemoryError) as e:
        raise SpecError(Problem(f"cannot parse the Python source: {str(e)[:100]}", file=file)) from None
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise SpecError(Problem("the Python source is too large to read", file=file,
                                hint="give the file that builds the model"))
    if is_torch(tree):
        from lstmcalc.sources import python_torch

        return python_torch.to_document(tree, file, model, input_shape, init)
    reader = _Reader(file)
    reader.run(tree)
    return reader.document(model), reader.notes


def is_torch(tree) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for base in node.bases:
                text = ast.unparse(base)
                if text in ("nn.Module", "torch.nn.Module", "Module"):
                    return True
        if isinstance(node, ast.Call) and ast.unparse(node.func).startswith(("nn.", "torch.")):
            return True  # a snippet without imports: nn.Sequential(...), torch.nn.LSTM(...)
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            mod = getattr(node, "module", None) or ""
            names = [a.name for a in node.names]
            if mod.startswith("torch") or any(n.startswith("torch") for n in names):
                return True
    return False
