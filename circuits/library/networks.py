"""Neural-network circuits: MLP losses, the tightness example, an RNN, a 1-D convolution.

From Rumelhart, Hinton & Williams (1986) and Kakade's note: the
loss of a multi-layer perceptron with its weights and biases as inputs
(:func:`mlp`).  From Griewank (2012): the tightness example
``sin(wᵀx)·b`` (:func:`sin_dot`) and, as classic backpropagation exercises, an
unrolled recurrent network (:func:`rnn`) and a convolution (:func:`conv1d`).

Examples
--------
>>> from circuits import library
>>> c = library.mlp([2, 3, 1])
>>> c.size, len(c.inputs)
(19, 16)
"""

from __future__ import annotations

from fractions import Fraction
from typing import Optional, Sequence

import numpy as np

from ..core.builder import Builder
from ..core.circuit import Circuit
from ..core.errors import CircuitError
from ._build import (check_int, check_ints, check_seed, input_matrix, input_vector, numbers_of, out,
                     output_matrix, output_vector, total, unary, weighted_sum)

__all__ = ["mlp", "sin_dot", "rnn", "conv1d"]


def _affine(b, W, z, bias, z_is_const: bool) -> list:
    """``W·z + bias`` over node matrices; constant ``z`` entries become wire weights."""
    gate = b.gate
    result = []
    for row, c in zip(W, bias):
        if z_is_const:
            result.append(b.linear(list(zip(row, z)) + [(c, 1)]))
        else:
            result.append(gate("add", *[gate("mul", w, u) for w, u in zip(row, z)], c))
    return result


def _data_matrix(values, cols: int, what: str) -> list:
    a = np.asarray(values)
    if a.ndim == 1:  # one data point, or one value per data point when there is one column
        a = a.reshape(-1, 1) if cols == 1 else a.reshape(1, -1)
    if a.ndim != 2 or a.shape[1] != cols:
        raise CircuitError(f"mlp: {what} must have {cols} columns (one row per data point), "
                           f"got shape {np.shape(values)}")
    return [numbers_of(row, f"mlp: {what}") for row in a.tolist()]


def mlp(widths: Sequence[int], activation: str = "sigmoid", loss: Optional[str] = "square",
        batch: int = 1, data=None, output_activation: Optional[str] = None) -> Circuit:
    """Loss of a multi-layer perceptron (Rumelhart, Hinton & Williams 1986).

    Layer ``ℓ = 1 .. L`` computes ``a^ℓ = W^ℓ z^(ℓ−1) + b^ℓ`` and
    ``z^ℓ = h(a^ℓ)`` with ``z^0 = x``; the hidden layers use ``activation``,
    the output layer ``output_activation`` (none, i.e. linear, as in Kakade's note,
    by default).  Each ``a^ℓ_i`` is one ``+`` gate over one ``×`` gate per
    weight and the bias (when ``z`` is constant data the weights are wire
    weights and no ``×`` gate is needed).  The square loss is the usual
    ``½ Σ ‖f(x, θ) − y‖²`` summed over the data points.

    Parameters
    ----------
    widths : sequence of int
        ``[d0, d1, ..., dL]``: input width, hidden widths, output width.
    activation : str
        A one-argument gate (``"sigmoid"``, ``"tanh"``, ``"relu"``, ...).
    loss : "square" or None
        ``None`` outputs the network's predictions instead of a loss.
    batch : int
        Number of data points when they are inputs (``data=None``).
    data : (X, Y), optional
        Numeric data points (rows) and targets, built in as constants; then
        only the weights and biases are inputs.  A 1-D ``X`` or ``Y`` is one
        data point, or one value per data point when the width is 1.  ``Y``
        may be ``None`` when ``loss`` is ``None``.
    output_activation : str, optional
        Activation of the last layer.

    Returns
    -------
    Circuit
        Inputs ``W1_i_j`` (``d1 × d0``, row by row), ``b1_i``, ``W2_i_j``, ...
        then, when the data are inputs, ``x_j`` and ``y_j`` (``batch=1``) or
        ``X_k_j`` and ``Y_k_j`` (row ``k`` = data point ``k``).  Output
        ``loss``, or ``yhat_j`` / ``Yhat_k_j`` when ``loss`` is ``None``.

    Examples
    --------
    >>> from circuits import library
    >>> c = library.mlp([2, 2, 1], activation="relu")
    >>> list(c.inputs)[:7]
    ['W1_1_1', 'W1_1_2', 'W1_2_1', 'W1_2_2', 'b1_1', 'b1_2', 'W2_1_1']
    >>> list(c.inputs)[-3:]
    ['x_1', 'x_2', 'y_1']
    >>> params = dict(W1_1_1=1, W1_1_2=0, W1_2_1=0, W1_2_2=1, b1_1=0, b1_2=-5,
    ...               W2_1_1=2, W2_1_2=1, b2_1=1)
    >>> c.evaluate(params, x_1=3, x_2=4, y_1=0)    # ŷ = 2·relu(3) + relu(−1) + 1 = 7
    {'loss': 24.5}
    >>> trained = library.mlp([2, 2, 1], data=([[0, 1], [1, 0]], [1, 0]))
    >>> len(trained.inputs)
    9
    """
    widths = _mlp_arguments(widths, activation, loss, output_activation)
    b = Builder()
    layers = _parameter_layers(b, widths)
    xs, ys, const = _mlp_data(b, widths, loss, batch, data)
    predictions = [_forward(b, layers, x, const, activation, output_activation) for x in xs]
    return _mlp_outputs(b, predictions, ys, const, loss, data is None)


def _mlp_arguments(widths, activation, loss, output_activation) -> list:
    """The checked ``widths`` of :func:`mlp`, after checking its activations and loss."""
    widths = check_ints(widths, "mlp: widths")
    if len(widths) < 2:
        raise CircuitError("mlp: widths needs at least an input and an output width, e.g. [3, 1]")
    unary(activation, "mlp: activation")
    if output_activation is not None:
        unary(output_activation, "mlp: output_activation")
    if loss not in ("square", None):
        raise CircuitError(f"mlp: unknown loss {loss!r}; use 'square' or None")
    return widths


def _parameter_layers(b: Builder, widths: list) -> list:
    """The inputs ``(W^ℓ, b^ℓ)`` of each layer ``ℓ = 1 .. L``, row by row."""
    layers = []
    for l in range(1, len(widths)):
        W = input_matrix(b, f"W{l}", widths[l], widths[l - 1])
        bias = input_vector(b, f"b{l}", widths[l])
        layers.append((W, bias))
    return layers


def _mlp_outputs(b: Builder, predictions: list, ys, const: bool, loss: Optional[str],
                 data_inputs: bool) -> Circuit:
    """The circuit with the square loss of ``predictions`` against ``ys``, or (no ``loss``) the predictions."""
    if loss is None:
        if len(predictions) == 1 and data_inputs:
            output_vector(b, "yhat", predictions[0])
        else:
            output_matrix(b, "Yhat", predictions)
        return b.build()
    assert ys is not None  # a loss needs targets: refused above without them
    squares = []
    for yhat, y in zip(predictions, ys):
        for u, t in zip(yhat, y):
            diff = b.linear([(u, 1)], -t) if const else b.linear([(u, 1), (t, -1)])
            squares.append(b.gate("square", diff))
    out(b, "loss", b.gate("add", *squares, weights=(Fraction(1, 2),) * len(squares)))
    return b.build()


def _forward(b: Builder, layers: list, x: list, const: bool, activation: str,
             output_activation: Optional[str]) -> list:
    """The network's prediction for the data point ``x``: its layers applied in turn."""
    L = len(layers)
    z, z_const = x, const
    for l, (W, bias) in enumerate(layers, start=1):
        a = _affine(b, W, z, bias, z_const)
        h = activation if l < L else output_activation
        z = a if h is None else [b.gate(h, u) for u in a]
        z_const = False
    return z


def _mlp_data(b: Builder, widths: list, loss: Optional[str], batch, data) -> tuple:
    """:func:`mlp`'s data points and targets (inputs of ``b``, or ``data``), and whether they are constants."""
    if data is None:
        batch = check_int(batch, "mlp: batch")
        if batch == 1:
            xs = [input_vector(b, "x", widths[0])]
            ys = [input_vector(b, "y", widths[-1])] if loss else None
        else:
            xs = input_matrix(b, "X", batch, widths[0])
            ys = input_matrix(b, "Y", batch, widths[-1]) if loss else None
        return xs, ys, False
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise CircuitError("mlp: data must be a pair (X, Y) of data points and targets")
    xs = _data_matrix(data[0], widths[0], "X")
    if data[1] is None:
        if loss:
            raise CircuitError("mlp: the square loss needs targets Y in data=(X, Y)")
        ys = None
    else:
        ys = _data_matrix(data[1], widths[-1], "Y")
        if len(ys) != len(xs):
            raise CircuitError(f"mlp: {len(xs)} data points but {len(ys)} targets")
    return xs, ys, True


def sin_dot(d: int, m: int, w=None, b=None, *, seed: int = 0) -> Circuit:
    """The tightness example ``f(x) = sin(wᵀx)·b`` (Griewank 2012).

    Computing ``f: ℝ^d → ℝ^m`` costs ``O(d + m)`` (here one
    weighted ``+``, one ``sin`` and ``m`` one-wire ``+`` gates for the
    scalings) while its Jacobian ``b·cos(wᵀx)·wᵀ`` has ``d·m`` entries, so the
    ``m ∧ d`` factor of Theorem 12.4 cannot be avoided.

    Parameters
    ----------
    d, m : int
        Input and output dimensions.
    w, b : array_like, optional
        The constant vectors (lengths ``d`` and ``m``); by default seeded
        random nonzero integers in ``[−3, 3]``.
    seed : int
        Seed of the default ``w`` and ``b``.

    Returns
    -------
    Circuit
        Inputs ``x_1 .. x_d``; outputs ``f_1 .. f_m``.

    Examples
    --------
    >>> from circuits import library
    >>> c = library.sin_dot(3, 2, w=[1, 2, 3], b=[2, -1])
    >>> c.size
    4
    >>> c.evaluate(x_1=0.0, x_2=0.0, x_3=0.0)
    {'f_1': 0.0, 'f_2': -0.0}
    """
    d = check_int(d, "sin_dot: d")
    m = check_int(m, "sin_dot: m")
    rng = np.random.default_rng(check_seed(seed, "sin_dot: seed"))
    choices = np.array([-3, -2, -1, 1, 2, 3])
    w = rng.choice(choices, d) if w is None else np.asarray(w)
    bvec = rng.choice(choices, m) if b is None else np.asarray(b)
    if w.shape != (d,) or bvec.shape != (m,):
        raise CircuitError(f"sin_dot: w must have length d = {d} and b length m = {m}, "
                           f"got shapes {w.shape} and {bvec.shape}")
    w = numbers_of(w, "sin_dot: w")
    b_values = numbers_of(bvec, "sin_dot: b")
    bld = Builder()
    x = input_vector(bld, "x", d)
    s = bld.gate("sin", weighted_sum(bld, x, w))
    output_vector(bld, "f", [bld.gate("add", s, weights=(c,)) for c in b_values])
    return bld.build()


def rnn(steps: int, hidden: int, features: int = 1, activation: str = "tanh") -> Circuit:
    """An Elman recurrent network unrolled over ``steps`` (Elman 1990).

    Backpropagation through an RNN (through time): unrolled, it is
    an ordinary circuit whose weights are shared across time steps.
    ``h_1 = act(U x_1 + c)``, ``h_t = act(W h_(t−1) + U x_t + c)`` and the
    output is ``y = vᵀ h_T``.

    Parameters
    ----------
    steps : int
        Number of time steps ``T``.
    hidden : int
        Size of the hidden state.
    features : int
        Size of each input ``x_t``.
    activation : str
        A one-argument gate.

    Returns
    -------
    Circuit
        Inputs ``W_i_j`` (hidden × hidden), ``U_i_j`` (hidden × features),
        ``c_i``, ``v_i`` and the sequence ``X_t_k`` (row ``t`` = step ``t``);
        output ``y``.

    Examples
    --------
    >>> import math
    >>> from circuits import library
    >>> c = library.rnn(2, 1)
    >>> list(c.inputs)
    ['W_1_1', 'U_1_1', 'c_1', 'v_1', 'X_1_1', 'X_2_1']
    >>> got = c.evaluate(W_1_1=0.5, U_1_1=1.0, c_1=0.0, v_1=2.0, X_1_1=1.0, X_2_1=-1.0)["y"]
    >>> abs(got - 2 * math.tanh(0.5 * math.tanh(1.0) - 1.0)) < 1e-12
    True
    """
    steps = check_int(steps, "rnn: steps")
    hidden = check_int(hidden, "rnn: hidden")
    features = check_int(features, "rnn: features")
    unary(activation, "rnn: activation")
    b = Builder()
    W = input_matrix(b, "W", hidden, hidden)
    U = input_matrix(b, "U", hidden, features)
    c = input_vector(b, "c", hidden)
    v = input_vector(b, "v", hidden)
    X = input_matrix(b, "X", steps, features)
    gate = b.gate
    h = _rnn_state(b, W, U, c, X, activation)
    y = gate("add", *[gate("mul", vi, hi) for vi, hi in zip(v, h)]) if hidden > 1 \
        else gate("mul", v[0], h[0])
    out(b, "y", y)
    return b.build()


def _rnn_state(b: Builder, W: list, U: list, c: list, X: list, activation: str) -> list:
    """The last hidden state ``h_T`` of the recurrence unrolled over the rows of ``X``."""
    gate = b.gate
    hidden, features = len(c), len(U[0])
    h = None
    for t in range(len(X)):
        new = []
        for i in range(hidden):
            terms = [gate("mul", U[i][k], X[t][k]) for k in range(features)]
            if h is not None:
                terms += [gate("mul", W[i][j], h[j]) for j in range(hidden)]
            new.append(gate(activation, gate("add", *terms, c[i])))
        h = new
    assert h is not None  # steps >= 1
    return h


def conv1d(length: int, kernel: int, activation: Optional[str] = None) -> Circuit:
    """A 1-D convolution layer ("valid" cross-correlation).

    A convolution layer: ``y_i = Σ_j k_j·x_(i+j−1)`` for ``i = 1 ..
    length − kernel + 1``, with the kernel shared by every position, so its
    gradient sums over positions.  ``kernel`` ``×`` gates and one ``+`` gate per
    output (just the ``×`` when ``kernel = 1``), then the activation if any.

    Parameters
    ----------
    length : int
        Length of the signal ``x``.
    kernel : int
        Length of the kernel ``k``, at most ``length``.
    activation : str, optional
        A one-argument gate applied to each output.

    Returns
    -------
    Circuit
        Inputs ``x_1 .. x_length``, ``k_1 .. k_kernel``; outputs
        ``y_1 .. y_(length−kernel+1)``.

    Examples
    --------
    >>> from circuits import library
    >>> c = library.conv1d(4, 2)
    >>> c.evaluate(x_1=1, x_2=2, x_3=3, x_4=4, k_1=1, k_2=-1)
    {'y_1': -1, 'y_2': -1, 'y_3': -1}
    """
    length = check_int(length, "conv1d: length")
    kernel = check_int(kernel, "conv1d: kernel")
    if kernel > length:
        raise CircuitError(f"conv1d: the kernel ({kernel}) is longer than the signal ({length})")
    if activation is not None:
        unary(activation, "conv1d: activation")
    b = Builder()
    x = input_vector(b, "x", length)
    k = input_vector(b, "k", kernel)
    gate = b.gate
    ys = []
    for i in range(length - kernel + 1):
        y = total(b, [gate("mul", k[j], x[i + j]) for j in range(kernel)])
        ys.append(y if activation is None else gate(activation, y))
    output_vector(b, "y", ys)
    return b.build()
