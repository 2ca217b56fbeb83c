"""The code map holds: no module imports a layer above its own (docs/architecture.md)."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "petition"
# Lowest first. A module may import its own layer and the ones below, never one above.
LAYERS: list[set[str]] = [
    {
        "config",
        "extensions",
        "models",
        "transactions",
        "backups",
        "tokens",
        "addresses",
        "days",
        "ids",
        "i18n",
        "web",
        "text",
        "verify",  # the independent check of the auditable count: imports nothing of ours
    },
    {"petitions"},
    {"mail", "moderation", "transparency"},
    {"signing", "exports", "organisers", "updates", "letters", "support"},
    {"views", "cli", "demo", "wiring"},
    {"__init__", "factory"},  # the app factory assembles everything
]


def layer_of(module: str) -> int:
    """The layer of a dotted module name inside the package ("petition.signing.links")."""
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else "__init__"
    for rank, names in enumerate(LAYERS):
        if top in names:
            return rank
    raise AssertionError(f"{module} is in no layer: add it to the code map")


def module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Every module of ours this file imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("petition."))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "petition":
                found.update(f"petition.{alias.name}" for alias in node.names)
            elif node.module.startswith("petition."):
                found.add(node.module)
    return found


def modules_imported(path: Path, modules: set[str]) -> set[str]:
    """The modules of ours this file imports, a `from package import module` counted as the module."""
    found = set(imports_of(path))
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found & modules


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import one another round in a circle (Tarjan's algorithm)."""
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        order[module] = low[module] = len(order)
        stack.append(module)
        for imported in sorted(graph[module]):
            if imported not in order:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in stack:
                low[module] = min(low[module], order[imported])
        if low[module] == order[module]:
            group = []
            while (member := stack.pop()) != module:
                group.append(member)
            if group:
                found.append(sorted([module, *group]))

    for module in sorted(graph):
        if module not in order:
            visit(module)
    return found


def sources() -> list[Path]:
    return [path for path in PACKAGE.rglob("*.py") if "migrations" not in path.parts]


def test_every_module_is_in_a_layer() -> None:
    for path in sources():
        layer_of(module_name(path))


def test_no_module_imports_a_layer_above_its_own() -> None:
    upward = []
    for path in sources():
        importer = module_name(path)
        rank = layer_of(importer)
        for imported in imports_of(path):
            if layer_of(imported) > rank:
                upward.append(f"{importer} imports {imported}")
    assert not upward, "\n".join(sorted(upward))


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    """The walker finds imports inside functions too, so a lazy upward import cannot hide."""
    source = tmp_path / "sample.py"
    source.write_text("def f():\n    from petition.signing.links import confirmation_token\n")
    assert imports_of(source) == {"petition.signing.links"}
    assert layer_of("petition.signing.links") > layer_of("petition.petitions.history")


def test_no_modules_import_one_another_in_a_circle() -> None:
    """Within a layer too: a circle means neither module can be read, or changed, alone."""
    paths = {module_name(path): path for path in sources()}
    graph = {module: modules_imported(path, set(paths)) for module, path in paths.items()}
    assert cycles(graph) == []


def test_the_check_sees_a_circle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_no_module_imports_relatively() -> None:
    """`from . import x` would pass the layer check unseen: every import names its package."""
    relative = [
        f"{module_name(path)}:{node.lineno}"
        for path in sources()
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(node, ast.ImportFrom) and node.level > 0
    ]
    assert relative == []


def test_the_verifier_imports_nothing_of_ours() -> None:
    """Layer 0 may import layer 0, but verify.py checks the server and must share none of its code."""
    verifier = PACKAGE / "verify.py"
    ours = imports_of(verifier) | {
        alias.name
        for node in ast.walk(ast.parse(verifier.read_text(), str(verifier)))
        if isinstance(node, ast.Import)
        for alias in node.names
        if alias.name == "petition"
    }
    assert ours == set()
