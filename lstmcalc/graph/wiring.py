"""Wiring a spec into a graph: references resolved, calls ordered, shapes propagated, rows ordered as Keras orders them.

The steps, each once:
1. number each layer's calls (node 0 is the entry with `type:`, then each
   `{call: NAME}` in the order written) and resolve every reference's layer
   and node; an entry without `inputs:` reads the entry above it;
2. order the calls topologically (stable in the order written; a cycle is an error);
3. walk them, building each layer's record on its first call and checking
   every later call and every keyword tensor (`initial_state`) against it;
4. keep what the outputs depend on (a dead-end layer is dropped with a
   warning, as Keras drops it; an unused input is kept, as Keras keeps it);
5. order the rows as Keras's `map_graph` does (`keras/src/ops/function.py`):
   by depth from the outputs, deepest first, ties in the order of the
   depth-first walk from the outputs; and decide, as Keras's
   `summary_utils.print_summary` does, whether the summary shows "Connected to".
"""

from __future__ import annotations

from lstmcalc.errors import Problem, ShapeError, SpecError
from lstmcalc.graph.build import INPUT, LayerRecord, Model, Node, build_record
from lstmcalc.graph.refs import Ref, TensorRef
from lstmcalc.layers import Formula, LayerType, batch_axis, resolve
from lstmcalc.layers.args import Args
from lstmcalc.shapes import fmt_shape
from lstmcalc.sources.spec import LayerSpec, ModelSpec

_PASSES_MASK = LayerType.symbolic_mask  # the output's mask is the input's (or none)
_ABOVE = Ref("", text="")  # the reference a chain's entry makes to the entry above: not written, so no text


class Wiring:
    """Builds one `Model` from one `ModelSpec` (see the module docstring for the steps)."""

    def __init__(self, spec: ModelSpec, batch_size: int | None = None, only_used: bool = False):
        self.spec = spec
        self.only_used = only_used
        self.file = spec.file
        self.batch = batch_size if batch_size is not None else spec.batch_size
        self.entries: tuple[LayerSpec, ...] = resolve(spec.framework, spec.layers)
        self.input_specs = {i.name: i for i in spec.inputs}
        self.calls: dict[str, list[int]] = {}  # layer name -> its entries, in call order
        self.node_of: list[int] = []  # by entry: its node, the how-manieth call of its layer
        for i, e in enumerate(self.entries):
            calls = self.calls.setdefault(e.name, [])
            self.node_of.append(len(calls))
            calls.append(i)
        self.records: dict[str, LayerRecord] = {}
        self.nodes: dict[tuple[str, int], Node] = {}
        # each node's input tensors in Keras's order, listed once
        self.reads: dict[tuple[str, int], list[TensorRef]] = {}
        self.parent_keys: dict[tuple[str, int], list[tuple[str, int]]] = {}  # the (layer, node) of those tensors
        self.warnings: list[str] = []
        self.masks: dict[TensorRef, TensorRef] = {}  # the tensors with a Keras mask (in a functional model): the mask
        self.next_free: dict[str, int] = {}  # free_name: the suffix to try first for each base name
        self.k = None  # the keras.ops that a mask computation records (graph.mask_ops.MaskOps), made on first need
        # each entry's positional references with the (layer, node) they name: resolved once, on first need
        self.resolved: list[list[tuple[Ref, tuple[str, int]]] | None] = [None] * len(self.entries)
        # a Sequential chain: one input, every entry reads the entry above it, no `outputs:`. Its calls
        # run in the order written and all of them lead to the last one, so neither the topological order
        # nor Keras's walk from the outputs has anything to find (both are taken for any other spec)
        self.chain = (not spec.functional and spec.outputs is None and len(spec.inputs) == 1
                      and all(e.inputs is None and not e.call for e in self.entries))

    # -- errors ----------------------------------------------------------------------
    def fail(self, entry: LayerSpec | None, message: str, hint: str | None = None, ref: Ref | None = None):
        line = ref.line if ref is not None and ref.line else (entry.line if entry else self.spec.line)
        column = ref.column if ref is not None and ref.line else (entry.column if entry else None)
        info = {"layer": entry.name, "layer_type": entry.type.name, "index": entry.index} if entry else {}
        raise SpecError(Problem(message, file=self.file, line=line, column=column, hint=hint, **info))

    # -- 1. references ----------------------------------------------------------------
    def source(self, entry: LayerSpec, ref: Ref) -> tuple[str, int]:
        """(layer, node) that a reference names; refuses names and calls that do not exist."""
        if ref.name in self.input_specs:
            if ref.node not in (None, 0) or ref.index not in (None, 0):
                self.fail(entry, f"'{ref.text}': the input '{ref.name}' has one tensor", f"write {ref.name}",
                          ref)
            return ref.name, 0
        calls = self.calls.get(ref.name)
        if calls is None:
            from lstmcalc.sources.spec import suggest

            known = [*self.input_specs, *self.calls]
            self.fail(entry, f"'{ref.text or ref.name}' names no layer or input",
                      suggest(ref.name, known) or "known: " + ", ".join(known[:12]), ref)
        node = ref.node or 0
        if node >= len(calls):
            times = "once" if len(calls) == 1 else f"{len(calls)} times"
            self.fail(entry, f"'{ref.text}': '{ref.name}' is called {times}, so it has no node {node}",
                      f"use {ref.name}[0][...]" if len(calls) == 1 else f"nodes are 0 to {len(calls) - 1}", ref)
        return ref.name, node

    def tensor(self, entry: LayerSpec, ref: Ref, key: tuple[str, int] | None = None) -> TensorRef:
        """The tensor a reference names, once its layer's call has been walked (`key`: its source, if known)."""
        if key is None:
            key = self.source(entry, ref)
        name, node = key
        if name in self.input_specs:
            return TensorRef(name, 0, 0)
        made = self.nodes[key]
        count = len(made.outputs)
        if ref.index is None:
            if count > 1 and isinstance(made.output_shape, list):
                listed = ", ".join(f"'{name}[{k}]'" for k in range(count))
                user = f"'{entry.name}'" if entry else "outputs:"
                where = f"'{name}[0]'" if ref.text else f"inputs: '{name}[0]' on {user}"
                self.fail(entry, f"'{name}' returns {count} tensors {fmt_shape(made.output_shape)}, but "
                          f"{user} takes one tensor from it",
                          f"write {where} (the output); its tensors are {listed}", ref)
            return TensorRef(name, node, 0)
        if ref.index >= count:
            self.fail(entry, f"'{ref.text}': '{name}' has {count} output{'s' if count > 1 else ''} "
                      f"{fmt_shape(list(made.outputs)) if count > 1 else fmt_shape(made.outputs[0])}",
                      f"use an index from 0 to {count - 1}", ref)
        return TensorRef(name, node, ref.index)

    def sources(self, i: int) -> list[tuple[Ref, tuple[str, int]]]:
        """The entry's positional references, each with the (layer, node) it names, resolved once:
        those written in `inputs:`, else the entry above (the only input, for the first entry)."""
        found = self.resolved[i]
        if found is None:
            entry = self.entries[i]
            if entry.inputs is not None:
                found = [(r, self.source(entry, r)) for r in entry.inputs]
            elif i > 0:  # the entry above: not written, so there is nothing to look up
                found = [(_ABOVE, (self.entries[i - 1].name, self.node_of[i - 1]))]
            else:
                if len(self.spec.inputs) > 1:
                    names = ", ".join(self.input_specs)
                    self.fail(entry, f"the model has {len(self.spec.inputs)} inputs ({names}), so the first layer "
                              "must say which it reads", f"add inputs: {self.spec.inputs[0].name}")
                name = self.spec.inputs[0].name
                found = [(Ref(name), (name, 0))]
            self.resolved[i] = found
        return found

    def keyword_refs(self, i: int) -> list[Ref]:
        """The references among the entry's keyword arguments (`initial_state`, `key`, `mask`...)."""
        out = []
        for value in self.entries[i].call.values():
            if isinstance(value, Ref):
                out.append(value)
            elif isinstance(value, tuple):
                out += list(value)
        return out

    def needs(self, i: int) -> set[int]:
        """The entries whose calls entry i reads (its positional and keyword references)."""
        entry = self.entries[i]
        found = [key for _, key in self.sources(i)]
        if entry.call:
            found += [self.source(entry, r) for r in self.keyword_refs(i)]
        calls, inputs = self.calls, self.input_specs
        return {calls[name][node] for name, node in found if name not in inputs}

    # -- 2. topological order ------------------------------------------------------------
    def order(self) -> list[int]:
        if self.chain:
            return list(range(len(self.entries)))
        deps: list[set[int]] = []
        written_order = True  # every entry reads only entries above it (most graphs)
        for i, entry in enumerate(self.entries):
            needs = self.needs(i)
            if i in needs:
                self.fail(entry, f"'{entry.name}' reads its own output", "name a layer above it", None)
            deps.append(needs)
            if written_order and needs and max(needs) > i:
                written_order = False
        if written_order:  # what the walk below gives then: the smallest ready entry is always the next one
            return list(range(len(self.entries)))
        import heapq  # only for a graph written out of order

        users: dict[int, list[int]] = {}
        for i, needs in enumerate(deps):
            for d in needs:
                users.setdefault(d, []).append(i)
        waiting = [len(d) for d in deps]
        ready = [i for i, n in enumerate(waiting) if n == 0]
        heapq.heapify(ready)
        out = []
        while ready:
            i = heapq.heappop(ready)
            out.append(i)
            for u in users.get(i, ()):
                waiting[u] -= 1
                if waiting[u] == 0:
                    heapq.heappush(ready, u)
        if len(out) < len(self.entries):
            stuck = [i for i in range(len(self.entries)) if waiting[i]]
            cycle = self.cycle(stuck, deps)
            self.fail(self.entries[cycle[0]], "the layers form a cycle: "
                      + " -> ".join(self.entries[k].name for k in cycle),
                      "a layer can only read tensors that do not depend on its own output")
        return out

    def cycle(self, stuck: list[int], deps: list[set[int]]) -> list[int]:
        path, seen, i = [], {}, stuck[0]
        while i not in seen:
            seen[i] = len(path)
            path.append(i)
            i = min(d for d in deps[i] if d in stuck)
        return path[seen[i]:] + [i]

    def used_entries(self) -> set[int]:
        """The entries the outputs depend on, found from the references alone (before any shape)."""
        if self.spec.outputs is None:
            todo = [len(self.entries) - 1]
        else:
            todo = [self.calls[n][k] for n, k in (self.source(None, r) for r in self.spec.outputs)
                    if n not in self.input_specs]
        used: set[int] = set()
        while todo:
            i = todo.pop()
            if i in used:
                continue
            used.add(i)
            todo += self.needs(i)
        return used

    # -- 3. shapes ------------------------------------------------------------------------
    def input_shape_of(self, name: str) -> tuple[tuple, int]:
        """The input's shape with the batch axis, and where that axis is (torch may put it second)."""
        spec = self.input_specs[name]
        if len(self.spec.inputs) == 1:
            consumers = self.entries
        else:  # from the first entry that reads it
            first = next((k for k, e in enumerate(self.entries) if any(r.name == name for r in (e.inputs or ()))),
                         len(self.entries))
            consumers = self.entries[first:]
        axis = batch_axis(self.spec.framework, consumers, len(spec.shape) + 1)
        return spec.shape[:axis] + (self.batch,) + spec.shape[axis:], axis

    def walk(self, i: int) -> None:
        entry = self.entries[i]
        t = entry.type
        positional = [self.tensor(entry, r, key) for r, key in self.sources(i)]
        shapes = [self.shape(x) for x in positional]
        is_list = entry.inputs_is_list and len(positional) > 1 or t.takes_list
        if t.takes_list and not entry.inputs_is_list:
            self.fail(entry, f"{t.name} takes a list of tensors", "write inputs: [a, b] with the tensors it merges")
        if not t.takes_list and not t.accepts_list and len(positional) > 1:
            self.fail(entry, f"{t.name} takes one tensor, not {len(positional)}",
                      "name one tensor in inputs:, or merge them first (Concatenate, Add...)")
        s = shapes if is_list else shapes[0]
        call = {}
        call_shapes = {}
        for kw, value in entry.call.items():
            if isinstance(value, Ref):
                call[kw] = self.tensor(entry, value)
                call_shapes[kw] = self.shape(call[kw])
            elif isinstance(value, tuple):
                call[kw] = tuple(self.tensor(entry, r) for r in value)
                call_shapes[kw] = [self.shape(x) for x in call[kw]]
            else:
                call[kw] = value
        if "key" in call_shapes and is_list:  # the key given by keyword is the list's third tensor
            s = [*s, call_shapes["key"]]
        auto_mask = False
        if self.spec.functional and t.mask_arg and "mask" not in call and len(call_shapes) == 0:
            # keras/src/layers/layer.py: a layer whose call takes `mask` and that gets one tensor
            # argument receives that argument's mask
            masks = [self.masks.get(x) for x in positional]
            if any(m is not None for m in masks):
                call["mask"] = tuple(m for m in masks if m is not None) if is_list else masks[0]
                auto_mask = True
        prev = self.records.get(positional[0].layer)
        record = build_record(entry, s, self.file, prev)
        first = self.records.get(entry.name)
        if first is not None and first.weights != record.weights:
            self.fail(entry, f"'{entry.name}' was built for input {fmt_shape(first.input_shape)} and is called "
                      f"again on {fmt_shape(s)}: its weights do not fit", "call a shared layer on tensors of the "
                      "same width")
        if self.masks:  # some tensor has a mask: pass those of the inputs (MultiHeadAttention checks their shapes)
            masked = [*positional, *([call["key"]] if isinstance(call.get("key"), TensorRef) else [])]
            if any(self.masks.get(x) is not None for x in masked):
                call_shapes["input_masks"] = [None if self.masks.get(x) is None else self.shape(self.masks[x])
                                              for x in masked]
        try:
            warnings = t.check_call(record.args, s, record.output_shape, call_shapes)
        except ShapeError as err:
            self.fail(entry, err.message, err.hint)
        if warnings:
            self.warnings += [f"layer '{entry.name}': {w}" for w in warnings]
        if first is None:
            self.records[entry.name] = record
        node = Node(entry.name, self.node_of[i], tuple(positional), is_list, call, s, record.output_shape,
                    tuple(t.reference_outputs(record.args, s, record.output_shape)), entry, auto_mask)
        self.add_node(node)
        # (while no tensor has a mask, a layer that only passes its input's mask on makes none)
        if self.spec.functional and (self.masks or "mask" in call or type(t).symbolic_mask is not _PASSES_MASK):
            self.propagate_mask(node, positional)

    def propagate_mask(self, node: Node, positional: list[TensorRef]) -> None:
        """Attach Keras's mask to the node's outputs (`Layer._set_mask_metadata`), recording its ops."""
        t, a = node.spec.type, node.spec.args
        given = node.call.get("mask")
        if given is not None and not isinstance(given, bool):
            previous = list(given) if isinstance(given, tuple) else given
        else:
            previous = [self.masks.get(x) for x in positional] if node.is_list else self.masks.get(positional[0])
        first = list(positional) if node.is_list else positional[0]
        if self.k is None:
            from lstmcalc.graph.mask_ops import MaskOps  # only a graph asks a layer for its mask

            self.k = MaskOps(self.record_op, self.shape)
        out = t.symbolic_mask(a, self.k, first, previous)
        outs = out if isinstance(out, list) else [out]
        for k, m in enumerate(outs[: len(node.outputs)]):
            if m is not None:  # a tensor without a mask is not listed
                self.masks[TensorRef(node.layer, node.index, k)] = m

    def record_op(self, op: str, inputs: list[TensorRef], shape: tuple) -> TensorRef:
        """One keras.ops call of a mask computation, as a graph node named as Keras names it."""
        from lstmcalc.graph.mask_ops import Operation

        t = Operation(op)
        name = self.free_name(t.auto_name)
        node = Node(name, 0, tuple(inputs), len(inputs) > 1 and op == "Concatenate", {}, None, shape, (shape,))
        self.add_node(node)
        self.records[name] = LayerRecord(name, t, Args({}), None, shape, (), Formula("0", "0", 0), 0, 0)
        return TensorRef(name, 0, 0)

    def free_name(self, base: str) -> str:
        # names are only ever added, so the search starts where the last one for this base ended
        n = self.next_free.get(base, 0)
        while (name := base if n == 0 else f"{base}_{n}") in self.records or name in self.calls \
                or name in self.input_specs:
            n += 1
        self.next_free[base] = n
        return name

    def add_node(self, node: Node) -> None:
        key = (node.layer, node.index)
        self.nodes[key] = node
        self.reads[key] = node.input_tensors()

    def shape(self, x: TensorRef) -> tuple:
        return self.nodes[(x.layer, x.node)].outputs[x.index]

    # -- 4. outputs and what they depend on ---------------------------------------------------
    def outputs(self) -> list[TensorRef]:
        if self.spec.outputs is not None:
            return [self.tensor(None, ref) for ref in self.spec.outputs]
        last = len(self.entries) - 1
        node = self.nodes[(self.entries[last].name, self.node_of[last])]
        count = len(node.outputs) if isinstance(node.output_shape, list) else 1
        return [TensorRef(node.layer, node.index, k) for k in range(count)]

    # -- 5. Keras's order -------------------------------------------------------------------
    def parents(self, key: tuple[str, int]) -> list[tuple[str, int]]:
        found = self.parent_keys.get(key)
        if found is None:  # listed on first need: a Sequential chain never asks
            found = self.parent_keys[key] = [(x.layer, x.node) for x in self.reads.get(key, ())]
        return found

    def keras_walk(self, outputs: list[TensorRef]) -> tuple[list, dict]:
        """Keras's `_build_map`: nodes in decreasing depth (post-order) and each layer's first visit index."""
        finished: set = set()
        order: list = []
        first_seen: dict = {}
        for out in outputs:
            root = (out.layer, out.node)
            if root in finished:
                continue
            first_seen.setdefault(root[0], len(first_seen))
            stack = [(root, iter(self.parents(root)))]  # each key with its parents still to visit
            while stack:
                key, parents = stack[-1]
                for nxt in parents:
                    if nxt not in finished:  # (in a graph without cycles, never one on the stack)
                        first_seen.setdefault(nxt[0], len(first_seen))
                        stack.append((nxt, iter(self.parents(nxt))))
                        break
                else:
                    stack.pop()
                    if key not in finished:
                        finished.add(key)
                        order.append(key)
        return order, first_seen

    def keras_rows(self, order: list, first_seen: dict) -> tuple[list[str], dict]:
        """Layer names by depth (deepest first, ties by first visit), and the nodes at each depth."""
        node_depth: dict = {}
        layer_depth: dict = {}
        for key in reversed(order):
            depth = node_depth.get(key, 0)
            above = layer_depth.get(key[0], 0)
            if above > depth:
                depth = above
            layer_depth[key[0]] = node_depth[key] = depth
            for p in self.parents(key):
                if node_depth.get(p, 0) <= depth:
                    node_depth[p] = depth + 1
        for name in self.input_specs:
            if name not in layer_depth:
                layer_depth[name] = 0
                first_seen[name] = -1
                node_depth[(name, 0)] = 0
        by_depth: dict = {}
        for key, depth in node_depth.items():
            by_depth.setdefault(depth, []).append(key)
        names = sorted(layer_depth, key=lambda n: (-layer_depth[n], first_seen[n]))
        return names, by_depth

    def chain_like(self, by_depth: dict, relevant: set) -> bool:
        """Keras's test for a summary without "Connected to" (`sequential_like`)."""
        if not self.spec.functional:
            return True
        for keys in by_depth.values():
            if len(keys) > 1 or len(self.reads.get(keys[0], ())) > 1:
                return False
        per_layer: dict = {}
        for key in relevant:
            per_layer[key[0]] = per_layer.get(key[0], 0) + 1
        return all(n <= 1 for n in per_layer.values())

    # -- the model -------------------------------------------------------------------------
    def model(self) -> Model:
        for name in self.input_specs:
            shape, axis = self.input_shape_of(name)
            dtype = self.input_specs[name].dtype
            node = Node(name, 0, (), False, {}, None, shape, (shape,))
            self.add_node(node)
            self.records[name] = LayerRecord(name, INPUT, Args({"dtype": dtype, "batch_axis": axis}), None, shape, (),
                                             Formula("0", "0", 0), 0, 0, nodes=(node,))
        execution = self.order()
        if self.only_used and self.spec.framework != "pytorch":
            used = self.used_entries()
            execution = [i for i in execution if i in used]
        for i in execution:
            self.walk(i)
        outputs = self.outputs()
        if self.chain:  # what Keras's walk from the last call finds: the input, then every call as written
            order = [(n, 0) for n in self.input_specs] + [(self.entries[i].name, self.node_of[i]) for i in execution]
        else:
            order, first_seen = self.keras_walk(outputs)
        reached = set(order)
        relevant = reached | {(n, 0) for n in self.input_specs}
        for name in self.input_specs:
            if (name, 0) not in reached:
                self.warnings.append(f"input '{name}' is not used by any output; Keras keeps it (its row is shown)")
        torch = self.spec.framework == "pytorch"
        reached_layers = {key[0] for key in order}
        for name in self.calls:
            if name in self.records and name not in reached_layers:
                self.warnings.append(f"layer '{name}' is not connected to the outputs; " + (
                    "torch still counts its parameters (it is a submodule)" if torch
                    else "Keras drops it, and so does lstmcalc"))
        show = False  # a Sequential model's summary has no "Connected to"
        if self.spec.functional:
            names, by_depth = self.keras_rows(order, first_seen)
            show = not self.chain_like(by_depth, {k for k in order if k[0] not in self.input_specs})
        if torch:  # an nn.Module owns every submodule, used or not: all rows, in the order written
            relevant |= {(e.name, self.node_of[i]) for i, e in enumerate(self.entries)}
            names = [*self.input_specs, *self.calls]
        elif not self.spec.functional:  # a Sequential model: the input, then the layers as written
            names = [*self.input_specs, *(n for n in self.calls if n in reached_layers)]
        by_layer: dict = {}
        for (layer, _), node in self.nodes.items():
            by_layer.setdefault(layer, []).append(node)
        rows = tuple([self.finish(name, by_layer[name], relevant) for name in names])
        keys = [(self.entries[i].name, self.node_of[i]) for i in execution]
        nodes = tuple([self.nodes[key] for key in keys if key in relevant])
        return Model(self.spec, rows, nodes, tuple(self.input_specs), tuple(outputs), show, tuple(self.warnings))

    def finish(self, name: str, calls: list[Node], relevant: set) -> LayerRecord:
        """The layer's record with its calls, its "Connected to" cells and the last call's shape."""
        record = self.records[name]
        if len(calls) == 1:  # most layers: one call, read by the outputs (without two comprehensions: 6% of a build)
            key = (name, calls[0].index)
            nodes, tensors = ((calls[0],), self.reads[key]) if key in relevant else ((), [])
        else:
            calls = sorted(calls, key=lambda n: n.index)
            nodes = tuple([n for n in calls if (name, n.index) in relevant])
            tensors = [x for n in nodes for x in self.reads[(name, n.index)]]
        inbound = tuple(dict.fromkeys([x.layer for x in tensors]))
        # completed in place: the record is this wiring's own until the model is made (each name once).
        # Keras's summary shows the shape of the layer's last call, in the model or not
        record.output_shape, record.nodes, record.inbound = calls[-1].output_shape, nodes, inbound
        if self.spec.functional:  # a Sequential model's summary has no "Connected to"
            record.connected_to = tuple([x.cell() for x in tensors])
        return record
