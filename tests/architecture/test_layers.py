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
    {"mail", "moderation", "log"},
    {"signing", "exports", "organisers", "followup", "letters", "support"},
    {"views", "cli", "demo"},
    {"__init__"},  # the app factory assembles everything
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
