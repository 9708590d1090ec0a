"""`forward()` of an nn.Module, read with `ast` → the entries of a `framework: pytorch` graph.

Each module call becomes an entry (the first call defines the module, a
later one is `{call: NAME}`); each tensor operation between modules becomes
a pseudo step of the dialect. Sizes that the code reads from tensors
(`x.size(0)`, `out.shape[1]`) are found by building the graph read so far:
an axis whose size is the batch size is written as null in a `View`.
"""

from __future__ import annotations

import ast
import math

from lstmcalc.errors import Problem, SpecError
from lstmcalc.sources.python_torch import (
    BATCH,
    FUNCTIONAL,
    IDENTITY,
    MODULES,
    Module,
    Opaque,
    Path,
    SelfRef,
    Sequential,
    Tensor,
    Unmodelled,
    Zeros,
    _fail,
    _Scope,
    _source,
)
from lstmcalc.sources.yaml_text import MarkedDict, MarkedList

MATH = ("sqrt", "ceil", "floor", "log", "exp", "pow")  # math functions of numbers (x * math.sqrt(d_model))


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)

SENTINEL = 7919  # a batch size no model axis has by chance: the axes of this size are the batch axis
MAX_ENTRIES = 2000  # bounded time on hostile input: no real forward() has this many steps
MAX_BUILDS = 60  # each size read (x.size(0), a view's batch axis) builds the graph read so far
ZEROS = {"torch.zeros", "torch.zeros_like", "torch.autograd.Variable", "torch.empty"}
OUTPUTS = {"LSTM": ("out", ("h_n", "c_n")), "GRU": ("out", "h_n"), "RNN": ("out", "h_n"),
           "LSTMCell": ("h", "c"), "MultiheadAttention": ("out", "weights")}
LOOP_HINT = ("lstmcalc reads straight-line forward code: call nn.LSTM/nn.GRU on the whole sequence, or write a "
             "spec with the cell's first step (see specs/pytorch_lstm_cell_tagger.yaml)")


class SizeOf:
    """x.size(k) / x.shape[k]: resolved (by building the graph so far) only where a value is needed."""

    def __init__(self, tensor: Tensor, axis, node):
        self.tensor, self.axis, self.node = tensor, axis, node


class Sizes:
    """x.size() / x.shape: a tuple of SizeOf."""

    def __init__(self, tensor: Tensor, node):
        self.tensor, self.node = tensor, node


class Device:
    """x.device, a device object: only ever passed to .to()."""


class ForwardScope(_Scope):
    def __init__(self, fw, names):
        super().__init__(fw.reader, names)
        self.fw = fw

    def value(self, node):
        fw = self.fw
        if isinstance(node, ast.Subscript):
            return fw.subscript(self, node)
        if isinstance(node, ast.BinOp):
            a, b = self.value(node.left), self.value(node.right)
            if isinstance(a, Tensor) or isinstance(b, Tensor):
                return fw.binop(node, a, b)
            if isinstance(a, SizeOf) or isinstance(b, SizeOf):
                a, b = fw.size_value(a), fw.size_value(b)
                if a is BATCH or b is BATCH:
                    return Opaque(node, f"arithmetic on the batch size ({_source(node)})",
                                  "use -1 in view/reshape for the size that depends on the batch")
                return super().value(ast.BinOp(ast.Constant(a), node.op, ast.Constant(b)))
        if isinstance(node, ast.Attribute):
            base = self.value(node.value)
            if isinstance(base, Tensor):
                if node.attr == "shape":
                    return Sizes(base, node)
                if node.attr == "device":
                    return Device()
                if node.attr in ("data", "T"):
                    return base if node.attr == "data" else Opaque(node, "x.T", "write x.transpose(d0, d1)")
                return Opaque(node, f"the tensor attribute {_source(node)}", "write the value out")
            if isinstance(base, SelfRef) and node.attr == "training":
                return False
            if isinstance(base, Opaque):
                return base
        if isinstance(node, ast.Call):
            return fw.call(self, node)
        return super().value(node)

    def name(self, node):
        if node.id in self.names:
            return self.names[node.id]
        return self.reader.global_name(node)


class Forward:
    """Reads forward() (or chains a module-level nn.Sequential) into the graph's entries."""

    def __init__(self, reader, shape):
        self.reader, self.file, self.shape = reader, reader.file, shape
        self.entries = MarkedList()
        self.taken = {m.name for m in self.modules()} | {m.name.split(".")[0] for m in self.modules()}
        self.counters: dict[str, int] = {}
        self.input_name = "x"
        self.dtype = None
        self.from_input = {self.input_name}
        self.built: dict = {}

    def modules(self):
        out = []

        def walk(v):
            if isinstance(v, Sequential):
                for c in v.children:
                    walk(c)
            elif isinstance(v, Module) and v.name is not None:
                out.append(v)

        for v in self.reader.attrs.values():
            walk(v)
        return out

    # -- the document ------------------------------------------------------------------------
    def document(self, forward, seq, name):
        if forward is None:
            x = Tensor(self.input_name)
            out = self.call_module(None, seq, [x], {}, seq.node)
            outputs = self.refs(out, seq.node)
            where = seq.node
        else:
            where = forward
            x = self.arguments(forward)
            scope = ForwardScope(self, {"self": SelfRef(), forward.args.args[1].arg: x})
            for a, v in self.extra_args(forward).items():
                scope.names[a] = v
            result = self.statements(scope, forward.body)
            if result is None:
                _fail(self.file, forward, "forward() returns nothing", "return the output tensor")
            outputs = self.refs(result[0], result[1])
        if not self.entries:
            _fail(self.file, where, "forward() calls no module and no tensor operation",
                  "lstmcalc reads models whose forward calls modules made in __init__")
        doc = self.draft(outputs)
        if name:
            doc["name"] = name
        self.unused_notes()
        return doc

    def draft(self, outputs) -> MarkedDict:
        doc = MarkedDict()
        doc["framework"] = "pytorch"
        entry = {"name": self.input_name, "shape": list(self.shape)}
        if self.dtype:
            entry["dtype"] = self.dtype
        doc["inputs"] = MarkedList([entry])
        doc["layers"] = self.entries
        doc["outputs"] = list(outputs)
        return doc

    def arguments(self, forward):
        args = forward.args
        if args.vararg is not None or len(args.args) < 2:
            _fail(self.file, forward, "forward() without a named input argument (forward(self, *inputs))",
                  "write forward(self, x)")
        self.input_name = args.args[1].arg
        if self.input_name in self.taken:
            self.input_name += "_input"
        self.from_input = {self.input_name}
        return Tensor(self.input_name)

    def extra_args(self, forward) -> dict:
        args = forward.args
        rest = args.args[2:]
        defaults = args.defaults
        out = {}
        first_default = len(rest) - len(defaults)
        for i, a in enumerate(rest):
            if i < first_default:
                _fail(self.file, a, f"forward() takes a second input '{a.arg}' (lstmcalc reads models with one "
                      "input tensor)", "give it a default (None) or write the model as a spec with inputs:")
            d = defaults[i - first_default] if len(defaults) else None
            if not (isinstance(d, ast.Constant) and d.value in (None, False, True)):
                _fail(self.file, d, f"forward()'s argument '{a.arg}' defaults to {_source(d)}",
                      "lstmcalc follows forward arguments that default to None")
            out[a.arg] = d.value
        for a in args.kwonlyargs:
            out[a.arg] = None
        return out

    def unused_notes(self):
        for name, v in self.reader.attrs.items():
            if isinstance(v, Unmodelled):
                self.reader.notes.append(f"line {v.node.lineno}: self.{name} (nn.{v.cls}) is not modelled and "
                                         "forward() never calls it; torch's parameters() counts any weights it has")
        for m in self.modules():
            if m.calls == 0 and not getattr(m, "nested", False):
                self.reader.notes.append(
                    f"line {m.node.lineno}: self.{m.name} (nn.{m.type_name}) is never called in forward(); torch's "
                    "parameters() counts its weights, this table does not")

    # -- statements --------------------------------------------------------------------------
    def statements(self, scope, stmts):
        for stmt in stmts:
            result = self.statement(scope, stmt)
            if result is not None:
                return result
        return None

    def statement(self, scope, stmt):  # noqa: C901 - one case per statement kind
        if isinstance(stmt, ast.Return):
            if stmt.value is None:
                _fail(self.file, stmt, "forward() returns nothing", "return the output tensor")
            return scope.value(stmt.value), stmt.value
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            if stmt.value is None:
                return None
            value = scope.value(stmt.value)
            for target in stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]:
                self.assign(scope, target, value, stmt)
            return None
        if isinstance(stmt, ast.AugAssign):
            current, other = scope.value(stmt.target), scope.value(stmt.value)
            if isinstance(current, Tensor) or isinstance(other, Tensor):
                self.assign(scope, stmt.target, self.binop(stmt, current, other, stmt.op), stmt)
            else:
                self.assign(scope, stmt.target, scope.value(ast.BinOp(stmt.target, stmt.op, stmt.value)), stmt)
            return None
        if isinstance(stmt, ast.Expr):
            return None  # print(...), self.lstm.flatten_parameters(), docstrings: no effect on the output
        if isinstance(stmt, ast.If):
            test = scope.value(stmt.test)
            if isinstance(test, (Opaque, Tensor, SizeOf)):
                _fail(self.file, stmt, f"a branch in forward() on {_source(stmt.test)}, which lstmcalc cannot "
                      "decide from the code", "keep the branch that runs and remove the other")
            return self.statements(scope, stmt.body if test else stmt.orelse)
        if isinstance(stmt, (ast.For, ast.While, ast.AsyncFor)):
            calls = [n for n in ast.walk(stmt) if isinstance(n, ast.Call) and _source(n.func).startswith("self.")]
            if calls:
                _fail(self.file, stmt, f"a loop in forward() calling {_source(calls[0].func)} step by step (a time "
                      "loop over a cell or a module)", LOOP_HINT)
            _fail(self.file, stmt, "a loop in forward()", "write the steps out, straight-line")
        if isinstance(stmt, ast.With):
            return self.statements(scope, stmt.body)
        if isinstance(stmt, (ast.Pass, ast.Assert, ast.Import, ast.ImportFrom)):
            return None
        _fail(self.file, stmt, f"a {type(stmt).__name__} statement in forward()", "write straight-line code")

    def assign(self, scope, target, value, stmt):
        if isinstance(target, ast.Name):
            scope.names[target.id] = value
            return
        if isinstance(target, (ast.Tuple, ast.List)):
            if isinstance(value, Sizes):
                value = tuple(SizeOf(value.tensor, i, stmt) for i in range(len(target.elts)))
            if not isinstance(value, (tuple, list)) or len(value) != len(target.elts):
                if any(isinstance(e, ast.Starred) for e in target.elts):
                    _fail(self.file, target, f"starred unpacking {_source(target)}", "name each value")
                _fail(self.file, target, f"{_source(stmt.value)} does not give {len(target.elts)} values here",
                      "unpack what the module returns: out, (h_n, c_n) = self.lstm(x) for an LSTM")
            for t, v in zip(target.elts, value):
                self.assign(scope, t, v, stmt)
            return
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
            if isinstance(value, Tensor):
                _fail(self.file, target, f"a tensor stored on the module ({_source(target)}) in forward()",
                      "keep it in a local variable")
            return
        _fail(self.file, target, f"the assignment to {_source(target)} in forward()", "assign to a local name")

    # -- calls -------------------------------------------------------------------------------
    def call(self, scope, node):
        func = node.func
        if isinstance(func, ast.Attribute):
            base = scope.value(func.value)
            if isinstance(base, (Tensor, Zeros)) or base is None:
                return self.method(scope, base, func.attr, node)
            if isinstance(base, (Module, Sequential)) and func.attr == "forward":
                return self.module_call(scope, base, node)
            if isinstance(base, Path) and base.path == "math" and func.attr in MATH:
                args = [scope.value(a) for a in node.args]
                if all(_number(v) for v in args) and not node.keywords:
                    try:
                        return getattr(math, func.attr)(*args)
                    except (ValueError, TypeError, OverflowError):
                        pass
                return Opaque(node, f"the call {_source(node)}", "write the value out")
            if isinstance(base, Path):
                return self.torch_function(scope, Path(f"{base.path}.{func.attr}"), node)
            if isinstance(base, SelfRef) and func.attr not in self.reader.attrs:
                return Opaque(node, f"the method call {_source(node)} (forward() is read; other methods are not, "
                                    "nor forward() called again)", "write the method's code in forward()")
        target = scope.value(func)
        if isinstance(target, Opaque) and isinstance(func, ast.Attribute):
            _fail(self.file, target.node, f"lstmcalc does not follow {target.what}", target.instead)
        if isinstance(target, (Module, Sequential)):
            return self.module_call(scope, target, node)
        if isinstance(target, Path):
            return self.torch_function(scope, target, node)
        if isinstance(func, ast.Name) and func.id == "len" and node.args:
            v = scope.value(node.args[0])
            if isinstance(v, Tensor):
                return SizeOf(v, 0, node)
        return super(ForwardScope, scope).value(node)

    def args_of(self, scope, node):
        return [scope.value(a) for a in node.args], {k.arg: scope.value(k.value) for k in node.keywords}

    def module_call(self, scope, module, node):
        args, kwargs = self.args_of(scope, node)
        return self.call_module(scope, module, args, kwargs, node)

    def call_module(self, scope, module, args, kwargs, node):
        if isinstance(module, Sequential):
            if len(args) != 1 or kwargs:
                _fail(self.file, node, "an nn.Sequential called with more than one input")
            x = args[0]
            for i, child in enumerate(module.children):
                if isinstance(x, tuple):
                    _fail(self.file, node, f"nn.Sequential passes a tuple from {module.children[i - 1].type_name} to "
                          f"{getattr(child, 'type_name', 'a module')}, which torch refuses",
                          "call the recurrent module in forward() and unpack its outputs")
                x = self.call_module(scope, child, [x], {}, node)
            return x
        if args and isinstance(args[0], Opaque):
            _fail(self.file, args[0].node, f"lstmcalc does not follow {args[0].what}", args[0].instead)
        if not args or not isinstance(args[0], Tensor):
            _fail(self.file, node, f"self.{module.name} is called without a tensor")
        entry = self.module_entry(module, args, kwargs, node)
        n = module.calls
        module.calls += 1
        self.add(entry)
        if module.type_name in OUTPUTS:  # a tuple, as torch returns it: (out, (h_n, c_n)) for an LSTM
            return self.structure(module, n, OUTPUTS[module.type_name], [0])
        return Tensor(self.ref(module.name, n, 0, 1))

    def structure(self, module, n, shape, counter):
        if isinstance(shape, tuple):
            return tuple(self.structure(module, n, s, counter) for s in shape)
        i = counter[0]
        counter[0] += 1
        k = 3 if module.type_name == "LSTM" else 2
        return Tensor(self.ref(module.name, n, i, k), state=shape if shape in ("h_n", "c_n") else None)

    @staticmethod
    def ref(name, call, index, count):
        if call == 0:
            return name if count == 1 else f"{name}[{index}]"
        return f"{name}[{call}][{index}]"

    def module_entry(self, module, args, kwargs, node):
        x = args[0]
        if x.ref in self.from_input and self.dtype is None and module.type_name == "Embedding" and module.calls == 0:
            self.dtype = "int64"
        if module.calls:
            entry = MarkedDict(call=module.name)
        else:
            entry = MarkedDict(type=module.type_name, name=module.name, **module.args)
            entry.key_marks.update(module.marks)
            entry.key_marks["type"] = (module.node.lineno, module.node.col_offset + 1)
        entry.line, entry.column = node.lineno, node.col_offset + 1
        call = {}
        kind = module.type_name
        if kind == "MultiheadAttention":
            tensors = [a for a in args[:3]]
            if not all(isinstance(a, Tensor) for a in tensors):
                _fail(self.file, node, "MultiheadAttention needs query, key and value tensors")
            entry["inputs"] = [a.ref for a in tensors]
            for key, value in kwargs.items():
                if isinstance(value, bool):
                    call[key] = value
                elif value is not None:
                    _fail(self.file, node, f"MultiheadAttention's {key}= (lstmcalc reads the flags only)")
        else:
            entry["inputs"] = x.ref
            hx = args[1] if len(args) > 1 else kwargs.pop("hx", None)
            extra = len(args) > 2 or any(v is not None for k, v in kwargs.items() if k not in ("hx",))
            if extra:
                _fail(self.file, node, f"self.{module.name} is called with arguments lstmcalc does not read "
                      f"({_source(node)})", "call it with the input (and the initial state)")
            if hx is not None:
                states = self.initial_state(hx, node, kind)
                if states is not None:
                    call["hx"] = states
        if call:
            entry["call" if not module.calls else "kwargs"] = call
        return entry

    def initial_state(self, hx, node, kind):
        items = list(hx) if isinstance(hx, (tuple, list)) else [hx]
        if isinstance(hx, Opaque):
            _fail(self.file, hx.node, f"lstmcalc does not follow {hx.what} (an initial state)", hx.instead)
        if kind in ("LSTM", "LSTMCell") and not isinstance(hx, (tuple, list)):
            _fail(self.file, node, f"an {kind} takes its initial state as a tuple (h_0, c_0)", "write (h0, c0)")
        if all(isinstance(s, Zeros) for s in items):
            return None  # zeros are torch's default
        if all(isinstance(s, Tensor) for s in items):
            refs = [s.ref for s in items]
            return refs if len(refs) > 1 else refs[0]
        bad = next(s for s in items if not isinstance(s, (Zeros, Tensor)))
        if isinstance(bad, Opaque):
            _fail(self.file, bad.node, f"lstmcalc does not follow {bad.what} (an initial state)", bad.instead)
        _fail(self.file, node, "an initial state that is neither torch.zeros(...) nor a tensor of the model",
              "make it with torch.zeros(...), or leave it out (torch starts from zeros)")

    # -- pseudo steps --------------------------------------------------------------------------
    def auto(self, base: str) -> str:
        k = self.counters.get(base, 0)
        while True:
            name = base if k == 0 else f"{base}_{k}"
            k += 1
            if name not in self.taken:
                break
        self.counters[base] = k
        self.taken.add(name)
        return name

    def step(self, kind, args, inputs, node, base=None, state=None):
        entry = MarkedDict(type=kind, name=self.auto(base or MODULES.get(kind, kind).auto_name
                                                     if kind in MODULES else base or kind.lower()), **args)
        entry.line, entry.column = node.lineno, node.col_offset + 1
        entry["inputs"] = [t.ref for t in inputs] if isinstance(inputs, list) else inputs.ref
        if not isinstance(inputs, list) and inputs.ref in self.from_input:
            self.from_input.add(entry["name"])  # the ids themselves, moved about: an Embedding may read them
        self.add(entry)
        return Tensor(entry["name"], state=state)

    def add(self, entry):
        if len(self.entries) >= MAX_ENTRIES:
            raise SpecError(Problem(f"forward() has more than {MAX_ENTRIES} steps", file=self.file, line=entry.line,
                                    column=entry.column, hint="give a smaller model"))
        self.entries.append(entry)

    # -- tensor operations -----------------------------------------------------------------------
    def binop(self, node, a, b, op=None):
        op = op or node.op
        if isinstance(op, ast.Add) and isinstance(a, Tensor) and isinstance(b, Tensor):
            return self.step("Add", {}, [a, b], node, "add")
        if isinstance(op, ast.Mult) and isinstance(a, Tensor) and _number(b) or \
                isinstance(op, ast.Mult) and _number(a) and isinstance(b, Tensor):
            x, k = (a, b) if isinstance(a, Tensor) else (b, a)
            return self.step("Scale", {"factor": float(k)}, x, node, "scale")
        if isinstance(op, ast.Div) and isinstance(a, Tensor) and _number(b) and b != 0:
            return self.step("Scale", {"factor": 1.0 / b}, a, node, "scale")
        if isinstance(op, (ast.Mult, ast.Div, ast.Add, ast.Sub)) and (isinstance(a, (int, float)) or
                                                                       isinstance(b, (int, float))):
            _fail(self.file, node, f"arithmetic between a tensor and a number ({_source(node)})",
                  "lstmcalc follows + between tensors; scale inside a module instead")
        _fail(self.file, node, f"the tensor expression {_source(node)}", "lstmcalc follows + between tensors")

    def method(self, scope, base, attr, node):
        if attr in IDENTITY:
            return base
        if isinstance(base, Zeros) or base is None:
            return Opaque(node, f"{_source(node)}", "write the value out")
        args, kwargs = None, None
        if attr in ("size", "dim"):
            args, _ = self.args_of(scope, node)
            if attr == "dim":
                return len(self.shape_of(base, node))
            return SizeOf(base, args[0], node) if args else Sizes(base, node)
        if attr in ("view", "reshape"):
            args, _ = self.args_of(scope, node)
            dims = args[0] if len(args) == 1 and isinstance(args[0], (tuple, list, Sizes)) else args
            return self.view(base, dims, node)
        if attr in ("permute", "transpose"):
            args, _ = self.args_of(scope, node)
            return self.permute(base, attr, args, node)
        if attr in ("squeeze", "unsqueeze"):
            args, kwargs = self.args_of(scope, node)
            dim = args[0] if args else kwargs.get("dim")
            return self.squeeze(base, attr, dim, node)
        if attr in ("mean",):
            args, kwargs = self.args_of(scope, node)
            return self.mean(base, args, kwargs, node)
        if attr == "flatten":
            args, kwargs = self.args_of(scope, node)
            return self.flatten(base, args, kwargs, node)
        if attr in FUNCTIONAL and attr != "dropout":
            args, kwargs = self.args_of(scope, node)
            return self.activation(attr, base, args, kwargs, node)
        if attr == "chunk" or attr == "split" or attr == "unbind":
            _fail(self.file, node, f"{_source(node)} (splitting a tensor into pieces)",
                  "lstmcalc follows straight-line code on whole tensors")
        return Opaque(node, f"the tensor method .{attr}() ({_source(node)})",
                      "lstmcalc follows view, reshape, permute, transpose, squeeze, unsqueeze, mean, flatten, size "
                      "and activations")

    def torch_function(self, scope, path: Path, node):
        p = path.path
        leaf = path.leaf
        if p in ZEROS or p in ("torch.zeros", "torch.ones") or leaf == "Variable":
            if p == "torch.ones":
                return Opaque(node, f"{_source(node)} as an initial state", "use torch.zeros(...)")
            if leaf == "Variable" and node.args:
                return scope.value(node.args[0])
            return Zeros(node)
        if p in ("torch.randn", "torch.rand", "torch.randn_like"):
            return Opaque(node, f"a random tensor ({_source(node)})", "use torch.zeros(...) for initial states")
        if p.startswith("torch.nn.") and p.count(".") == 2 and leaf[:1].isupper():
            _fail(self.file, node, f"a module created inside forward() ({_source(node)}): a new module with new "
                  "weights on every call", "create it in __init__: self.name = nn.X(...)")
        args, kwargs = self.args_of(scope, node)
        tensor = args[0] if args else None
        if p in ("torch.cat", "torch.concat", "torch.concatenate"):
            seq = args[0] if args else kwargs.get("tensors")
            if not isinstance(seq, (tuple, list)) or not all(isinstance(t, Tensor) for t in seq):
                _fail(self.file, node, f"torch.cat of {_source(node.args[0]) if node.args else '?'}, which is not "
                      "a list of tensors", "write torch.cat([a, b], dim=1)")
            dim = args[1] if len(args) > 1 else kwargs.get("dim", 0)
            return self.step("Cat", {"dim": self.int_arg(dim, node)}, list(seq), node, "cat")
        if not isinstance(tensor, Tensor):
            _fail(self.file, node, f"the call {_source(node)}", "lstmcalc follows torch functions on tensors")
        if p in ("torch.transpose", "torch.permute"):
            return self.permute(tensor, leaf, args[1:], node)
        if p in ("torch.reshape",):
            return self.view(tensor, args[1], node)
        if p in ("torch.squeeze", "torch.unsqueeze"):
            return self.squeeze(tensor, leaf, args[1] if len(args) > 1 else kwargs.get("dim"), node)
        if p == "torch.mean":
            return self.mean(tensor, args[1:], kwargs, node)
        if p == "torch.flatten":
            return self.flatten(tensor, args[1:], kwargs, node)
        if leaf in FUNCTIONAL and (p.startswith("torch.nn.functional.") or p == f"torch.{leaf}"):
            return self.activation(leaf, tensor, args[1:], kwargs, node)
        _fail(self.file, node, f"the function {_source(node.func)}",
              "lstmcalc follows torch.cat, torch.zeros for initial states, reshaping functions and activations")

    def activation(self, fn, x, args, kwargs, node):
        kind = FUNCTIONAL[fn]
        if kind == "Dropout":
            p = args[0] if args else kwargs.get("p", 0.5)
            return self.step("Dropout", {"p": p}, x, node, "dropout")
        if kind in ("Softmax", "LogSoftmax"):
            dim = args[0] if args else kwargs.get("dim")
            if dim is None:
                _fail(self.file, node, f"{fn} without dim=", "write dim=-1 (the axis the values sum to 1 along)")
            return self.step(kind, {"dim": self.int_arg(dim, node)}, x, node, fn)
        if kind == "LeakyReLU":
            slope = args[0] if args else kwargs.get("negative_slope", 0.01)
            return self.step("LeakyReLU", {"negative_slope": slope}, x, node, "leaky_relu")
        if kind == "GELU":
            return self.step("GELU", {"approximate": kwargs.get("approximate", "none")}, x, node, "gelu")
        if kind == "ELU":
            return self.step("ELU", {"alpha": args[0] if args else kwargs.get("alpha", 1.0)}, x, node, "elu")
        return self.step(kind, {}, x, node, fn)

    def int_arg(self, v, node) -> int:
        if isinstance(v, Opaque):
            _fail(self.file, v.node, f"lstmcalc does not follow {v.what}", v.instead)
        if isinstance(v, bool) or not isinstance(v, int):
            _fail(self.file, node, f"{_source(node)}: a dimension here must be a whole number")
        return v

    def subscript(self, scope, node):
        base = scope.value(node.value)
        if isinstance(base, (tuple, list)):
            i = scope.value(node.slice)
            if isinstance(i, int) and -len(base) <= i < len(base):
                return base[i]
            _fail(self.file, node, f"the index {_source(node)} into a tuple of {len(base)}")
        if isinstance(base, Sequential):  # self.layers[0]: one module of an nn.Sequential
            i = scope.value(node.slice)
            if isinstance(i, int) and not isinstance(i, bool) and -len(base.children) <= i < len(base.children):
                return base.children[i]
            _fail(self.file, node, f"the index {_source(node)} into an nn.Sequential of {len(base.children)}")
        if isinstance(base, Sizes):
            i = scope.value(node.slice)
            return SizeOf(base.tensor, self.int_arg(i, node), node)
        if not isinstance(base, Tensor):
            if isinstance(base, Opaque):
                _fail(self.file, base.node, f"lstmcalc does not follow {base.what}", base.instead)
            return Opaque(node, f"the subscript {_source(node)}", "write the value out")
        items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        picks = []
        for axis, item in enumerate(items):
            if isinstance(item, ast.Slice) and item.lower is None and item.upper is None and item.step is None:
                continue
            if isinstance(item, ast.Constant) and item.value is Ellipsis:
                _fail(self.file, node, f"an ellipsis index ({_source(node)})", "write every axis: x[:, -1, :]")
            if isinstance(item, ast.Slice):
                _fail(self.file, node, f"a slice of a range ({_source(node)})",
                      "lstmcalc follows a single index on one axis, e.g. out[:, -1, :]")
            value = scope.value(item)
            if isinstance(value, Tensor) or not isinstance(value, int) or isinstance(value, bool):
                _fail(self.file, node, f"the index {_source(item)} in {_source(node)}",
                      "index one axis with a whole number, e.g. out[:, -1, :]")
            picks.append((axis, value))
        if len(picks) != 1:
            _fail(self.file, node, f"the indexing {_source(node)}",
                  "lstmcalc follows a single index on one axis, e.g. out[:, -1, :] or h_n[-1]")
        axis, index = picks[0]
        if base.state and axis == 0:
            return self.step("HiddenState", {"index": index}, base, node, "hidden_state")
        if axis == 1 and index == -1 and self.batch_axes(base, node) == [1]:
            # out[:, -1, :] on a module run without batch_first: axis 1 is the batch, not the time steps
            self.reader.notes.append(
                f"line {node.lineno}: {_source(node)} indexes axis 1, which is the batch axis here (the module "
                "before it runs without batch_first): it keeps the last sample of the batch at every time step; "
                "the last time step is out[-1], or set batch_first=True")
            return self.step("Select", {"dim": axis, "index": index}, base, node, "select")
        if axis == 1 and index == -1:
            return self.step("LastTimestep", {"batch_first": True}, base, node, "last_timestep")
        if axis == 0 and index == -1 and self.batch_axes(base, node) == [1]:
            return self.step("LastTimestep", {"batch_first": False}, base, node, "last_timestep")
        return self.step("Select", {"dim": axis, "index": index}, base, node, "select")

    def view(self, x, dims, node):
        if isinstance(dims, Sizes):
            dims = tuple(SizeOf(dims.tensor, i, node) for i in range(len(self.shape_of(dims.tensor, node))))
        shape = []
        for d in dims:
            v = self.size_value(d)
            if v is BATCH:
                shape.append(None)
            elif isinstance(v, int) and not isinstance(v, bool):
                shape.append(v)
            elif isinstance(v, Opaque):
                _fail(self.file, v.node, f"lstmcalc does not follow {v.what}", v.instead)
            else:
                _fail(self.file, node, f"the size {d!r} in {_source(node)}", "write sizes as whole numbers or -1")
        args = {"shape": shape}
        if None in shape:
            axes = self.batch_axes(x, node)
            if len(axes) != 1:
                _fail(self.file, node, f"{_source(node)}: lstmcalc cannot tell which axis of the input holds the "
                      "batch", "use -1 for the size that depends on the batch")
            if axes[0]:
                args["batch_axis"] = axes[0]
        return self.step("View", args, x, node, "view")

    def permute(self, x, attr, args, node):
        dims = list(args[0]) if len(args) == 1 and isinstance(args[0], (tuple, list)) else list(args)
        dims = [self.int_arg(d, node) for d in dims]
        if attr == "transpose":
            if len(dims) != 2:
                _fail(self.file, node, f"transpose takes two dims ({_source(node)})")
            return self.step("Transpose", {"dim0": dims[0], "dim1": dims[1]}, x, node, "transpose")
        moved = [i for i, d in enumerate(dims) if d % len(dims) != i]
        if len(moved) == 2:
            return self.step("Transpose", {"dim0": moved[0], "dim1": moved[1]}, x, node, "permute")
        return self.step("Permute", {"dims": dims}, x, node, "permute")

    def squeeze(self, x, attr, dim, node):
        if attr == "unsqueeze":
            return self.step("Unsqueeze", {"dim": self.int_arg(dim, node)}, x, node, "unsqueeze")
        shape = self.shape_of(x, node)
        if dim is None:
            ones = [i for i, d in enumerate(shape) if d == 1]
        else:
            d = self.int_arg(dim, node) % len(shape)
            ones = [d] if shape[d] == 1 else []
        for i in reversed(ones):
            x = self.step("Select", {"dim": i, "index": 0}, x, node, "squeeze")
        return x

    def mean(self, x, args, kwargs, node):
        dim = args[0] if args else kwargs.get("dim")
        if dim is None:
            _fail(self.file, node, "mean over every axis (the batch axis included)", "write mean(dim=1)")
        keep = args[1] if len(args) > 1 else kwargs.get("keepdim", False)
        return self.step("Mean", {"dim": self.int_arg(dim, node), "keepdim": bool(keep)}, x, node, "mean")

    def flatten(self, x, args, kwargs, node):
        start = args[0] if args else kwargs.get("start_dim", 0)
        end = args[1] if len(args) > 1 else kwargs.get("end_dim", -1)
        return self.step("Flatten", {"start_dim": self.int_arg(start, node), "end_dim": self.int_arg(end, node)},
                         x, node, "flatten")

    # -- sizes, by building the graph read so far ---------------------------------------------------
    def shape_of(self, x: Tensor, node, batch=None) -> tuple:
        from lstmcalc.graph.build import build
        from lstmcalc.sources import spec

        key = (len(self.entries), x.ref, batch)
        if key not in self.built:
            if len(self.built) >= MAX_BUILDS:
                _fail(self.file, node, f"forward() reads tensor sizes more than {MAX_BUILDS // 2} times",
                      "write the sizes out, or -1 in view/reshape")
            doc = self.draft([x.ref])
            if not self.entries:  # the model's input itself: a graph needs one entry
                doc["layers"] = MarkedList([MarkedDict(type="Identity", name="size_probe", inputs=x.ref)])
                doc["outputs"] = ["size_probe"]
            model = build(spec.from_document(doc, self.file), batch)
            self.built[key] = tuple(model.output_shape)
        return self.built[key]

    def batch_axes(self, x: Tensor, node) -> list[int]:
        return [i for i, d in enumerate(self.shape_of(x, node, SENTINEL)) if d == SENTINEL]

    def size_value(self, v):
        if not isinstance(v, SizeOf):
            return v
        axis = self.int_arg(v.axis, v.node)
        shape = self.shape_of(v.tensor, v.node)
        if not -len(shape) <= axis < len(shape):
            _fail(self.file, v.node, f"{_source(v.node)}: the tensor has {len(shape)} axes")
        if shape[axis] is not None:
            return shape[axis]
        if self.shape_of(v.tensor, v.node, SENTINEL)[axis] == SENTINEL:
            return BATCH
        return Opaque(v.node, f"{_source(v.node)}, a size that is not known (a variable length)",
                      "give --input-shape with every size, or use -1 in view/reshape")

    def refs(self, value, node) -> list[str]:
        if isinstance(value, Tensor):
            return [value.ref]
        if isinstance(value, (tuple, list)) and value:
            return [r for v in value for r in self.refs(v, node)]
        if isinstance(value, Opaque):
            _fail(self.file, value.node, f"lstmcalc does not follow {value.what}", value.instead)
        _fail(self.file, node, f"forward() returns {_source(node)}, which is not a tensor of the model",
              "return the output tensor")


__all__ = ["Forward"]
