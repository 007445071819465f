"""circuits.testing as a user's pytest suite meets it: the strategy, check_grads, short reports."""

import warnings

import pytest
from hypothesis import given, settings

import circuits
import circuits.testing as ct
from circuits import bounds
from circuits.core.errors import CircuitError


def test_old_strategy_name_warns_and_still_works():
    with pytest.warns(DeprecationWarning, match="random_circuits"):
        strategy = ct.circuits(max_gates=3)
    assert strategy is not None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ct.random_circuits(max_gates=3)  # the new name does not warn


@settings(max_examples=30, deadline=None)
@given(ct.random_circuits(max_gates=8))
def test_default_is_single_output_so_the_bounds_apply(c):
    assert len(c.outputs) == 1
    bounds.assert_theorem3(c)
    bounds.assert_cheap_gradient(c, constant=1e9)


def test_a_falsifying_circuit_prints_as_code_that_rebuilds_it():
    @settings(max_examples=50, deadline=None, database=None)
    @given(ct.random_circuits(max_gates=4))
    def test_small(c):
        assert c.size < 2

    with pytest.raises(AssertionError) as info:
        test_small()
    report = "\n".join(getattr(info.value, "__notes__", []))
    assert "circuits.from_json(" in report and "<Circuit" not in report
    code = report[report.index("circuits.from_json("):]
    code = code[:code.index("')") + 2]
    rebuilt = eval(code, {"circuits": circuits})  # the printed code is what a user pastes
    assert rebuilt.size >= 2


def test_check_grads_passes_on_correct_transforms_up_to_order_two():
    f = circuits.parse("exp(x) * sin(y) + x**3 / (1 + y**2)")
    ct.check_grads(f, {"x": 0.3, "y": -0.7}, order=2)
    ct.check_grads(f, {"x": 0.3, "y": -0.7}, order=1, modes="rev")


def test_check_grads_fails_with_a_short_report(monkeypatch):
    f = circuits.parse("x * y + sin(x)")

    def wrong(c):  # a broken transform: d/dx forgets the cosine
        b = circuits.Builder()
        x, y = b.inputs("x y")
        b.output("df/dx", y)
        b.output("df/dy", x)
        return b.build()

    monkeypatch.setitem(ct._MODES, "reverse", wrong)
    with pytest.raises(AssertionError) as info:
        ct.check_grads(f, {"x": 0.5, "y": 2.0}, order=1)
    message = str(info.value)
    assert message.startswith("check_grads: reverse mode, order 1: 1 of 2 partials differ")
    assert "df/dx" in message and len(message.splitlines()) <= 3
    with pytest.raises(CircuitError, match="order must be a positive integer"):
        ct.check_grads(f, {"x": 0.5, "y": 2.0}, order=0)


@pytest.mark.parametrize("call, message", [
    (lambda f, g: ct.check_grads(f, {"x": 0.5, "y": 2.0}, modes=()), "no modes given, so nothing would be checked"),
    (lambda f, g: ct.check_grads("x*y", {"x": 0.5}), r"check_grads\(\) expects a Circuit"),
    (lambda f, g: ct.check_grads(f, [0.5, 2.0]), "check_grads: point must be a mapping"),
    (lambda f, g: ct.assert_gradient_close(f, g, {"x": "a", "y": 2.0}), r"point\['x'\]: value 'a' is not a number"),
    (lambda f, g: ct.assert_gradient_close(f, g, {"x": float("nan"), "y": 2.0}), "is nan; finite differences need"),
    (lambda f, g: ct.assert_gradient_close(f, g, {"x": 0.5}), "missing value for input 'y'"),
    (lambda f, g: ct.assert_gradient_close(f, g, {"x": 0.5, "y": 2.0}, h=0), "h must be a positive number"),
    (lambda f, g: ct.assert_gradient_close(f, g, {"x": 0.5, "y": 2.0}, h=-1), "h must be a positive number"),
    (lambda f, g: ct.assert_gradient_close(f, g, {"x": -1.0, "y": 2.0}), r"log\(x\) cannot be evaluated"),
])
def test_gradient_checks_name_a_mistake(call, message):
    """One CircuitError each (were: a check of nothing that passed, ZeroDivisionError, ValueError,
    or an AssertionError blaming the gradient for a point outside the function's domain)."""
    f = circuits.parse("log(x) * y")
    with pytest.raises(CircuitError, match=message):
        call(f, circuits.backward(f))


def test_assert_gradient_close_report_is_short_on_a_wide_circuit():
    names = [f"x{i}" for i in range(40)]
    f = circuits.parse(" + ".join(f"sin({n})" for n in names))
    g = circuits.backward(f)
    b = circuits.Builder()
    xs = b.inputs(" ".join(names))
    for n, x in zip(names, xs):
        b.output(f"df/d{n}", x)  # wrong everywhere
    point = {n: 0.1 * i for i, n in enumerate(names)}
    ct.assert_gradient_close(f, g, point)
    with pytest.raises(AssertionError) as info:
        ct.assert_gradient_close(f, b.build(), point)
    lines = str(info.value).splitlines()
    assert len(lines) == 7 and "(40 inputs)" in lines[0] and "35 more" in lines[-1]
    with pytest.raises(CircuitError, match="missing value for input 'x0'"):
        ct.assert_gradient_close(f, g, {})


def test_bounds_accept_the_users_own_gradient_circuit():
    f = circuits.trace(lambda x, y: x * y + circuits.sin(x))
    mine = circuits.Builder()
    x, y = mine.inputs("x y")
    mine.output("df/dx", y + circuits.cos(x))
    mine.output("df/dy", x)
    mine = mine.build()
    ct.assert_gradient_close(f, mine, {"x": 0.4, "y": 1.5})
    r = bounds.theorem3(f, gradient=mine)
    assert r.details["audited"] == "your gradient circuit"
    assert r.measured == mine.size - f.size and r.holds
    assert bounds.cheap_gradient(f, gradient=mine).details["cost_f_and_grad"] == circuits.cost(mine)
    assert bounds.forward_size(f, gradient=mine).measured == mine.size
    assert bounds.vector_bound(f, gradient=mine).details["jacobian_size"] == mine.size
    # a bloated "gradient" fails the audit with the numbers
    bloated = circuits.Builder()
    x, y = bloated.inputs("x y")
    t = x
    for _ in range(40):
        t = circuits.sin(t)
    bloated.output("df/dx", t)
    bloated.output("df/dy", x)
    with pytest.raises(AssertionError, match="backpropagation size"):
        bounds.assert_theorem3(f, gradient=bloated.build())
    only_dx = circuits.Builder()
    x, y = only_dx.inputs("x y")
    only_dx.output("df/dx", y + circuits.cos(x))
    with pytest.raises(CircuitError, match="no output 'df/dy'"):
        bounds.theorem3(f, gradient=only_dx.build())


@settings(max_examples=50, deadline=None)
@given(ct.random_circuits(max_gates=3, ops=["tan", "add"]))
def test_domain_wrappers_count_in_the_gate_budget(c):
    """tan's argument goes through tanh and a scaled +: those gates are within max_gates too."""
    assert 1 <= c.size <= 3
