"""AlphaGrad's scalar benchmark functions, one gate per JAX primitive.

Lohoff and Neftci (2024), "Optimizing Automatic Differentiation with Deep
Reinforcement Learning" (NeurIPS 2024), learn vertex elimination orders with
AlphaZero-style reinforcement learning and report, for each of their
benchmark functions, the multiplications of the forward, reverse and
Markowitz orders and of their learned order.  The functions are in their
public repository graphax (https://github.com/jamielohoff/graphax,
``src/graphax/examples/``: ``roe.py``, ``differential_kinematics.py``,
``minpack.py``, ``randoms.py``).  This module translates the five scalar
ones faithfully, each written once against a namespace ``m`` of ``jax.numpy``
names:

* :func:`roe_flux_1d` — Roe's approximate Riemann solver for the 1-d Euler
  equations (Roe 1981): 6 inputs, 3 outputs;
* :func:`robot_arm_6dof` — the forward kinematics of a 6-axis robot arm:
  6 joint angles, position and Tait–Bryan angles (6 outputs);
* :func:`human_heart_dipole` and :func:`propane_combustion` — MINPACK-2
  nonlinear systems (Averick et al. 1992): 8 and 11 equations;
* :func:`random_g` — graphax's randomly generated function ``g``: 15 inputs,
  20 outputs.

With ``traced=False`` (the default) every JAX primitive the source would
stage (``add``, ``sub``, ``neg``, ``mul``, ``div``, ``integer_pow``, ``pow``,
``sqrt``, ``sin``, ``atan2``, ...) becomes one gate, constants included
(``0.5*u`` is a ``mul`` gate with a constant argument, ``x - 3.`` an ``add``
gate with weights ``(1, -1)`` and a constant), and repeated calls are not
shared, as in the jaxpr graphax eliminates on.  ``integer_pow`` is ``square``
or ``pow`` and JAX's ``pow`` of two traced values (``jnp.power(x, y)``, only in
``g``) is ``powr``.
With ``traced=True`` the same source runs on :class:`circuits.Wire` values,
as :func:`circuits.trace` would build it (linear combinations folded into
weighted ``+`` gates, constant factors into weights).

:data:`PUBLISHED` holds the multiplications Lohoff and Neftci report (Table 1
of the paper; every scalar product counted, ``count="all"`` in
:func:`circuits.eliminate`).

Examples
--------
>>> import circuits
>>> from circuits.library import alphagrad
>>> f = alphagrad.propane_combustion()
>>> len(f.inputs), len(f.outputs)
(11, 11)
>>> {order: circuits.eliminate(f, order, count="all").multiplications
...  for order in ("forward", "reverse", "markowitz")}
{'forward': 151, 'reverse': 90, 'markowitz': 111}
>>> alphagrad.PUBLISHED["PropaneCombustion"]
{'forward': 151, 'reverse': 90, 'markowitz': 111, 'alphagrad': 88}
"""

from __future__ import annotations

import numbers
import operator
from types import SimpleNamespace
from typing import Any, Callable

from ..core import builder as _wires
from ..core.builder import Builder, trace
from ..core.circuit import Circuit
from ..core.errors import CircuitError

__all__ = ["roe_flux_1d", "robot_arm_6dof", "human_heart_dipole", "propane_combustion", "random_g",
           "FUNCTIONS", "PUBLISHED", "circuit", "primitives_namespace", "wires_namespace"]

#: Multiplications reported by Lohoff and Neftci (2024, Table 1) for the
#: forward, reverse and Markowitz orders and AlphaGrad's learned order.
PUBLISHED = {
    "RoeFlux_1d": {"forward": 620, "reverse": 364, "markowitz": 407, "alphagrad": 320},
    "RobotArm_6DOF": {"forward": 397, "reverse": 301, "markowitz": 288, "alphagrad": 231},
    "HumanHeartDipole": {"forward": 240, "reverse": 172, "markowitz": 194, "alphagrad": 148},
    "PropaneCombustion": {"forward": 151, "reverse": 90, "markowitz": 111, "alphagrad": 88},
    "g": {"forward": 632, "reverse": 566, "markowitz": 451, "alphagrad": 417},
}


# --- the sources, written once against jax.numpy's names --------------------------------


def _roe_flux_1d(m, ul0, ul1, ul2, ur0, ur1, ur2):
    """graphax ``examples/roe.py``: ``RoeFlux_1d`` with ``gamma = 0.5``."""
    gamma = .5

    def pressure(u0, u1, u2):
        return (gamma - 1.) * (u2 - .5 * u1 ** 2 / u0)

    def enthalpy(u0, u4, p):
        return (u4 + p) / u0

    def flux(u0, u1, u2, p):
        v = u1 / u0
        return u1, p + u1 * v, v * (p + u2)

    du0 = ur0 - ul0
    ulr0 = m.sqrt(ul0 * ur0)
    w1 = m.sqrt(ul0) + m.sqrt(ur0)
    vl = ul1 / ul0
    pl = pressure(ul0, ul1, ul2)
    hl = enthalpy(ul0, ul2, pl)
    vr = ur1 / ur0
    pr = pressure(ur0, ur1, ur2)
    hr = enthalpy(ur0, ur2, pr)
    dp = pr - pl
    dv = vr - vl
    u = (m.sqrt(ul0) * vl + m.sqrt(ur0) * vr) / w1   # Roe averages
    h = (m.sqrt(ul0) * hl + m.sqrt(ur0) * hr) / w1
    q2 = u ** 2
    a2 = (gamma - 1.) * (h - .5 * q2)
    a = m.sqrt(a2)
    lp = m.abs(u + a)
    l = m.abs(u)  # noqa: E741 - graphax's name
    ln = m.abs(u)
    n = a * ulr0
    c0 = (du0 - dp / a2) * l
    c1 = (dv + dp / n) * lp
    c2 = (dv - dp / n) * ln
    FL0, FL1, FL2 = flux(ul0, ul1, ul2, pl)
    FR0, FR1, FR2 = flux(ur0, ur1, ur2, pr)
    F0 = FL0 + FR0
    F1 = FL1 + FR1
    F2 = FL2 + FR2
    c = .5 * ulr0 / a
    dF0 = c0 + c * c1 - c * c2
    dF1 = c0 * u + c * c1 * (u + a) - c * c2 * (u - a)
    dF2 = c0 * .5 * q2 + c * c1 * (h + u * a) - c * c2 * (h - u * a)
    return {"phi0": .5 * (F0 - dF0), "phi1": .5 * (F1 - dF1), "phi2": .5 * (F2 - dF2)}


def _robot_arm_6dof(m, t1, t2, t3, t4, t5, t6):
    """graphax ``examples/differential_kinematics.py``: ``RobotArm_6DOF``."""
    def S(a, b):
        return m.cos(a) * m.sin(b) + m.sin(a) * m.cos(b)

    def C(a, b):
        return m.cos(a) * m.cos(b) - m.sin(a) * m.sin(b)

    a1, a2, a3 = 175., 890., 50.
    d1, d4, d6 = 575., 1035., 185.
    c1, c2, c4, c5, c6 = map(m.cos, (t1, t2, t4, t5, t6))
    c23 = C(t2, t3)
    s1, s2, s4, s5, s6 = map(m.sin, (t1, t2, t4, t5, t6))
    s23 = S(t2, t3)
    ax = s5 * (c1 * c23 * c4 + s1 * s4) + c1 * s23 * c5
    ay = s5 * (s1 * c23 * c4 - c1 * s4) + s1 * s23 * c5
    az = s23 * c4 * s5 - c23 * c5
    nz = c6 * (c23 * s5 + s23 * c4 * c5) - s23 * s4 * s6
    oz = -s6 * (c23 * s5 + s23 * c4 * c5) - s23 * s4 * c6
    z = m.arctan2(ay, ax)  # Tait–Bryan angles
    y_ = m.arctan2(m.sqrt((1. - az ** 2)), az)
    z__ = m.arctan2(oz, -nz)
    x1 = d6 * (s5 * (c1 * c23 * c4 + s1 * s4) + c1 * s23 * c5)
    x2 = c1 * (a1 + a2 * c2 + a3 * c23 + d4 * s23)
    px = x1 + x2
    y1 = d6 * (s5 * (s1 * c23 * c4 + c1 * s4) + s1 * s23 * c5)
    y2 = s1 * (a1 + a2 * c2 + a3 * c23 + d4 * s23)
    py = y1 + y2
    pz = a2 * s2 + d1 + a3 * s23 - d4 * c23 + d6 * (s23 * c4 * s5 - c23 * c5)
    return {"px": px, "py": py, "pz": pz, "z": z, "y_": y_, "z__": z__}


def _human_heart_dipole(m, x1, x2, x3, x4, x5, x6, x7, x8):
    """graphax ``examples/minpack.py``: ``HumanHeartDipole``, every sigma 1."""
    sigma_mx = sigma_my = sigma_A = sigma_B = sigma_C = sigma_D = sigma_E = 1.
    f1 = x1 + x2 - sigma_mx
    f2 = x3 + x4 - sigma_my
    f3 = x5 * x1 + x6 * x2 - x7 * x3 - x8 * x4 - sigma_A
    f4 = x7 * x1 + x8 * x2 + x5 * x3 + x6 * x4 - sigma_B
    x57 = (x5 ** 2 - x7 ** 2)
    x68 = (x6 ** 2 - x8 ** 2)
    f5 = x1 * x57 - 2 * x3 * x5 * x7 + x2 * x68 - 2 * x4 * x6 * x8 - sigma_C
    f6 = x3 * x57 - 2 * x1 * x5 * x7 + x4 * x68 - 2 * x2 * x6 * x8 - sigma_D
    x557 = x5 * (x5 ** 2 - 3 * x7 ** 2)
    x775 = x7 * (x7 ** 2 - 3 * x5 ** 2)
    x668 = x6 * (x6 ** 2 - 3 * x8 ** 2)
    x886 = x8 * (x8 ** 2 - 3 * x6 ** 2)
    f7 = x1 * x557 + x3 * x775 + x2 * x668 + x4 * x886 - sigma_E
    f8 = x3 * x557 - x1 * x775 + x4 * x668 - x2 * x886 - sigma_E  # graphax uses sigma_E here too
    return {"f1": f1, "f2": f2, "f3": f3, "f4": f4, "f5": f5, "f6": f6, "f7": f7, "f8": f8}


def _propane_combustion(m, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11):
    """graphax ``examples/minpack.py``: ``PropaneCombustion`` (full formulation), p = 40, R = 10."""
    p, R = 40., 10.
    px11 = m.sqrt(p / x11)
    f1 = x1 + x4 - 3.
    f2 = 2 * x1 + x2 + x4 + x7 + x8 + x9 + 2 * x10 - R
    f3 = 2 * x2 + 2 * x5 + x6 + x7 - 8.
    f4 = 2 * x3 + x9 - 4 * R
    f5 = x2 * x4 - x1 * x5
    f6 = m.sqrt(x2 * x4) - m.sqrt(x1) * px11 * x6
    f7 = m.sqrt(x1 * x2) - m.sqrt(x4) * x7 * px11
    f8 = x1 - x4 * x8 * p / x11
    f9 = x1 * m.sqrt(x3) - x4 * x9 * px11
    f10 = x1 ** 2 - x4 ** 2 * x10 * p / x11
    f11 = x11 - x1 - x2 - x3 - x4 - x5 - x6 - x7 - x8 - x9 - x10
    return {"f1": f1, "f2": f2, "f3": f3, "f4": f4, "f5": f5, "f6": f6, "f7": f7, "f8": f8,
            "f9": f9, "f10": f10, "f11": f11}


#: graphax's random function ``g`` as data: after the inputs ``v0 .. v14`` and ``v15 = v16 = 1``,
#: each step ``op i j`` defines the next value (``v17`` first) as ``m.op(v_i, v_j)``, in the
#: order of ``examples/randoms.py``; the outputs ``y0 .. y19`` are the values :data:`_G_OUTPUTS`.
_G_STEPS = """
arctan2 15 3, power 15 14, arctan2 13 17, power 17 5, subtract 9 8, arctan 10, multiply 21 0,
subtract 22 18, power 24 11, add 21 12, exp 2, add 21 26, power 16 17, sin 3, divide 2 23,
arctan2 24 26, subtract 29 25, arctan 33, multiply 7 27, tan 13, add 27 19, divide 7 6, subtract 25 34,
subtract 29 6, power 35 4, cos 0, subtract 40 19, divide 41 7, subtract 40 8, arctan2 16 43,
divide 8 30, power 37 36, power 47 44, arctan2 45 40, arctan2 44 13, divide 4 34, arctan2 41 1,
arctan2 25 53, add 12 51, power 3 48, subtract 24 32, arctanh 48, arctanh 54, arctan2 2 26,
subtract 52 18, cos 38, divide 8 32, arctan2 42 46, sinh 36, subtract 61 50, power 13 39, power 37 26,
subtract 68 43, log 65, power 23 58, arctan2 50 69, divide 20 72, multiply 41 56, multiply 39 33,
multiply 61 15, power 66 64, arctan2 53 25, subtract 59 60, arctan2 73 41, multiply 74 46, square 5,
arctan2 28 62, arctan2 39 9, multiply 4 12, divide 57 56, arctan2 61 63, arcsinh 14, power 86 83,
arcsin 66, subtract 70 79, arctan2 37 65, multiply 67 77, power 87 55, square 49, divide 92 94,
add 15 95, divide 91 76, arctanh 46, multiply 75 45, divide 100 28, add 90 29, arctan2 80 84,
subtract 20 91, add 82 90, divide 102 103, power 75 42, multiply 68 62, divide 102 1, power 98 101,
negative 100, divide 31 89, divide 105 108, subtract 22 70, multiply 106 44, subtract 107 81,
power 58 115, subtract 78 108, tan 87, power 87 48, add 105 38
"""
_G_OUTPUTS = (121, 71, 85, 88, 93, 96, 97, 99, 104, 109, 110, 111, 112, 113, 114, 116, 117, 118, 119, 120)


def _random_g(m, *inputs):
    """graphax ``examples/randoms.py``: the random function ``g`` ("fwd: 632, rev: 566, mM: 451"), run from
    :data:`_G_STEPS`."""
    v = [*inputs, m.ones(()), m.ones(())]
    for step in _G_STEPS.split(","):
        op, *args = step.split()
        v.append(getattr(m, op)(*(v[int(a)] for a in args)))
    return {f"y{k}": v[j] for k, j in enumerate(_G_OUTPUTS)}


#: Name (as in the paper) → ``(source(m, *inputs) -> {output: value}, input names)``.
FUNCTIONS: dict[str, tuple[Callable[..., Any], tuple[str, ...]]] = {
    "RoeFlux_1d": (_roe_flux_1d, ("ul0", "ul1", "ul2", "ur0", "ur1", "ur2")),
    "RobotArm_6DOF": (_robot_arm_6dof, ("t1", "t2", "t3", "t4", "t5", "t6")),
    "HumanHeartDipole": (_human_heart_dipole, tuple(f"x{k}" for k in range(1, 9))),
    "PropaneCombustion": (_propane_combustion, tuple(f"x{k}" for k in range(1, 12))),
    "g": (_random_g, tuple(f"v{k}" for k in range(15))),
}


# --- the namespaces: one gate per primitive, or the builder's wires --------------------


class _Primitive:
    """A value staged like a JAX tracer: every operation on it is one gate, nothing folded."""

    __slots__ = ("b", "node")

    def __init__(self, b: Builder, node: int):
        self.b, self.node = b, node

    def _arg(self, x) -> int:
        if isinstance(x, _Primitive):
            return x.node
        if isinstance(x, numbers.Real) and not isinstance(x, bool):
            return self.b.const_node(float(x))
        raise CircuitError(f"alphagrad sources take numbers and staged values, got {type(x).__name__}")

    def stage(self, op, *args, weights=None):  # one gate, nothing folded
        return _Primitive(self.b, self.b.gate(op, *map(self._arg, args), weights=weights))

    def __add__(self, other):
        return self.stage("add", self, other)

    def __radd__(self, other):
        return self.stage("add", other, self)

    def __sub__(self, other):
        return self.stage("add", self, other, weights=(1, -1))

    def __rsub__(self, other):
        return self.stage("add", other, self, weights=(1, -1))

    def __mul__(self, other):
        return self.stage("mul", self, other)

    def __rmul__(self, other):
        return self.stage("mul", other, self)

    def __truediv__(self, other):
        return self.stage("div", self, other)

    def __rtruediv__(self, other):
        return self.stage("div", other, self)

    def __neg__(self):
        return self.stage("add", self, weights=(-1,))

    def __pow__(self, k):
        if isinstance(k, int) and not isinstance(k, bool):  # integer_pow
            return self.stage("square", self) if k == 2 else \
                _Primitive(self.b, self.b.gate("pow", self.node, self.b.const_node(k)))
        return _power(self, k)


def _power(x, y):
    """JAX's ``pow`` of a traced exponent: one ``powr`` gate."""
    s = x if isinstance(x, _Primitive) else y
    return s.stage("powr", x, y)


def _unary(op):
    return lambda x: x.stage(op, x)


def _binary(op, weights=None):
    def f(x, y):
        s = x if isinstance(x, _Primitive) else y
        return s.stage(op, x, y, weights=weights)
    return f


def primitives_namespace() -> SimpleNamespace:
    """The ``jax.numpy`` names the sources use, each staging one gate per primitive."""
    return SimpleNamespace(
        sqrt=_unary("sqrt"), abs=_unary("abs"), sin=_unary("sin"), cos=_unary("cos"), tan=_unary("tan"),
        exp=_unary("exp"), log=_unary("log"), arctan=_unary("atan"), sinh=_unary("sinh"),
        arcsinh=_unary("asinh"), arctanh=_unary("atanh"), arcsin=_unary("asin"), square=_unary("square"),
        negative=lambda x: -x, arctan2=_binary("atan2"), add=_binary("add"),
        subtract=_binary("add", (1, -1)), multiply=_binary("mul"), divide=_binary("div"),
        power=lambda x, y: x ** y if isinstance(y, int) and not isinstance(y, bool) else _power(x, y),
        ones=lambda shape: 1.0)


def wires_namespace() -> SimpleNamespace:
    """The same names on :class:`circuits.Wire` values: what :func:`circuits.trace` builds."""
    w = _wires
    return SimpleNamespace(
        sqrt=w.sqrt, abs=abs, sin=w.sin, cos=w.cos, tan=w.tan, exp=w.exp, log=w.log, arctan=w.atan,
        sinh=w.sinh, arcsinh=w.asinh, arctanh=w.atanh, arcsin=w.asin, square=lambda x: x ** 2,
        negative=operator.neg, arctan2=w.atan2, add=operator.add, subtract=operator.sub,
        multiply=operator.mul, divide=operator.truediv, power=w.powr, ones=lambda shape: 1.0)


def circuit(name: str, traced: bool = False) -> Circuit:
    """The circuit of AlphaGrad's function ``name`` (a key of :data:`FUNCTIONS`).

    Parameters
    ----------
    name : str
        ``"RoeFlux_1d"``, ``"RobotArm_6DOF"``, ``"HumanHeartDipole"``,
        ``"PropaneCombustion"`` or ``"g"``.
    traced : bool
        False: one gate per JAX primitive, as graphax sees the function.
        True: built by :func:`circuits.trace` (fewer gates).

    Examples
    --------
    >>> from circuits.library import alphagrad
    >>> alphagrad.circuit("RoeFlux_1d").size, alphagrad.circuit("RoeFlux_1d", traced=True).size
    (101, 79)
    """
    if name not in FUNCTIONS:
        raise CircuitError(f"no AlphaGrad function {name!r}; the five are {sorted(FUNCTIONS)}")
    source, inputs = FUNCTIONS[name]
    if traced:
        ns = wires_namespace()

        def fn(*xs):
            return source(ns, *xs)
        fn.__name__ = name
        return trace(fn, inputs=list(inputs))
    b = Builder()
    xs = [_Primitive(b, b.input_node(x)) for x in inputs]
    for out, value in source(primitives_namespace(), *xs).items():
        b.output_node(out, value.node)
    return b.build(meta={"name": name})


def _maker(name: str, doc: str) -> Callable:
    def make(traced: bool = False) -> Circuit:
        return circuit(name, traced)
    make.__name__ = make.__qualname__ = doc.split()[0]
    make.__doc__ = (f"AlphaGrad's ``{name}`` as a circuit (see :func:`circuit`).\n\n"
                    f"{doc.split(' ', 1)[1]}\n")
    return make


roe_flux_1d = _maker("RoeFlux_1d", "roe_flux_1d Roe's flux for the 1-d Euler equations: "
                     "6 inputs (left and right states), 3 outputs.")
robot_arm_6dof = _maker("RobotArm_6DOF", "robot_arm_6dof The forward kinematics of a 6-axis robot arm: "
                        "6 joint angles, the position and 3 Tait–Bryan angles.")
human_heart_dipole = _maker("HumanHeartDipole", "human_heart_dipole MINPACK-2's human heart dipole "
                            "problem: 8 inputs, 8 equations.")
propane_combustion = _maker("PropaneCombustion", "propane_combustion MINPACK-2's propane combustion "
                            "problem (full formulation): 11 inputs, 11 equations.")
random_g = _maker("g", "random_g graphax's random function g: 15 inputs, 20 outputs.")
