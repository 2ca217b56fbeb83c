"""The docs stay true: the code map names what exists, links lead somewhere, every setting is documented."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "petition"
ARCHITECTURE = ROOT / "docs" / "architecture.md"
SETTINGS = ROOT / "docs" / "operators" / "settings.md"
DECISIONS = ROOT / "docs" / "decisions"
# Folders under petition/ that hold no code of ours to place in a layer.
NOT_PACKAGES = {"migrations", "translations", "__pycache__"}

FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")
# [text](target) and ![alt](target), with an optional "title"; the text may hold code or brackets.
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^\s*\[[^\]]+\]:\s*(\S+)", re.MULTILINE)
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)  # http:, https:, mailto:


def documents() -> list[Path]:
    """The pages readers open: the README, the contributors' page and everything under docs/."""
    return [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").rglob("*.md"))]


def section(text: str, heading: str) -> str:
    """The text under a `## heading`, up to the next heading of that level."""
    match = re.search(
        rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL
    )
    assert match, f"no '## {heading}' section"
    return match.group(1)


def table_rows(text: str) -> list[list[str]]:
    """The cells of each row of the Markdown tables in this text, header and rule left out."""
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("|"):
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if all(re.fullmatch(r":?-{3,}:?", cell) for cell in cells):
            continue
        rows.append(cells)
    return rows[1:] if rows else rows  # the first row is the header


def code_map_paths() -> list[str]:
    """What the code map's "Package or module" column names, as paths from the repository root.

    `petition/__init__.py` is already one; `views/` and `verify.py` are inside petition/; a bare
    core name such as `config` is a module, `petition/config.py`.
    """
    rows = table_rows(section(ARCHITECTURE.read_text(encoding="utf-8"), "Code map"))
    assert rows, "the code map has no rows"
    paths = []
    for cells in rows:
        assert len(cells) >= 2, f"a code map row without a package column: {cells}"
        for name in re.findall(r"`([^`]+)`", cells[1]):
            if name.startswith("petition/"):
                paths.append(name)
            elif name.endswith(("/", ".py")):
                paths.append(f"petition/{name}")
            else:
                paths.append(f"petition/{name}.py")
    return paths


def test_every_path_in_the_code_map_exists() -> None:
    missing = [path for path in code_map_paths() if not (ROOT / path).exists()]
    assert missing == [], f"the code map names what is not there: {missing}"


def test_every_package_is_in_the_code_map() -> None:
    listed = {path.rstrip("/") for path in code_map_paths()}
    packages = {
        f"petition/{folder.name}"
        for folder in PACKAGE.iterdir()
        if folder.is_dir() and folder.name not in NOT_PACKAGES and not folder.name.startswith(".")
    }
    assert packages - listed == set(), "add a row to the code map in docs/architecture.md"


def heading_anchors(path: Path) -> set[str]:
    """The anchors a Markdown renderer makes of a page's headings (GitHub's rule)."""
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    anchors = set()
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", text, re.MULTILINE):
        plain = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
        anchors.add(re.sub(r"[^\w\- ]", "", plain).replace(" ", "-"))
    return anchors


def relative_links(path: Path) -> list[str]:
    """Every link on the page to another file of ours (or an anchor of its own), outside code."""
    text = INLINE_CODE.sub("", FENCE.sub("", path.read_text(encoding="utf-8")))
    targets = LINK.findall(text) + REFERENCE.findall(text)
    return [target for target in targets if not EXTERNAL.match(target)]


@pytest.mark.parametrize("page", documents(), ids=lambda page: str(page.relative_to(ROOT)))
def test_every_relative_link_leads_to_a_file_that_exists(page: Path) -> None:
    broken = []
    for target in relative_links(page):
        file_part, _, anchor = target.partition("#")
        linked = (page.parent / file_part).resolve() if file_part else page
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in heading_anchors(linked):
            broken.append(f"{target}: no heading makes #{anchor}")
    assert broken == [], f"{page.relative_to(ROOT)}: {broken}"


def test_the_link_check_sees_links_and_skips_code(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        'See [the map](docs/architecture.md#code-map), [`x`](a/b.md "title"), <https://e.org>,\n'
        "[out](https://example.org) and `[not](a/link.md)`.\n\n"
        "```\n[nor](this.md)\n```\n\n[ref]: other.md\n",
        encoding="utf-8",
    )
    assert relative_links(page) == ["docs/architecture.md#code-map", "a/b.md", "other.md"]


def test_the_readme_starts_with_its_title_and_stays_short() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert lines and re.fullmatch(r"# \S.*", lines[0]), "line 1 of README.md is its `# Title`"
    assert len(lines) < 150, "README.md: the two commands and a map; the rest goes under docs/"


def settings() -> list[str]:
    """Every UPPER_CASE name petition/config.py assigns at its top level."""
    tree = ast.parse((PACKAGE / "config.py").read_text(encoding="utf-8"))
    names = []
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        names += [
            target.id
            for target in targets
            if isinstance(target, ast.Name) and re.fullmatch(r"[A-Z][A-Z0-9_]*", target.id)
        ]
    return names


def test_every_setting_is_documented_for_operators() -> None:
    found = settings()
    assert "SECRET_KEY" in found  # the parse reads the file
    page = SETTINGS.read_text(encoding="utf-8")
    missing = [name for name in found if f"`{name}`" not in page]
    assert missing == [], f"document these in docs/operators/settings.md: {missing}"


def test_every_decision_record_is_listed() -> None:
    records = sorted(path.name for path in DECISIONS.glob("[0-9][0-9][0-9][0-9]-*.md"))
    assert records, "no decision records"
    numbers = [name[:4] for name in records]
    assert len(set(numbers)) == len(numbers), f"two records share a number: {records}"
    listed = {
        Path(target.partition("#")[0]).name for target in relative_links(DECISIONS / "README.md")
    }
    assert set(records) - listed == set(), "list every record in docs/decisions/README.md"
