"""The counted state has one owner: only petition/transparency/tally.py writes the count and the log.

signature_count (the verified count, which is the log's counted total), log_size and the log's
entries and nodes move together in one statement there. Any other module that writes one of
them would let the count and the log drift apart, so this test reads every module but the
migrations with `ast` and fails on a write: the columns given to `.values(…)` (by keyword, in a
dict, or as `**{…}`), to a `Petition(…)`, or assigned to an attribute (`x.signature_count = …`,
`setattr`); an insert, update or delete of the log's tables (named, or through a name bound to
them); a `LogEntry(…)` or `LogNode(…)`; and raw SQL that sets the columns or writes the tables.
Reading them (selects, JSON fields of the same name, keyword arguments of other calls) is fine.
"""

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "petition"
OWNER = PACKAGE / "transparency" / "tally.py"
COLUMNS = frozenset({"signature_count", "log_size"})
LOG_MODELS = frozenset({"LogEntry", "LogNode"})
LOG_TABLES = frozenset({"log_entries", "log_nodes"})
RAW_WRITE = re.compile(
    r"\bSET\b[^;]*\b(signature_count|log_size)\b\s*="
    r"|\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(log_entries|log_nodes)\b",
    re.IGNORECASE,
)


def _name(node: ast.AST) -> str | None:
    """The last name of `a`, `a.b` or `a.b.c`."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _mentions(node: ast.AST, names: frozenset[str] | set[str]) -> bool:
    return any(_name(inner) in names for inner in ast.walk(node))


def _key_names(node: ast.AST) -> set[str]:
    """The keys of a dict literal, as column names: "signature_count" or _c.signature_count."""
    if not isinstance(node, ast.Dict):
        return set()
    found = set()
    for key in node.keys:
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            found.add(key.value)
        elif key is not None and _name(key):
            found.add(str(_name(key)))
    return found


def _log_aliases(tree: ast.AST) -> set[str]:
    """Names bound to the log's tables: `_entries = table_of(LogEntry)`, `LogNode.__table__`."""
    aliases = set(LOG_MODELS)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assign) or not _mentions(node.value, LOG_MODELS):
            continue
        if not isinstance(node.value, ast.Call) or _name(node.value.func) == "table_of":
            aliases.update(str(_name(t)) for t in node.targets if _name(t))
    return aliases


def count_writes(source: str, filename: str = "<source>") -> list[str]:
    """Each write of the counted state in this source, as `line: what`."""
    tree = ast.parse(source, filename)
    log_names = _log_aliases(tree)
    found: list[str] = []

    def note(node: ast.AST, what: str) -> None:
        found.append(f"{getattr(node, 'lineno', '?')}: {what}")

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            called = _name(node.func)
            if called in ("values", "Petition"):
                written = {k.arg for k in node.keywords if k.arg}
                for argument in [*node.args, *(k.value for k in node.keywords if k.arg is None)]:
                    written |= _key_names(argument)
                for column in sorted(written & COLUMNS):
                    note(node, f"{called}() writes {column}")
            if called in LOG_MODELS:
                note(node, f"{called}() makes a log row")
            writes_log = called in ("insert", "update", "delete") and node.args
            if writes_log and _mentions(node.args[0], log_names):
                note(node, f"{called}() of the log's tables")
            if called == "setattr" and len(node.args) > 1:
                target = node.args[1]
                if isinstance(target, ast.Constant) and target.value in COLUMNS:
                    note(node, f"setattr of {target.value}")
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for inner in ast.walk(target):
                    if isinstance(inner, ast.Attribute) and inner.attr in COLUMNS:
                        note(node, f"assigns {inner.attr}")
        elif isinstance(node, ast.Constant) and RAW_WRITE.search(str(node.value)):
            note(node, "raw SQL writes the counted state")
    return found


def modules() -> list[Path]:
    return [
        path
        for path in sorted(PACKAGE.rglob("*.py"))
        if "migrations" not in path.relative_to(PACKAGE).parts
    ]


def test_only_the_tally_writes_the_count_and_the_log() -> None:
    offenders = {
        str(path.relative_to(PACKAGE.parent)): writes
        for path in modules()
        if path != OWNER
        for writes in [count_writes(path.read_text(), str(path))]
        if writes
    }
    assert offenders == {}, "write the count and the log through petition/transparency/tally.py"


def test_the_tally_is_seen_writing_them() -> None:
    """The check finds the owner's own writes, so it is not blind."""
    writes = " ".join(count_writes(OWNER.read_text(), str(OWNER)))
    for what in ("writes signature_count", "writes log_size", "insert() of the log's tables"):
        assert what in writes


def test_writes_are_caught_and_reads_are_not() -> None:
    writes = [
        "update(Petition).values(signature_count=Petition.signature_count + 1)",
        "update(_petitions).values({_petitions.c.log_size: 0})",
        "stmt.values(**{'signature_count': 0})",
        "petition.signature_count += 1",
        "petition.log_size = 3",
        "setattr(petition, 'signature_count', 2)",
        "session.add(Petition(title='t', signature_count=4))",
        "session.add(LogEntry(petition_id=1))",
        "_nodes = table_of(LogNode)\nsession.execute(insert(_nodes), rows)",
        "session.execute(delete(LogEntry).where(LogEntry.petition_id == 1))",
        "text('UPDATE petitions SET signature_count = 0')",
        "text('INSERT INTO log_entries (position) VALUES (1)')",
    ]
    for source in writes:
        assert count_writes(source), source
    reads = [
        "select(Petition.signature_count, Petition.log_size)",
        "Summary(count=petition.signature_count, signature_count=3)",
        "{'country': code, 'signature_count': n}",
        "select(LogEntry.leaf).where(LogEntry.petition_id == 1)",
        "_ENTRIES = table_of(LogEntry).c\nselect(_ENTRIES.position)",
        "size = petition.log_size + 1",
        "update(Petition).values(paper_signature_count=3, hidden_at=None)",
        "text('SELECT signature_count FROM petitions')",
    ]
    for source in reads:
        assert not count_writes(source), source
