"""The public blueprint's pages: a module per feature, wired in by the blueprint's module alone."""

import ast
from pathlib import Path

from tests.architecture.test_layers import PACKAGE, module_name, modules_imported, sources

BLUEPRINT = "petition.views.public"


def page_modules() -> set[str]:
    """The view modules that attach their pages to the public blueprint (`register(bp)`)."""
    return {
        module_name(path)
        for path in (PACKAGE / "views").glob("*.py")
        if any(
            isinstance(node, ast.FunctionDef) and node.name == "register"
            for node in ast.parse(path.read_text(), str(path)).body
        )
    }


def test_every_page_module_is_wired_in_by_the_blueprint() -> None:
    pages = page_modules()
    assert pages  # the walker found them
    assert modules_imported(PACKAGE / "views" / "public.py", pages) == pages


def test_no_other_module_imports_a_page_module() -> None:
    """What two pages share (the signing budget, say) lives below them, never in another page."""
    pages = page_modules()
    found = [
        f"{module_name(path)} imports {imported}"
        for path in sources()
        if module_name(path) != BLUEPRINT
        for imported in sorted(modules_imported(path, pages))
    ]
    assert found == []


def test_the_check_sees_a_page_imported(tmp_path: Path) -> None:
    source = tmp_path / "sample.py"
    source.write_text("from petition.views.signing import sign\n")
    assert modules_imported(source, page_modules()) == {"petition.views.signing"}
