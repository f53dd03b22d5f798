"""The package surface: stubs cover exactly the extension's names, every public function and
class has a docstring and a signature that `help()` and editors can show."""

import ast
import inspect
import pathlib

import fracnoise as fn
from fracnoise import _native

STUB = pathlib.Path(__file__).resolve().parents[1] / "fracnoise" / "_native.pyi"


def public(names):
    return {n for n in names if not n.startswith("_")}


def test_stubs_match_the_extension():
    tree = ast.parse(STUB.read_text())
    stubbed = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            stubbed.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            stubbed.add(node.target.id)
    aliases = {"SeedLike", "F64Array", "Kind", "Model", "DriverLike", "ArrayLike", "Sampling"}
    assert public(dir(_native)) == public(stubbed - aliases)
    # The SGD lab's names are grouped under fracnoise.sgd (not re-exported at the top level).
    assert not set(fn.__all__) & set(fn.sgd.__all__)
    assert set(fn.__all__) | set(fn.sgd.__all__) == public(dir(_native)) | {"__version__"}


def test_docstrings_and_signatures():
    for name in fn.__all__ + fn.sgd.__all__:
        obj = getattr(fn, name) if name in fn.__all__ else getattr(fn.sgd, name)
        if name == "__version__":
            continue
        assert obj.__doc__ and len(obj.__doc__) > 20, name
        if inspect.isbuiltin(obj):
            sig = inspect.signature(obj)
            assert sig.parameters, name
    assert "seed" in inspect.signature(fn.fgn).parameters
    assert str(inspect.signature(fn.dfa)).startswith("(x, *, order=1")
    assert issubclass(fn.InvalidInputError, ValueError) and issubclass(fn.InvalidInputError, fn.FracnoiseError)
    assert issubclass(fn.NonFiniteStateError, RuntimeError)
    assert issubclass(fn.FracnoiseIOError, OSError)
