"""Core layers: Dense, Embedding, Activation, Masking and the noise layers."""

from __future__ import annotations

from lstmcalc.errors import ShapeError, SpecError
from lstmcalc.layers.args import Arg, weight_args
from lstmcalc.layers.base import Formula, LayerType, WeightSpec, need_known
from lstmcalc.layers.equivalent import Equivalent, NoEquivalent, activation_steps, transposed
from lstmcalc.render.terminal import brief
from lstmcalc.run.tensor import activation, affine, map_vectors, matvec, shape_of, transpose, weight_rows
from lstmcalc.shapes import fmt_shape


def lora_args(target: str) -> tuple[Arg, ...]:
    return (
        Arg("lora_rank", "int", None, f"rank of a LoRA update of {target}; freezes {target}",
            minimum=1, nullable=True, structural=True),
        Arg("lora_alpha", "float", None, "LoRA scale numerator; Keras 3 resets it to lora_rank when it builds "
            "the layer, so it has no effect", nullable=True),
    )


def lora_weights(a, rows: int, cols: int, frozen: WeightSpec) -> list[WeightSpec]:
    """Keras's enable_lora: the base matrix is frozen and two factors are added."""
    if not a.lora_rank:
        return [frozen]
    r = a.lora_rank
    return [
        WeightSpec(frozen.name, frozen.shape, trainable=False, doc=frozen.doc + " (frozen by LoRA)"),
        WeightSpec(f"lora_{frozen.name}_a", (rows, r), doc="LoRA factor A"),
        WeightSpec(f"lora_{frozen.name}_b", (r, cols), doc="LoRA factor B"),
    ]


def lora_merged(a, w, name: str) -> list:
    """The effective matrix: base + (alpha / rank) · A @ B."""
    base = w[name]
    if not a.lora_rank:
        return base
    # Keras 3 builds the layer with enable_lora(lora_rank), which resets
    # lora_alpha to lora_rank: the constructor's lora_alpha has no effect.
    scale = 1.0
    b_cols = transpose(w[f"lora_{name}_b"])  # (cols, r)
    return [[v + scale * d for v, d in zip(row, matvec(b_cols, a_row))]
            for row, a_row in zip(base, w[f"lora_{name}_a"])]


def lora_formula(a, rows: int, cols: int, sym: str, num: str, value: int) -> Formula:
    if not a.lora_rank:
        return Formula(sym, num, value)
    r = a.lora_rank
    return Formula(f"{sym} + lora_rank × ({rows} + {cols})", f"{num} + {r} × ({rows} + {cols})",
                   value + r * (rows + cols))


class Dense(LayerType):
    """A fully connected layer: every output unit is a weighted sum of all the
    input features plus a bias. On an input of rank > 2 it acts on the last
    axis only, with the same weights at every position."""

    name, auto_name = "Dense", "dense"
    supports_masking = True
    min_rank = 2
    args = (
        Arg("units", "int", doc="number of outputs", minimum=1, structural=True),
        Arg("activation", "activation", None, "activation applied to the output"),
        Arg("use_bias", "bool", True, "whether the layer has a bias vector", structural=True),
        *weight_args(kernel="glorot_uniform", bias="zeros"),
        *lora_args("kernel"),
        Arg("quantization_config", "object", None, "quantisation (not supported: leave null)"),
    )

    def output_shape(self, a, s):
        self.check_rank(s)
        need_known(s, -1, "last axis (the one Dense acts on)", self.name)
        if a.quantization_config is not None:
            raise ShapeError("quantization_config is not supported", "remove it")
        return s[:-1] + (a.units,)

    def shape_rule(self, a, s, out):
        if len(s) > 2:
            return (f"Dense acts on the last axis only ({s[-1]} → {a.units}); the other axes "
                    f"{fmt_shape(s[:-1])} are kept: {fmt_shape(out)}.")
        return f"Dense maps the {s[-1]} input features to {a.units} units: {fmt_shape(out)}."

    def weights(self, a, s):
        n = s[-1]
        ws = lora_weights(a, n, a.units, WeightSpec("kernel", (n, a.units), doc="input → units"))
        if a.use_bias:
            ws.insert(1, WeightSpec("bias", (a.units,), doc="one per unit"))
        return ws

    def formula(self, a, s):
        n, u = s[-1], a.units
        if a.use_bias:
            f = ("input_dim × units + units", f"{n} × {u} + {u}", n * u + u)
        else:
            f = ("input_dim × units", f"{n} × {u}", n * u)
        return lora_formula(a, n, u, *f)

    def macs(self, a, s, out):
        positions = 1
        for d in s[1:-1]:
            if d is None:
                return None
            positions *= d
        return positions * s[-1] * a.units

    def elementwise_ops(self, a, s, out):
        m = self.macs(a, s, out)
        return None if m is None else (m // s[-1]) * (1 if a.use_bias else 0)

    def to_pytorch(self, a, s):
        if a.lora_rank:
            raise NoEquivalent("lora_rank has no nn.Linear argument", "merge the LoRA update into kernel first")
        step = {"type": "Linear", "out_features": a.units, "$name": ""}
        if not a.use_bias:
            step["bias"] = False
        return Equivalent((step, *activation_steps(a.activation, "Dense")), weights=0)

    def torch_weights(self, a, s, w):
        return {"weight": transposed(w["kernel"]), **({"bias": w["bias"]} if a.use_bias else {})}

    def from_torch_weights(self, a, s, sd):
        return {"kernel": transposed(sd["weight"]), **({"bias": sd["bias"]} if a.use_bias else {})}

    def forward(self, a, w, x, mask=None):
        bias = w["bias"] if a.use_bias else None
        rows = weight_rows(lora_merged(a, w, "kernel"), bias)  # (units, in [+ 1])
        product = matvec if bias is None else affine
        act = activation(a.activation)

        def unit(v):
            return act(product(rows, v))  # act(v·kernel + bias)

        return map_vectors(x, unit, len(shape_of(x)))


class Embedding(LayerType):
    """A lookup table: each integer token id in [0, input_dim) selects one row
    of `embeddings`, a vector of output_dim numbers. No multiplications."""

    name, auto_name = "Embedding", "embedding"
    min_rank = 1
    args = (
        Arg("input_dim", "int", doc="vocabulary size: token ids run from 0 to input_dim - 1",
            minimum=1, structural=True),
        Arg("output_dim", "int", doc="length of each embedding vector", minimum=1, structural=True),
        *weight_args(embeddings="uniform"),
        Arg("mask_zero", "bool", False, "token id 0 is padding: later layers skip it"),
        Arg("weights", "object", None, "initial weights"),
        Arg("input_length", "int", None, "deprecated: Keras 3 ignores it", minimum=1, nullable=True),
        *lora_args("embeddings"),
        Arg("quantization_config", "object", None, "quantisation (not supported: leave null)"),
    )

    def output_shape(self, a, s):
        self.check_rank(s)
        return s + (a.output_dim,)

    def shape_rule(self, a, s, out):
        return (f"each token id of the {fmt_shape(s)} input becomes a vector of {a.output_dim} numbers: "
                f"a new last axis, {fmt_shape(out)}.")

    def notes(self, a, s, out):
        lines = [f"The table has one row per token id 0 ... {a.input_dim - 1}: input_dim {a.input_dim} is the "
                 "vocabulary size (the largest id + 1); a larger id is an error."]
        if a.mask_zero:
            lines.append("mask_zero: true makes id 0 padding: the layer passes a mask (True where the id is not 0) "
                         "to the layers after it, and recurrent layers skip the padded steps. Id 0 still has its "
                         "row in the table, so real tokens are numbered from 1.")
        return lines + super().notes(a, s, out)

    def weights(self, a, s):
        base = WeightSpec("embeddings", (a.input_dim, a.output_dim), doc="one row per token id")
        return lora_weights(a, a.input_dim, a.output_dim, base)

    def formula(self, a, s):
        i, o = a.input_dim, a.output_dim
        return lora_formula(a, i, o, "input_dim × output_dim", f"{i} × {o}", i * o)

    def compute_mask(self, a, x, mask):
        return nonzero_mask(x) if a.mask_zero else None

    def to_pytorch(self, a, s):
        if a.mask_zero:
            raise NoEquivalent("mask_zero: true has no equivalent: torch modules carry no mask, so later "
                               "layers would read the padding steps",
                               "nearest: pack the sequences with nn.utils.rnn.pack_padded_sequence in the "
                               "PyTorch code (by hand), or mask_zero: false (a different model)")
        if a.lora_rank:
            raise NoEquivalent("lora_rank has no nn.Embedding argument", "merge the LoRA update first")
        return Equivalent(({"type": "Embedding", "num_embeddings": a.input_dim, "embedding_dim": a.output_dim,
                            "$name": ""},), weights=0)

    def torch_weights(self, a, s, w):
        return {"weight": w["embeddings"]}

    def from_torch_weights(self, a, s, sd):
        return {"embeddings": sd["weight"]}

    def symbolic_mask(self, a, k, x, mask):
        return k.not_equal(x) if a.mask_zero else None  # keras: ops.not_equal(inputs, 0)

    def forward(self, a, w, x, mask=None):
        table = lora_merged(a, w, "embeddings")

        def look(v):
            if isinstance(v, list):
                return [look(t) for t in v]
            i = int(v)  # Keras casts other inputs to int32 (truncating)
            if not 0 <= i < a.input_dim:
                raise SpecError(f"token id {brief(v)} is not an integer in [0, {a.input_dim})",
                                hint="feed token ids to Embedding")
            return list(table[i])

        return look(x)


class Activation(LayerType):
    """Applies an activation function elementwise (softmax: over the last axis)."""

    name, auto_name = "Activation", "activation"
    supports_masking = True
    args = (Arg("activation", "activation", doc="the activation function"),)

    def to_pytorch(self, a, s):
        return Equivalent(tuple({**st, "$name": ""} for st in activation_steps(a.activation, "Activation")),
                          outputs=("$last",) if a.activation not in (None, "linear") else ("$in",))

    def forward(self, a, w, x, mask=None):
        rank = len(shape_of(x))
        return map_vectors(x, activation(a.activation), rank) if rank else x


class Dropout(LayerType):
    """Zeroes a random fraction `rate` of its inputs while training; at
    inference it is the identity. No weights."""

    name, auto_name = "Dropout", "dropout"
    supports_masking = True
    args = (
        Arg("rate", "float", doc="fraction of the inputs to drop while training", minimum=0, maximum=1),
        Arg("noise_shape", "shape", None, "shape of the binary dropout mask (null: the input's size)",
            minimum=1),
        Arg("seed", "int", None, "random seed", nullable=True),
    )

    def to_pytorch(self, a, s):
        if a.noise_shape is not None:
            raise NoEquivalent("noise_shape has no nn.Dropout argument", "nearest: leave noise_shape out")
        return Equivalent(({"type": "Dropout", "p": a.rate, "$name": ""},))


class SpatialDropout1D(LayerType):
    """Drops whole feature channels of a (batch, timesteps, channels) input
    while training; identity at inference."""

    name, auto_name = "SpatialDropout1D", "spatial_dropout1d"
    supports_masking = True
    trainable_arg = False  # its constructor takes only rate, seed, name, dtype
    min_rank = max_rank = 3
    rank_hint = " (batch, timesteps, channels)"
    args = (
        Arg("rate", "float", doc="fraction of the channels to drop while training", minimum=0, maximum=1),
        Arg("seed", "int", None, "random seed", nullable=True),
    )

    def output_shape(self, a, s):
        self.check_rank(s)
        return s


class GaussianNoise(LayerType):
    """Adds zero-centred Gaussian noise while training; identity at inference."""

    name, auto_name = "GaussianNoise", "gaussian_noise"
    supports_masking = True
    args = (
        Arg("stddev", "float", doc="standard deviation of the noise (Keras allows 0 to 1)", minimum=0, maximum=1),
        Arg("seed", "int", None, "random seed", nullable=True),
    )


class Masking(LayerType):
    """Marks the timesteps whose features all equal mask_value as padding:
    they are zeroed, and recurrent layers downstream skip them."""

    name, auto_name = "Masking", "masking"
    supports_masking = True
    args = (Arg("mask_value", "float", 0.0, "feature value that marks a padded timestep"),)

    def compute_mask(self, a, x, mask):
        return masking_mask(x, a.mask_value)

    def symbolic_mask(self, a, k, x, mask):
        return k.any(k.not_equal(x), axis=-1)  # keras: ops.any(ops.not_equal(inputs, mask_value), axis=-1)

    def forward(self, a, w, x, mask=None):
        mv = a.mask_value

        def keep(v):
            return [0.0] * len(v) if all(e == mv for e in v) else v

        return map_vectors(x, keep, len(shape_of(x)))


def masking_mask(x, mask_value):
    """Keras's Masking mask: a position is kept if any feature differs."""
    rank = len(shape_of(x))

    def walk(v, depth):
        if depth == rank - 1:
            return any(e != mask_value for e in v)
        return [walk(item, depth + 1) for item in v]

    return walk(x, 0)


def nonzero_mask(x):
    """Embedding(mask_zero=True)'s mask: token id 0 is padding."""
    if isinstance(x, list):
        return [nonzero_mask(v) for v in x]
    return x != 0



class Identity(LayerType):
    """Passes its input through unchanged: a placeholder where a model
    needs a layer (Keras's keras.layers.Identity, torch's nn.Identity)."""

    name, auto_name = "Identity", "identity"
    supports_masking = True

    def notes(self, a, s, out):
        return ["It returns its input unchanged: models use it where a layer is expected but none is wanted "
                "(a skip branch, a head switched off by a flag)."]

    def to_pytorch(self, a, s):
        return Equivalent(({"type": "Identity", "$name": ""},))


class GaussianDropout(LayerType):
    """Multiplies each value by noise drawn from N(1, rate / (1 − rate)) while
    training; the identity at inference. No weights."""

    name, auto_name = "GaussianDropout", "gaussian_dropout"
    supports_masking = True
    args = (
        Arg("rate", "float", doc="drop probability; the noise's variance is rate / (1 − rate)", minimum=0, maximum=1),
        Arg("seed", "int", None, "random seed", nullable=True),
    )


class AlphaDropout(LayerType):
    """Dropout for SELU networks: dropped values are set to SELU's negative
    saturation and the result is rescaled to keep mean and variance, while
    training; the identity at inference. No weights."""

    name, auto_name = "AlphaDropout", "alpha_dropout"
    supports_masking = True
    args = (
        Arg("rate", "float", doc="fraction of the inputs to drop while training", minimum=0, maximum=1),
        Arg("noise_shape", "shape", None, "shape of the binary dropout mask (null: the input's size)", minimum=1),
        Arg("seed", "int", None, "random seed", nullable=True),
    )


class ActivityRegularization(LayerType):
    """Adds l1 · Σ|x| + l2 · Σx² of its input to the training loss and passes
    the input through unchanged. No weights."""

    name, auto_name = "ActivityRegularization", "activity_regularization"
    supports_masking = True
    args = (
        Arg("l1", "float", 0.0, "weight of the L1 penalty on the activations"),
        Arg("l2", "float", 0.0, "weight of the L2 penalty on the activations"),
    )

    @property
    def all_args(self):
        # Keras passes activity_regularizer=L1L2(l1, l2) itself: a second one is a TypeError
        return tuple(arg for arg in super().all_args if arg.name != "activity_regularizer")

    def notes(self, a, s, out):
        terms = " + ".join(t for t, k in ((f"{a.l1:g} × Σ|x|", a.l1), (f"{a.l2:g} × Σx²", a.l2)) if k) or "nothing"
        return [f"It adds {terms} to the loss while training; the forward pass is the "
                "identity. Keras builds it with activity_regularizer L1L2(l1, l2), so that argument is not its own."]


class SpatialDropout2D(LayerType):
    """Drops whole feature maps (every row and column of a channel) of a 4-D
    image input while training; the identity at inference."""

    name, auto_name = "SpatialDropout2D", "spatial_dropout2d"
    supports_masking = True
    trainable_arg = False  # its constructor takes only rate, data_format, seed, name, dtype
    min_rank = max_rank = 4
    rank_hint = " (batch, rows, cols, channels)"
    args = (
        Arg("rate", "float", doc="fraction of the channels to drop while training", minimum=0, maximum=1),
        Arg("data_format", "choice", None, "channels_last (batch, rows, cols, channels) or channels_first",
            choices=("channels_last", "channels_first"), ignore_case=True),
        Arg("seed", "int", None, "random seed", nullable=True),
    )

    def output_shape(self, a, s):
        self.check_rank(s)
        return s
