"""The registry under hostile use (issue 28, items 5 and 6).

``unregister_gate`` of a gate that live circuits use leaves every later use of them failing
with one CircuitError naming the gate; the registry may change while other threads read it;
gate names are ASCII identifiers; the ``Circuit(...)`` constructor validates like ``from_json``.
"""
import json
import threading
import time
from fractions import Fraction

import numpy as np
import pytest

import circuits
from circuits import Circuit, CircuitError, Gate
from circuits.core.gates import GATES

POINT = {"x": 0.5, "y": 2.0}


def twice(value=2):
    return Gate("twice", 1, "2x", num=lambda u: value * u, partial=lambda b, a, out, i: (None, value))


USES = {  # every later use of a circuit whose gate was unregistered
    "evaluate": lambda c: circuits.evaluate(c, POINT),
    "evaluate(batch)": lambda c: circuits.evaluate(c, x=np.ones(3), y=np.ones(3)),
    "compile": lambda c: circuits.compile(c)(POINT),
    "to_sympy": lambda c: circuits.to_sympy(c),
    "to_json": lambda c: circuits.to_json(c),
    "to_jax": lambda c: circuits.to_jax(c),
    "backward": lambda c: circuits.backward(c),
    "forward": lambda c: circuits.forward(c),
    "jvp": lambda c: circuits.jvp(c),
    "vjp": lambda c: circuits.vjp(c),
    "jacobian": lambda c: circuits.jacobian(c),
    "hessian": lambda c: circuits.hessian(c),
    "hvp": lambda c: circuits.hvp(c),
    "derivative": lambda c: circuits.derivative(c),
    "simplify": lambda c: circuits.simplify(c),
    "analyze": lambda c: circuits.analyze(c),
    "cost": lambda c: circuits.cost(c),
    "compare": lambda c: circuits.compare(c),
    "eliminate": lambda c: circuits.eliminate(c),
    "order_costs": lambda c: circuits.order_costs(c),
    "cheapest_order": lambda c: circuits.cheapest_order(c),
    "intermediate_vertices": lambda c: circuits.intermediate_vertices(c),
    "compare_orders": lambda c: circuits.compare_orders(c),
    "edge_values": lambda c: circuits.edge_values(c, POINT),
    "linearize": lambda c: circuits.linearize(c)(POINT),
    "linearized_graph": lambda c: circuits.linearized_graph(c, POINT),
    "bauer_paths": lambda c: circuits.bauer_paths(c, "x", point=POINT),
    "top_paths": lambda c: circuits.top_paths(c, POINT),
    "gradient_entropy": lambda c: circuits.gradient_entropy(c, POINT),
    "jacobian_sparsity": lambda c: circuits.jacobian_sparsity(c),
    "jacobian_colouring": lambda c: circuits.jacobian_colouring(c),
    "render": lambda c: circuits.render(c),
    "render_steps": lambda c: circuits.render_steps(c),
    "render_transforms": lambda c: circuits.render_transforms(c),
    "render_elimination": lambda c: circuits.render_elimination(c),
    "check": lambda c: c.check(),
}


@pytest.fixture(scope="module")
def orphan():
    """A circuit (and its compiled form) whose gate 'twice' was unregistered."""
    with circuits.registered_gate(twice()):
        c = circuits.parse("twice(x) * y + sin(x)")
        f = circuits.compile(c)
        assert f(POINT)["f"] == pytest.approx(2.0 + np.sin(0.5))
    return c, f


@pytest.mark.parametrize("use", sorted(USES))
def test_every_use_after_unregister_is_one_circuit_error_naming_the_gate(orphan, use):
    c, _ = orphan
    with pytest.raises(CircuitError, match="'twice'"):
        USES[use](c)


def test_compiled_circuit_after_unregister(orphan):
    _, f = orphan
    for call in (lambda: f(POINT), lambda: f.array([0.5, 2.0]), lambda: f.array(np.ones((4, 2)))):
        with pytest.raises(CircuitError, match="'twice' was unregistered"):
            call()


def test_registering_the_gate_again_brings_the_circuit_back(orphan):
    c, f = orphan
    with circuits.registered_gate(twice(3)):
        assert c.evaluate(POINT)["f"] == pytest.approx(3.0 + np.sin(0.5))
        assert json.loads(circuits.to_json(c))["gates"] == {"twice": 1}
        with pytest.raises(CircuitError, match="replaced"):
            f(POINT)  # compiled with the old gate


def test_missing_gate_lookup_is_a_circuit_error():
    with pytest.raises(CircuitError, match="'nope' is not registered"):
        GATES["nope"]
    with pytest.raises(KeyError):  # what code that asks the registry with try/except KeyError expects
        GATES["nope"]


# --- threads -------------------------------------------------------------------------


def test_registry_changes_while_other_threads_read_it():
    doc = circuits.to_json(circuits.parse("exp(x) * y + max(x, y)"))
    stop = threading.Event()
    errors = []

    def writer(k):
        while not stop.is_set():
            gate = Gate(f"probe{k}_{time.perf_counter_ns()}", 1, "p", num=lambda u: u,
                        partial=lambda b, a, out, i: (None, 1))
            try:
                circuits.register_gate(gate)
                circuits.unregister_gate(gate.name)
            except Exception as exc:  # noqa: BLE001 - the test collects every failure
                errors.append(exc)

    def reader():
        while not stop.is_set():
            try:
                c = circuits.parse("exp(x) * y + sin(x) - relu(y)")
                c.evaluate(x=0.5, y=1.5)
                circuits.from_json(doc).evaluate(x=0.5, y=1.5)
                circuits.compile(c)(x=0.5, y=1.5)
                circuits.backward(c)
                list(GATES), dict(GATES.items()), circuits.core.gates.function_names()
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(2)]
    threads += [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    stop.set()
    for t in threads:
        t.join()
    assert errors == []
    assert not [name for name in GATES if name.startswith("probe")]


# --- names ------------------------------------------------------------------------------


@pytest.mark.parametrize("name, letter", [("ехр", "CYRILLIC"), ("ｅｘｐ", "FULLWIDTH"), ("ⅇxp", "DOUBLE-STRUCK"),
                                          ("softplüs", "DIAERESIS")])
def test_gate_names_must_be_ascii(name, letter):
    gate = Gate(name, 1, "e", num=lambda u: u, partial=lambda b, a, out, i: (None, 1))
    with pytest.raises(CircuitError, match=f"must be ASCII.*{letter}"):
        circuits.register_gate(gate)
    alias = Gate("fine", 1, "e", num=lambda u: u, partial=lambda b, a, out, i: (None, 1), aliases=(name,))
    with pytest.raises(CircuitError, match="alias .* must be ASCII"):
        circuits.register_gate(alias)
    assert name not in GATES and "fine" not in GATES


# --- the constructor -------------------------------------------------------------------------


GOOD = dict(ops=("input", "const", "mul"), args=((), (), (0, 1)), weights=(None, None, None),
            values={1: 3}, names={0: "x"}, inputs={"x": 0}, outputs={"f": 2})


@pytest.mark.parametrize("change", [
    {"values": {1: "__import__('os')"}}, {"values": {1: "3"}}, {"values": {1: None}}, {"values": {1: [3]}},
    {"values": {}},
    {"ops": ("input", "const", "nope")}, {"ops": ("input", "const", "sin")},
    {"args": ((), (), (0, 5))}, {"args": ((), (), (2, 1))}, {"args": ((), (), ("a", 1))}, {"args": None},
    {"names": {0: "x y"}}, {"names": {0: 7}}, {"inputs": {"x": "0"}}, {"inputs": {"z": 0}},
    {"outputs": {"f": 9}}, {"outputs": {"f": "2"}}, {"outputs": {"": 2}}, {"weights": (None, None)},
    {"ops": 5}])
def test_constructor_validates_like_from_json(change):
    with pytest.raises(CircuitError):
        Circuit(**{**GOOD, **change})


def test_constructor_accepts_what_from_json_accepts():
    c = Circuit(**GOOD)
    assert c.evaluate(x=2) == {"f": 6}
    assert Circuit(**{**GOOD, "values": {1: Fraction(1, 3)}}).evaluate(x=Fraction(3)) == {"f": 1}
    assert circuits.from_json(circuits.to_json(c)).record == c.record
