"""PyTorch source (an `nn.Module` read with `ast`) → a `framework: pytorch` graph document.

The code is parsed, never executed or imported. What is followed (contract
section 8): an `nn.Module` subclass whose `__init__` creates modules
(`self.lstm = nn.LSTM(...)`, `nn.Sequential(...)`, sizes from the
constructor's arguments, their defaults, or `--init`), and whose `forward`
is straight-line code: module calls (tuple unpacking `out, (h_n, c_n) =
self.lstm(x)`, initial states made with `torch.zeros(...)` and moved with
`.to(device)`), `torch.cat`, `+`, indexing one axis (`out[:, -1, :]`,
`h_n[-1]`), `.view`/`.reshape`/`.permute`/`.transpose`/`.squeeze`/
`.unsqueeze`/`.mean`/`.flatten`, `x.size(0)`/`x.shape[0]`, functional
activations (`F.relu`, `torch.tanh`...); `print` and other calls with no
effect on tensors are skipped. A module-level `model = nn.Sequential(...)`
is read too.

The result is the graph a torch YAML spec would give: one entry per module
(named as `named_modules()` names it: `lstm`, `classifier.0`), a module
called twice is called again (`{call: NAME}`), and the tensor operations
between modules become the dialect's pseudo steps (`LastTimestep`,
`HiddenState`, `Select`, `View`, `Permute`, `Transpose`, `Mean`, `Cat`,
`Add`...).

Anything else the model depends on (a loop adding layers, a function that
builds the model, `getattr(nn, name)`, a loop over time in `forward`, an
undefined name, a misspelt keyword, a class torch.nn does not have) is
refused with FILE:LINE:COL, the construct and what to write instead.
"""

from __future__ import annotations

import ast
import difflib
import math
import operator

from lstmcalc.errors import Problem, SpecError
from lstmcalc.layers import PYTORCH

PSEUDO = {"LastTimestep", "HiddenState", "Transpose", "Unsqueeze", "Cat", "Add", "View", "Permute", "Select", "Mean",
          "Scale"}
MODULES = {n: t for n, t in PYTORCH.items() if n not in PSEUDO}
# torch.nn classes that exist but that lstmcalc does not model (told apart from a misspelt name)
NOT_MODELLED = {
    "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "MaxPool2d", "AvgPool2d", "BatchNorm2d", "BatchNorm3d",
    "InstanceNorm1d", "GroupNorm", "Softplus", "Softsign", "SELU", "SiLU", "Mish", "Hardtanh",
    "Transformer", "TransformerDecoder", "TransformerDecoderLayer", "Bilinear", "EmbeddingBag", "Unflatten",
    "AdaptiveAvgPool2d", "AdaptiveMaxPool2d", "Dropout1d", "Dropout2d", "AlphaDropout", "Upsample", "ZeroPad1d",
    "ConstantPad1d", "Softmin", "Threshold", "GLU", "CrossEntropyLoss", "MSELoss", "CTCLoss", "Parameter",
    "ParameterList", "ModuleDict", "ModuleList", "RNNBase", "RNNCellBase", "LazyLinear",
} - set(PYTORCH)  # a class the dialect models is read, whatever this list says
FUNCTIONAL = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "gelu": "GELU", "elu": "ELU",
              "leaky_relu": "LeakyReLU", "softmax": "Softmax", "log_softmax": "LogSoftmax", "dropout": "Dropout"}
# tensor methods and functions that return their input unchanged (in shape and, at inference, in value)
IDENTITY = {"to", "cuda", "cpu", "float", "double", "contiguous", "detach", "clone", "requires_grad_", "type",
            "Variable", "type_as", "half"}
BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
          ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow}
COMPARE = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
           ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Is: operator.is_, ast.IsNot: operator.is_not,
           ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b}
DEFAULT_ALIASES = {"nn": "torch.nn", "F": "torch.nn.functional", "torch": "torch"}


class Opaque:
    """A value lstmcalc does not follow: fails, naming the construct, when the model uses it."""

    def __init__(self, node, what: str, instead: str):
        self.node, self.what, self.instead = node, what, instead


class Unmodelled(Opaque):
    """A torch.nn module that lstmcalc does not model (a loss in __init__): fails only if forward() calls it."""

    def __init__(self, node, what: str, instead: str, cls: str):
        super().__init__(node, what, instead)
        self.cls = cls


class Batch:
    """The batch size N (x.size(0) of a batch-first tensor): a view writes it as null."""


BATCH = Batch()


class Path:
    """A dotted name in torch (`torch.nn.LSTM`, `torch.nn.functional.relu`)."""

    def __init__(self, path: str):
        self.path = path

    @property
    def leaf(self) -> str:
        return self.path.rsplit(".", 1)[-1]


class Module:
    """A torch module made in __init__: its type, arguments and source node."""

    def __init__(self, type_name: str, args: dict, node, marks: dict):
        self.type_name, self.args, self.node, self.marks = type_name, args, node, marks
        self.name: str | None = None
        self.calls = 0
        self.nested = False


class Sequential:
    def __init__(self, children: list, node):
        self.children, self.node = children, node
        self.name: str | None = None


class Tensor:
    """A tensor in forward: its graph reference (`lstm[1]`), and whether it is a recurrent module's final state."""

    def __init__(self, ref: str, state: str | None = None):
        self.ref, self.state = ref, state  # state: "h_n" or "c_n" when a recurrent module returned it


class Zeros:
    """torch.zeros(...) in forward: an initial state (torch's default when none is given)."""

    def __init__(self, node):
        self.node = node


class SelfRef:
    """`self` inside the class: attributes set in __init__."""


def _fail(file, node, message, hint=None):
    line = getattr(node, "lineno", None)
    col = getattr(node, "col_offset", None)
    raise SpecError(Problem(message, file=file, line=line, column=None if col is None else col + 1, hint=hint))


def _source(node) -> str:
    try:
        text = ast.unparse(node)
    except Exception:  # noqa: BLE001 - a description only
        return type(node).__name__
    return text if len(text) <= 60 else text[:57] + "..."


class _Scope:
    """Evaluates expressions of module-level code and __init__ to Python values, modules and Opaques."""

    def __init__(self, reader, names: dict):
        self.reader, self.names = reader, names

    @property
    def file(self):
        return self.reader.file

    def need(self, value, node):
        if isinstance(value, Opaque):
            _fail(self.file, value.node, f"lstmcalc does not follow {value.what}", value.instead)
        if isinstance(value, (list, tuple)):
            for v in value:
                self.need(v, node)
        return value

    def value(self, node):  # noqa: C901 - one case per expression kind
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, (ast.Tuple, ast.List)):
            items = [self.value(e) for e in node.elts]
            return tuple(items) if isinstance(node, ast.Tuple) else items
        if isinstance(node, ast.UnaryOp):
            v = self.value(node.operand)
            if isinstance(v, (int, float)) and not isinstance(v, Opaque):
                if isinstance(node.op, ast.USub):
                    return -v
                if isinstance(node.op, ast.UAdd):
                    return v
            if isinstance(node.op, ast.Not) and not isinstance(v, Opaque):
                return not v
            return Opaque(node, f"the expression {_source(node)}", "write the value out")
        if isinstance(node, ast.BinOp) and type(node.op) in BINOPS:
            a, b = self.value(node.left), self.value(node.right)
            if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) | \
                    isinstance(b, bool):
                try:
                    return BINOPS[type(node.op)](a, b)
                except (ArithmeticError, ValueError):
                    return Opaque(node, f"the expression {_source(node)} (it fails in Python)", "fix it")
            return Opaque(node, f"the expression {_source(node)}", "write the value out")
        if isinstance(node, ast.BoolOp):
            values = [self.value(v) for v in node.values]
            if any(isinstance(v, Opaque) for v in values):
                return next(v for v in values if isinstance(v, Opaque))
            out = values[0]
            for v in values[1:]:
                out = (out and v) if isinstance(node.op, ast.And) else (out or v)
            return out
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in COMPARE:
            a, b = self.value(node.left), self.value(node.comparators[0])
            if isinstance(a, Opaque) or isinstance(b, Opaque):
                return a if isinstance(a, Opaque) else b
            try:
                return COMPARE[type(node.ops[0])](a, b)
            except TypeError:
                return Opaque(node, f"the comparison {_source(node)}", "write the value out")
        if isinstance(node, ast.IfExp):
            test = self.value(node.test)
            if isinstance(test, Opaque):
                return test
            return self.value(node.body if test else node.orelse)
        if isinstance(node, ast.Attribute):
            return self.attribute(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Dict) and None not in node.keys:
            keys, values = [self.value(k) for k in node.keys], [self.value(v) for v in node.values]
            if not any(isinstance(k, Opaque) or isinstance(k, (list, dict)) for k in keys):
                return dict(zip(keys, values))
        if isinstance(node, ast.Subscript):
            base, key = self.value(node.value), self.value(node.slice)
            if isinstance(base, (dict, list, tuple, str)) and isinstance(key, (int, str)):
                try:
                    return base[key]
                except (KeyError, IndexError, TypeError):
                    return Opaque(node, f"{_source(node)} (it fails in Python)", "fix the index")
        return Opaque(node, f"the expression {_source(node)}", "write the value out")

    def name(self, node):
        if node.id in self.names:
            return self.names[node.id]
        return self.reader.global_name(node)

    def attribute(self, node):
        base = self.value(node.value)
        if isinstance(base, Path):
            return Path(f"{base.path}.{node.attr}")
        if isinstance(base, SelfRef):
            attrs = self.reader.attrs
            if node.attr in attrs:
                return attrs[node.attr]
            if node.attr in self.reader.methods:
                return Opaque(node, f"the method self.{node.attr}() (methods other than __init__ and forward are "
                                    "not read)", "write its code where it is called")
            return Opaque(node, f"self.{node.attr}, which __init__ never sets before it is used",
                          f"set self.{node.attr} in __init__ before this line")
        if isinstance(base, Module):
            if node.attr in base.args:
                return base.args[node.attr]
            arg = next((a for a in MODULES[base.type_name].all_args if a.name == node.attr), None)
            if arg is not None and arg.default is not None:
                return arg.default
        return Opaque(node, f"the attribute {_source(node)}", "write the value out")

    def call(self, node):
        func = self.value(node.func)
        if isinstance(func, Path):
            return self.reader.torch_call(self, func, node)
        if isinstance(node.func, ast.Name) and node.func.id in ("int", "float", "bool", "abs", "round"):
            args = [self.need(self.value(a), a) for a in node.args]
            try:
                return {"int": int, "float": float, "bool": bool, "abs": abs, "round": round}[node.func.id](*args)
            except (TypeError, ValueError):
                return Opaque(node, f"the call {_source(node)}", "write the value out")
        if isinstance(node.func, ast.Name) and node.func.id in ("max", "min", "len") and not node.keywords:
            args = [self.need(self.value(a), a) for a in node.args]
            try:
                return {"max": max, "min": min, "len": len}[node.func.id](*args)
            except (TypeError, ValueError):
                return Opaque(node, f"the call {_source(node)}", "write the value out")
        if isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name) and \
                node.func.value.id == "math" and node.func.attr in ("ceil", "floor", "sqrt"):
            args = [self.need(self.value(a), a) for a in node.args]
            return getattr(math, node.func.attr)(*args)
        if isinstance(node.func, ast.Name) and node.func.id == "getattr":
            _fail(self.file, node, f"getattr(...) choosing a class by name ({_source(node)})",
                  "write the class itself, e.g. nn.LSTM(...) (one model per choice)")
        if isinstance(func, Opaque):
            return func
        if isinstance(func, ast.FunctionDef):
            return Opaque(node, f"the function {func.name}() (a function building the model or its parts)",
                          "create the modules in __init__ (or at module level) with nn.X(...) written out")
        if isinstance(func, ast.ClassDef):
            return Opaque(node, f"the class {func.name} used inside another module (nested custom modules are "
                                "not followed)", f"read {func.name} on its own with --model {func.name}")
        return Opaque(node, f"the call {_source(node)}", "write the value out")


class Reader:
    """Module-level code and one nn.Module's `__init__`: imports, constants, classes, instances, modules.

    `scan` reads the module level (what each name is bound to; which models
    are instantiated, in order), `pick` chooses the model (contract section 8,
    "Which model"), `construct` binds the constructor's arguments (the
    instance's, `--init`'s, defaults) and runs `__init__`, leaving in `attrs`
    every `self.x` it sets: modules (named as `named_modules()` names them) and
    plain values. Raises SpecError with FILE:LINE:COL for what it does not follow.
    """

    def __init__(self, file: str, tree: ast.Module):
        self.file, self.tree = file, tree
        self.aliases: dict[str, str] = {}
        self.globals: dict = {}
        self.classes: dict[str, ast.ClassDef] = {}
        self.functions: dict[str, ast.FunctionDef] = {}
        self.instances: list[tuple[str | None, str, ast.Call]] = []  # (variable, class, call) in order
        self.attrs: dict = {}
        self.methods: set[str] = set()
        self.notes: list[str] = []

    # -- module level ---------------------------------------------------------------------
    def scan(self):
        for stmt in self.tree.body:
            self.top_statement(stmt)

    def top_statement(self, stmt):
        if isinstance(stmt, ast.Import):
            for a in stmt.names:
                if a.asname:
                    self.aliases[a.asname] = a.name
                else:
                    self.aliases[a.name.split(".")[0]] = a.name.split(".")[0]
        elif isinstance(stmt, ast.ImportFrom) and stmt.module:
            for a in stmt.names:
                self.aliases[a.asname or a.name] = f"{stmt.module}.{a.name}"
        elif isinstance(stmt, ast.ClassDef):
            self.classes[stmt.name] = stmt
            self.globals[stmt.name] = stmt
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.functions[stmt.name] = stmt
            self.globals[stmt.name] = stmt
        elif isinstance(stmt, ast.Assign):
            self.top_assign(stmt.targets, stmt.value)
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            self.top_assign([stmt.target], stmt.value)
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            self.instance(None, stmt.value)
        elif isinstance(stmt, ast.If) and _is_main(stmt.test):
            for s in stmt.body:
                self.top_statement(s)

    def top_assign(self, targets, value):
        call = _unwrap_chain(value)
        for target in targets:
            if not isinstance(target, ast.Name):
                continue
            if isinstance(call, ast.Call) and self.instance(target.id, call):
                self.globals[target.id] = Opaque(value, f"the model object {target.id}", "")
                continue
            try:
                self.globals[target.id] = _Scope(self, {}).value(value)
            except SpecError as e:  # criterion = nn.CrossEntropyLoss(): fails only if the model uses it
                self.globals[target.id] = Opaque(value, e.problem.message, e.problem.hint or "")

    def instance(self, var, call) -> bool:
        """Record `var = Class(...)` or `var = nn.Sequential(...)`; true if it is one."""
        call = _unwrap_chain(call)
        if not isinstance(call, ast.Call):
            return False
        if isinstance(call.func, ast.Name) and call.func.id in self.classes:
            self.instances.append((var, call.func.id, call))
            return True
        func = _Scope(self, {}).value(call.func)
        if isinstance(func, Path) and func.path == "torch.nn.Sequential" and var is not None:
            self.instances.append((var, "nn.Sequential", call))
            return True
        return False

    def global_name(self, node):
        if node.id in self.globals:
            return self.globals[node.id]
        if node.id in self.aliases:
            return Path(self.aliases[node.id])
        if node.id in DEFAULT_ALIASES:
            return Path(DEFAULT_ALIASES[node.id])
        return Opaque(node, f"the name '{node.id}', which is never defined", f"define {node.id} or write its value")

    # -- which model ------------------------------------------------------------------------
    def module_classes(self) -> list[str]:
        return [n for n, c in self.classes.items() if self.is_module_class(c)]

    def is_module_class(self, cls) -> bool:
        for base in cls.bases:
            text = _source(base)
            if text in ("nn.Module", "torch.nn.Module", "Module") or text in self.classes:
                return True
        return False

    def pick(self, wanted):
        classes = self.module_classes()
        made = [(v, c, call) for v, c, call in self.instances if c in classes or c == "nn.Sequential"]
        if wanted is not None:
            for v, c, call in reversed(made):
                if wanted in (v, c):
                    return v, c, call
            if wanted in classes:
                return None, wanted, None
            names = list(dict.fromkeys([v for v, _, _ in made if v] + classes))
            raise SpecError(Problem(f"no model named '{wanted}' in the source", file=self.file,
                                    hint="models: " + (", ".join(names) or "none")))
        if made:
            choice = made[-1]
        elif len(classes) == 1:
            choice = (None, classes[0], None)
        elif classes:
            used = {n.id for c in classes for n in ast.walk(self.classes[c]) if isinstance(n, ast.Name)}
            top = [c for c in classes if c not in used]
            if len(top) != 1:
                raise SpecError(Problem(f"the file defines {len(classes)} nn.Module classes and instantiates "
                                        "none of them", file=self.file,
                                        hint="pick one with --model NAME: " + ", ".join(classes)))
            choice = (None, top[0], None)
        else:
            self.no_model()
        others = [c for c in classes if c != choice[1]] + [v for v, c, _ in made if c == "nn.Sequential" and
                                                             v != choice[0]]
        if others:
            self.notes.append(f"the file defines other models too ({', '.join(dict.fromkeys(others))}); this is "
                              f"'{choice[0] or choice[1]}'; pick one with --model NAME")
        return choice

    def no_model(self):
        for f in self.functions.values():
            for node in ast.walk(f):
                if isinstance(node, ast.Call) and _source(node.func) in ("nn.Sequential", "torch.nn.Sequential"):
                    _fail(self.file, f, f"the model is built inside the function {f.name}() (a function building "
                          "the model is not followed)", "build it at module level: model = nn.Sequential(...), or "
                          "write an nn.Module class")
        raise SpecError(Problem("no PyTorch model found in the source", file=self.file,
                                hint="lstmcalc reads an nn.Module subclass or a module-level nn.Sequential(...)"))

    # -- torch calls in __init__ and at module level -------------------------------------
    def torch_call(self, scope, func: Path, node):
        path = func.path
        if path.startswith("torch.nn.") and path.count(".") == 2:
            return self.make_module(scope, func.leaf, node)
        if path in ("torch.device", "torch.cuda.is_available"):
            return Opaque(node, f"{_source(node)}", "")
        return Opaque(node, f"the call {_source(node)}", "write the value out")

    def make_module(self, scope, cls: str, node):
        if cls == "Sequential":
            children = []
            for a in node.args:
                child = scope.need(scope.value(a), a)
                if not isinstance(child, (Module, Sequential)):
                    _fail(self.file, a, f"{_source(a)} is not a module", "nn.Sequential takes modules: nn.X(...)")
                children.append(child)
            if node.keywords:
                _fail(self.file, node, "nn.Sequential with keyword arguments")
            return Sequential(children, node)
        if cls == "ModuleList" or cls == "ModuleDict":
            _fail(self.file, node, f"nn.{cls} (its modules run in a loop lstmcalc does not follow)",
                  "write each module as its own attribute (self.lstm1, self.lstm2) and call them in turn")
        t = MODULES.get(cls)
        if t is None:
            if cls in NOT_MODELLED or cls in PSEUDO:
                return Unmodelled(node, f"nn.{cls}, a torch module lstmcalc does not model",
                                  "lstmcalc models: " + ", ".join(sorted(MODULES)), cls)
            close = difflib.get_close_matches(cls, list(MODULES) + sorted(NOT_MODELLED), n=1)
            _fail(self.file, node, f"nn.{cls} is not a torch.nn class",
                  f"did you mean nn.{close[0]}?" if close else "write a torch.nn module such as nn.LSTM")
        declared = [a.name for a in t.all_args if a.name != "name"]
        args, marks = {}, {}
        for i, a in enumerate(node.args):
            if isinstance(a, ast.Starred):
                _fail(self.file, a, f"*{_source(a.value)} in nn.{cls}(...)", "write the arguments out")
            if i >= len(declared):
                _fail(self.file, a, f"nn.{cls} takes at most {len(declared)} positional arguments")
            args[declared[i]] = (a, scope.value(a))
        for k in node.keywords:
            if k.arg is None:
                _fail(self.file, k.value, f"**{_source(k.value)} in nn.{cls}(...)", "write the arguments out")
            if k.arg not in declared:
                close = difflib.get_close_matches(k.arg, declared, n=1)
                _fail(self.file, k, f"nn.{cls} has no argument '{k.arg}'",
                      f"did you mean {close[0]}=?" if close else "arguments: " + ", ".join(declared))
            args[k.arg] = (k.value, scope.value(k.value))
        out, marks = {}, {}
        for key, (vnode, value) in args.items():
            if key in ("device", "dtype"):
                continue  # no effect on shapes or counts
            if isinstance(value, (Module, Sequential)):
                if key not in ("encoder_layer", "norm"):
                    _fail(self.file, vnode, f"a module as nn.{cls}'s {key}=")
                value = self.nested(value, vnode)
            value = scope.need(value, vnode)
            if isinstance(value, tuple):
                value = list(value)
            arg = next(a for a in t.all_args if a.name == key)
            if arg.default is not None and value == arg.default and type(value) is type(arg.default):
                continue  # as torch's default: left out, as `import` leaves Keras's defaults out
            if key == "proj_size" and value == 0:
                continue
            out[key] = value
            marks[key] = (vnode.lineno, vnode.col_offset + 1)
        return Module(cls, out, node, marks)

    def nested(self, module, node):
        if isinstance(module, Sequential):
            _fail(self.file, node, "nn.Sequential nested as a module's argument")
        module.nested = True
        return {"type": module.type_name, **module.args}

    # -- __init__ -----------------------------------------------------------------------------
    def construct(self, cls_name: str, call, init_text: str | None):
        cls = self.classes[cls_name]
        if not self.is_module_class(cls):
            _fail(self.file, cls, f"the class {cls_name} is not an nn.Module subclass")
        for base in cls.bases:
            if _source(base) in self.classes:
                _fail(self.file, base, f"{cls_name} subclasses {_source(base)}, another class of this file "
                      "(inherited modules are not followed)", "put the modules in one nn.Module class")
        self.methods = {s.name for s in cls.body if isinstance(s, ast.FunctionDef)}
        init = next((s for s in cls.body if isinstance(s, ast.FunctionDef) and s.name == "__init__"), None)
        forward = next((s for s in cls.body if isinstance(s, ast.FunctionDef) and s.name == "forward"), None)
        if forward is None:
            _fail(self.file, cls, f"the class {cls_name} has no forward()", "define forward(self, x)")
        names = {}
        for stmt in cls.body:  # class attributes (device = ..., hidden = 64)
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                self.attrs[stmt.targets[0].id] = _Scope(self, {}).value(stmt.value)
        if init is not None:
            names = self.bind(init, call, init_text, cls_name)
            scope = _Scope(self, names)
            names["self"] = SelfRef()
            self.body(scope, init.body)
        return forward

    def bind(self, init, call, init_text, cls_name):
        params = init.args
        positional = [a.arg for a in params.posonlyargs + params.args][1:]
        defaults = params.defaults
        top = _Scope(self, {})
        given: dict = {}
        if call is not None:
            for i, a in enumerate(call.args):
                if i >= len(positional):
                    _fail(self.file, a, f"{cls_name}() takes {len(positional)} positional arguments")
                given[positional[i]] = (a, top.value(a))
            for k in call.keywords:
                given[k.arg] = (k.value, top.value(k.value))
        if init_text:
            try:
                parsed = ast.parse(f"f({init_text})", mode="eval").body
            except SyntaxError:
                raise SpecError(Problem(f"--init {init_text!r} is not a list of name=value", file=self.file,
                                        hint="write --init 'hidden_size=64, num_layers=2'")) from None
            if parsed.args or any(k.arg is None for k in parsed.keywords):
                raise SpecError(Problem("--init takes name=value pairs only", file=self.file,
                                        hint="write --init 'hidden_size=64, num_layers=2'"))
            for k in parsed.keywords:
                given[k.arg] = (k.value, top.value(k.value))
        kwonly = [a.arg for a in params.kwonlyargs]
        names = {}
        first_default = len(positional) - len(defaults)
        for name, (vnode, value) in list(given.items()):
            if isinstance(value, Opaque):  # x_train.shape[2]: the constructor argument can come from --init
                given[name] = (vnode, Opaque(value.node, value.what, f"write the value out, or give it: --init "
                                                                     f"'{name}=...'"))
        for i, p in enumerate(positional):
            if p in given:
                names[p] = given.pop(p)[1]
            elif i >= first_default:
                names[p] = top.value(defaults[i - first_default])
            else:
                names[p] = Opaque(init, f"{cls_name}'s argument '{p}', which has no default and no value",
                                  f"give it: --init '{p}=...'" + (" (or instantiate the class in the file)"
                                                                   if call is None else ""))
        for p, d in zip(kwonly, params.kw_defaults):
            names[p] = given.pop(p)[1] if p in given else top.value(d) if d is not None else Opaque(
                init, f"{cls_name}'s argument '{p}', which has no value", f"give it: --init '{p}=...'")
        if given and params.kwarg is None:
            name = next(iter(given))
            close = difflib.get_close_matches(name, positional + kwonly, n=1)
            where = given[name][0]
            raise SpecError(Problem(f"{cls_name}() has no argument '{name}'", file=self.file,
                                    line=getattr(where, "lineno", None) if call is not None else None,
                                    hint=f"did you mean {close[0]}?" if close else
                                    "arguments: " + ", ".join(positional + kwonly)))
        return names

    def body(self, scope, stmts):
        for stmt in stmts:
            self.init_statement(scope, stmt)

    def init_statement(self, scope, stmt):  # noqa: C901 - one case per statement kind
        if isinstance(stmt, ast.Expr):
            v = stmt.value
            if isinstance(v, ast.Call) and _source(v.func) in ("super().__init__", "nn.Module.__init__") or \
                    isinstance(v, ast.Call) and _source(v.func).startswith("super("):
                return
            if isinstance(v, ast.Call) and isinstance(v.func, ast.Attribute) and v.func.attr in (
                    "add_module", "register_module", "append", "extend"):
                _fail(self.file, v, f"modules added with .{v.func.attr}(...)",
                      "assign each module to its own attribute: self.name = nn.X(...)")
            if isinstance(v, ast.Call) and isinstance(v.func, ast.Name) and v.func.id == "setattr":
                _fail(self.file, v, "modules added with setattr(...)",
                      "assign each module to its own attribute: self.name = nn.X(...)")
            return  # weight initialisation, print, docstrings: no effect on shapes
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            if stmt.value is None:
                return
            value = scope.value(stmt.value)
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                self.init_assign(scope, target, value, stmt)
            return
        if isinstance(stmt, ast.If):
            test = scope.value(stmt.test)
            if isinstance(test, Opaque):
                if _creates_modules(stmt):
                    scope.need(test, stmt.test)
                return
            self.body(scope, stmt.body if test else stmt.orelse)
            return
        if isinstance(stmt, (ast.For, ast.While, ast.AsyncFor)):
            if _creates_modules(stmt):
                _fail(self.file, stmt, "a loop adding layers (the number and names of modules depend on it)",
                      "write each module out: self.lstm1 = nn.LSTM(...), self.lstm2 = nn.LSTM(...)")
            return
        if isinstance(stmt, (ast.Pass, ast.Assert, ast.Import, ast.ImportFrom, ast.Return)):
            return
        if isinstance(stmt, ast.Try):
            self.body(scope, stmt.body + stmt.orelse + stmt.finalbody)
            return
        if isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, (ast.Name, ast.Attribute)):
            current = scope.value(stmt.target)
            other = scope.value(stmt.value)
            try:
                value = BINOPS[type(stmt.op)](current, other)
            except (TypeError, KeyError, ArithmeticError):
                value = Opaque(stmt, f"the augmented assignment {_source(stmt)}", "write the value out")
            self.init_assign(scope, stmt.target, value, stmt)
            return
        if _creates_modules(stmt):
            _fail(self.file, stmt, f"a {type(stmt).__name__.lower()} statement creating modules",
                  "create modules with plain assignments: self.name = nn.X(...)")

    def init_assign(self, scope, target, value, stmt):
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
            if isinstance(value, (Module, Sequential)):
                self.name_module(target.attr, value)
            self.attrs[target.attr] = value
        elif isinstance(target, ast.Name):
            scope.names[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (tuple, list)) and \
                len(value) == len(target.elts):
            for t, v in zip(target.elts, value):
                self.init_assign(scope, t, v, stmt)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for t in target.elts:
                self.init_assign(scope, t, Opaque(stmt, f"the unpacking {_source(stmt)}", "assign each value"),
                                 stmt)

    def name_module(self, name: str, value):
        if isinstance(value, Sequential):
            value.name = name
            for i, child in enumerate(value.children):
                self.name_module(f"{name}.{i}", child)
        elif value.name is None:
            value.name = name


def _is_main(test) -> bool:
    return isinstance(test, ast.Compare) and _source(test) in ('__name__ == "__main__"', "__name__ == '__main__'")


def _unwrap_chain(node):
    """`Net(...).to(device)`, `.cuda()`, `.eval()`, `.double()` → `Net(...)`."""
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in (
            "to", "cuda", "cpu", "eval", "train", "double", "float"):
        node = node.func.value
    return node


def _creates_modules(stmt) -> bool:
    for node in ast.walk(stmt):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Attribute) for t in node.targets):
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in (
                "append", "add_module", "extend", "register_module"):
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setattr":
            return True
    return False


def parse_shape(text, file):
    """`--input-shape 50,10` → [50, 10] (null/None for a variable size)."""
    if isinstance(text, (list, tuple)):
        return list(text)
    try:
        parts = str(text).strip("()[] ").split(",")
        dims = [None if d.strip().lower() in ("none", "null", "") else int(d) for d in parts]
    except ValueError:
        dims = None
    if not dims or any(d is not None and d < 1 for d in dims):
        raise SpecError(Problem(f"--input-shape {text!r} is not a list of sizes such as 50,10", file=file,
                                hint="write the input's shape without the batch axis, e.g. --input-shape 50,10"))
    return dims


def to_document(tree, file: str, model=None, input_shape=None, init=None):
    """The graph document (`framework: pytorch`) and notes for PyTorch source."""
    from lstmcalc.sources.python_torch_forward import Forward

    reader = Reader(file, tree)
    reader.scan()
    var, cls, call = reader.pick(model)
    if input_shape is None:
        where = reader.classes.get(cls) or call
        _fail(file, where, "PyTorch code carries no input shape",
              "give it without the batch axis: --input-shape 50,10 (and --batch-size N for the batch)")
    shape = parse_shape(input_shape, file)
    seq, forward = None, None
    if cls == "nn.Sequential":
        seq = _Scope(reader, {}).value(call)
        for i, child in enumerate(seq.children):
            reader.name_module(str(i), child)
        reader.attrs[var] = seq
    else:
        forward = reader.construct(cls, call, init)
    doc = Forward(reader, shape).document(forward, seq, var if forward is None else cls)
    return doc, reader.notes


__all__ = ["to_document", "parse_shape"]
