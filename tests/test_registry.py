"""The registries' static tables (lstmcalc/layers/__init__.py) agree with the layer classes.

The tables let a spec import only the families it names; these tests keep
them from drifting: every layer class of the package is listed, under its own
module, with exactly its aliases, and nothing listed is missing or stale.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import lstmcalc.layers
from lstmcalc.layers import KERAS, PYTORCH, REGISTRIES, LayerType, Registry, lookup
from lstmcalc.layers.rnn_cells import CELLS


def declared_classes() -> dict[type, str]:
    """Every layer class with a type name, defined in a module of lstmcalc.layers: class -> module."""
    out = {}
    for info in pkgutil.iter_modules(lstmcalc.layers.__path__):
        module = importlib.import_module(f"lstmcalc.layers.{info.name}")
        for value in vars(module).values():
            if (isinstance(value, type) and issubclass(value, LayerType) and value.__module__ == module.__name__
                    and value.name):
                out[value] = info.name
    return out


def test_every_declared_layer_class_is_in_a_registry():
    registered = {type(t) for registry in REGISTRIES.values() for t in registry.values()}
    cells = {type(t) for t in CELLS.values()}  # RNN's cells: a registry of their own
    missing = sorted(f"{module}.{cls.__name__}" for cls, module in declared_classes().items()
                     if cls not in registered | cells)
    assert missing == [], "list these in lstmcalc/layers/__init__.py"


@pytest.mark.parametrize("framework", sorted(REGISTRIES))
def test_each_entry_names_its_class_and_module(framework):
    registry = REGISTRIES[framework]
    modules = declared_classes()
    for name, module in registry.modules.items():
        t = registry[name]
        assert t.name == name and type(t).__name__ == name, name
        assert modules[type(t)] == module, name


@pytest.mark.parametrize("framework", sorted(REGISTRIES))
def test_aliases_are_the_classes_aliases(framework):
    registry = REGISTRIES[framework]
    declared = {(alias, t.name) for t in registry.values() for alias in t.aliases}
    assert set(registry.aliases.items()) == declared
    for alias, name in registry.aliases.items():
        assert lookup(registry, alias) is registry[name]
        assert lookup(registry, alias.upper()) is registry[name]  # type names ignore case


def test_the_same_name_in_both_dialects_is_two_types():
    assert lookup(KERAS, "lstm") is KERAS["LSTM"]
    assert lookup(PYTORCH, "lstm") is PYTORCH["LSTM"]
    assert KERAS["LSTM"] is not PYTORCH["LSTM"]
    assert lookup(KERAS, "Linear") is None and lookup(PYTORCH, "Dense") is None


def test_a_registry_imports_a_family_only_when_asked():
    registry = Registry({"Dense": "core"})
    assert list(registry) == ["Dense"] and len(registry) == 1 and registry._types == {}
    assert lookup(registry, "nope") is None and registry._types == {}
    t = lookup(registry, "dense")
    assert t is registry["Dense"] and type(t) is type(KERAS["Dense"])  # one instance per registry, made once
    assert set(registry._types) == {"Dense"}
    with pytest.raises(KeyError):
        registry["Conv1D"]
