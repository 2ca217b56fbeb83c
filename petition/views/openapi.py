"""The OpenAPI 3 description of the public API; tests check it covers every route and holds true."""

from typing import Any

from petition.i18n.languages import LANGUAGES
from petition.models import MilestoneKind
from petition.petitions.listing import MAX_PAGE, MAX_PER_PAGE
from petition.petitions.slugs import MAX_SLUG_LENGTH, SLUG_PATTERN

_DATETIME = {"type": "string", "format": "date-time"}
_NULLABLE_DATETIME = _DATETIME | {"nullable": True}
_SLUG = {"type": "string", "pattern": f"^{SLUG_PATTERN}$", "maxLength": MAX_SLUG_LENGTH}
_LANGUAGE = {"type": "string", "enum": list(LANGUAGES)}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _object(properties: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "required": list(properties),
        "properties": properties,
    }


SCHEMAS: dict[str, Any] = {
    "Petition": _object(
        {
            "slug": _SLUG,
            "title": {"type": "string", "description": "In `language`."},
            "language": _LANGUAGE
            | {
                "description": "The language of title and summary: the one asked for, if it has it."
            },
            "original_language": _LANGUAGE | {"description": "The language it was written in."},
            "languages": {
                "type": "array",
                "items": _LANGUAGE,
                "description": "Every language it can be read in, the original included.",
            },
            "target": {
                "type": "string",
                "nullable": True,
                "description": "Who it is addressed to.",
            },
            "summary": {
                "type": "string",
                "description": "The first paragraph, plain text, in `language`.",
            },
            "url": {"type": "string", "format": "uri", "description": "The page to sign it."},
            "state": {"type": "string", "enum": ["open", "closed"]},
            "signature_count": {"type": "integer", "minimum": 0, "description": "Verified only."},
            "goal": {"type": "integer", "minimum": 1, "nullable": True},
            "created_at": _DATETIME,
            "closes_at": _NULLABLE_DATETIME | {"description": "Null: open until closed by hand."},
        },
        "A petition's public facts.",
    ),
    "PetitionPage": _object(
        {
            "petitions": {"type": "array", "items": _ref("Petition")},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "total": {"type": "integer", "minimum": 0},
            "next": {"type": "string", "format": "uri", "nullable": True},
            "previous": {"type": "string", "format": "uri", "nullable": True},
        },
        "One page of petitions, newest first, with links to the pages beside it.",
    ),
    "Count": _object(
        {
            "slug": _SLUG,
            "signature_count": {"type": "integer", "minimum": 0},
            "goal": {"type": "integer", "minimum": 1, "nullable": True},
        },
        "The verified count, for live counters.",
    ),
    "Countries": _object(
        {
            "slug": _SLUG,
            "countries": {
                "type": "array",
                "items": _object(
                    {
                        "country": {
                            "type": "string",
                            "nullable": True,
                            "description": "ISO 3166-1 alpha-2 code; null when not given.",
                        },
                        "signature_count": {"type": "integer", "minimum": 1},
                    },
                    "Verified signatures from one country (at least `min_count`), or without one.",
                ),
            },
            "other_countries": {
                "type": "integer",
                "minimum": 0,
                "description": "Verified signatures from countries with fewer than `min_count` "
                "each, added together: a small count would point at a person.",
            },
            "min_count": {
                "type": "integer",
                "minimum": 1,
                "description": "The fewest signatures a country needs to be listed on its own.",
            },
        },
        "Verified signatures per country, largest first: counts only, never names.",
    ),
    "Error": _object(
        {
            "error": _object(
                {"status": {"type": "integer"}, "message": {"type": "string"}},
                "What went wrong.",
            )
        },
        "An error.",
    ),
}

_INDEX = {"type": "integer", "minimum": 0}
_HASH = {"type": "string", "format": "byte", "description": "32 bytes, base64."}
SCHEMAS |= {
    "LogError": _object({"error": {"type": "string"}}, "Why the parameters were refused."),
    "LogCheckpoints": _object(
        {
            "checkpoints": {
                "type": "array",
                "maxItems": 100,
                "items": _object(
                    {
                        "size": _INDEX,
                        "count": _INDEX,
                        "created_at": _DATETIME,
                        "text": {"type": "string", "description": "The whole signed note."},
                    },
                    "One signed checkpoint.",
                ),
            }
        },
        "Signed checkpoints, newest first.",
    ),
    "LogEntries": _object(
        {
            "size": _INDEX | {"description": "The log's size now."},
            "entries": {
                "type": "array",
                "maxItems": 10_000,
                "items": _object(
                    {
                        "index": _INDEX,
                        "leaf": {
                            "type": "string",
                            "format": "byte",
                            "description": "The leaf bytes (canonical JSON), base64.",
                        },
                    },
                    "One entry.",
                ),
            },
            "next": _INDEX | {"nullable": True, "description": "Where the next page starts."},
        },
        "Entries of a range, at most 10,000.",
    ),
    "LogInclusionProof": _object(
        {
            "index": _INDEX,
            "size": _INDEX,
            "leaf_hash": _HASH,
            "path": {"type": "array", "items": _HASH},
        },
        "RFC 9162 inclusion proof of one entry in the tree of the first `size` entries.",
    ),
    "LogConsistencyProof": _object(
        {"from": _INDEX, "to": _INDEX, "path": {"type": "array", "items": _HASH}},
        "RFC 9162 consistency proof between two sizes of the log.",
    ),
}

_SLUG_PARAMETER = {"name": "slug", "in": "path", "required": True, "schema": _SLUG}
_NOT_FOUND = _json(_ref("Error"), "No petition has this slug.")
_LANGUAGE_PARAMETER = {
    "name": "lang",
    "in": "query",
    "description": "The language to read titles and summaries in, where a petition has it; "
    "the original language otherwise, and when left out.",
    "schema": _LANGUAGE,
}
_BAD_QUERY = _json(_ref("Error"), "A query parameter is out of range.")


def _get(summary: str, ok: dict[str, Any], **extra: Any) -> dict[str, Any]:
    responses = {"200": ok} | extra.pop("responses", {})
    return {"get": {"summary": summary, "responses": responses} | extra}


def _petition_path(summary: str, schema: str, description: str) -> dict[str, Any]:
    return _get(
        summary,
        _json(_ref(schema), description),
        parameters=[_SLUG_PARAMETER],
        responses={"404": _NOT_FOUND},
    )


PATHS: dict[str, Any] = {
    "/petitions": _get(
        "List petitions, newest first",
        _json(_ref("PetitionPage"), "A page of petitions."),
        parameters=[
            {
                "name": "state",
                "in": "query",
                "description": "Only open or only closed petitions; both when left out.",
                "schema": {"type": "string", "enum": ["open", "closed"]},
            },
            {
                "name": "page",
                "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
            },
            {
                "name": "per_page",
                "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 20},
            },
            _LANGUAGE_PARAMETER,
        ],
        responses={"400": _BAD_QUERY},
    ),
    "/petitions/{slug}": _get(
        "One petition",
        _json(_ref("Petition"), "The petition."),
        parameters=[_SLUG_PARAMETER, _LANGUAGE_PARAMETER],
        responses={"400": _BAD_QUERY, "404": _NOT_FOUND},
    ),
    "/petitions/{slug}/count": _petition_path("Its verified count", "Count", "The count."),
    "/petitions/{slug}/countries": _petition_path(
        "Its verified signatures per country", "Countries", "Counts per country."
    ),
    "/openapi.json": _get("This description", _json({"type": "object"}, "The OpenAPI document.")),
}


# Signatures counted on paper by the organisers, and the timeline of delivery and answer.
_PAPER = {
    "type": "integer",
    "minimum": 0,
    "description": "Signatures collected offline and counted by the organisers: never verified, "
    "never part of `signature_count`.",
}
for _name in ("Petition", "Count"):
    SCHEMAS[_name]["properties"]["paper_signature_count"] = _PAPER
    SCHEMAS[_name]["required"].append("paper_signature_count")
_NULLABLE_TEXT = {"type": "string", "nullable": True}
SCHEMAS |= {
    "Milestone": _object(
        {
            "kind": {"type": "string", "enum": [kind.value for kind in MilestoneKind]},
            "date": {"type": "string", "format": "date", "description": "When it happened."},
            "recipient": _NULLABLE_TEXT | {"description": "Delivered: to whom."},
            "method": _NULLABLE_TEXT | {"description": "Delivered: how (by hand, by post...)."},
            "reference": _NULLABLE_TEXT | {"description": "Delivered: the reference number."},
            "text": _NULLABLE_TEXT
            | {"description": "Answered: the answer (Markdown); a note: the note."},
            "link": _NULLABLE_TEXT | {"format": "uri", "description": "Where to read more."},
        },
        "One step of the timeline after the signing, as the organisers recorded it.",
    ),
}
SCHEMAS["PetitionWithTimeline"] = {
    "allOf": [
        _ref("Petition"),
        _object(
            {"milestones": {"type": "array", "items": _ref("Milestone")}},
            "Its timeline, in the order things happened.",
        ),
    ],
    "description": "A petition's public facts and its timeline.",
}
PATHS["/petitions/{slug}"]["get"]["responses"]["200"] = _json(
    _ref("PetitionWithTimeline"), "The petition, with its timeline."
)
# Messages of support: only how many are shown; the messages themselves are on its page and feed.
SCHEMAS["PetitionWithTimeline"]["allOf"].append(
    _object(
        {
            "support_message_count": {
                "type": "integer",
                "minimum": 0,
                "description": "Messages of support the organisers approved and the page shows.",
            }
        },
        "Its messages of support.",
    )
)


def _text(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"text/plain": {"schema": {"type": "string"}}}}


def _number(name: str, description: str, required: bool = True) -> dict[str, Any]:
    schema = {"type": "integer", "minimum": 0}
    return {"name": name, "in": "query", "required": required, "description": description} | {
        "schema": schema
    }


_LOG_BAD = _json(_ref("LogError"), "A parameter is missing, not a whole number, or out of range.")
_LOG_NOT_FOUND = _json(_ref("LogError"), "No public petition has this slug.")


def _log_read(summary: str, ok: dict[str, Any], *numbers: dict[str, Any]) -> dict[str, Any]:
    """A read of a petition's log that takes numbers in its query: 400 when one is wrong."""
    return _get(
        summary,
        ok,
        parameters=[_SLUG_PARAMETER, *numbers],
        responses={"400": _LOG_BAD, "404": _LOG_NOT_FOUND},
    )


# The auditable log is served beside the API, at the site's root, in the formats its verifiers read.
LOG_PATHS: dict[str, Any] = {
    "/log/key": _get("The checkpoints' verifier key", _text("name+key id+base64 key, a line.")),
    "/petitions/{slug}/log/checkpoint": _get(
        "The latest signed checkpoint of a petition's log",
        _text("A C2SP signed note: origin, size, root hash, count."),
        parameters=[_SLUG_PARAMETER],
        responses={"404": _LOG_NOT_FOUND},
    ),
    "/petitions/{slug}/log/checkpoints": _log_read(
        "Earlier checkpoints, newest first",
        _json(_ref("LogCheckpoints"), "At most 100."),
        _number("before", "Only sizes below this.", False),
    ),
    "/petitions/{slug}/log/entries": _log_read(
        "Entries start to end (exclusive); 0 <= start < end <= size",
        _json(_ref("LogEntries"), "The entries."),
        _number("start", "The first index."),
        _number("end", "The index after the last."),
    ),
    "/petitions/{slug}/log/proof": _log_read(
        "Inclusion proof; 0 <= index < size <= the log's size",
        _json(_ref("LogInclusionProof"), "The proof."),
        _number("index", "The entry."),
        _number("size", "The tree size."),
    ),
    "/petitions/{slug}/log/consistency": _log_read(
        "Consistency proof; 0 < from <= to <= the log's size",
        _json(_ref("LogConsistencyProof"), "The proof."),
        _number("from", "The older size."),
        _number("to", "The newer size."),
    ),
}
_AT_ROOT = [{"url": "/", "description": "The site itself, outside the API's base path."}]


def openapi_document(base_path: str) -> dict[str, Any]:
    """The API's OpenAPI 3 description, its server at base_path on this site."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Petition public API",
            "version": "1",
            "description": (
                "Read-only public data about petitions: open to every origin (CORS), cacheable "
                "(Cache-Control and ETag; send If-None-Match to get 304 when nothing changed). "
                "Counts are of verified signatures only; no name or address is ever published."
            ),
        },
        "servers": [{"url": base_path}],
        "paths": PATHS | {path: item | {"servers": _AT_ROOT} for path, item in LOG_PATHS.items()},
        "components": {"schemas": SCHEMAS},
    }


# Letter actions: letters supporters send from their own mail, and how many said they did.
SCHEMAS["LetterAction"] = _object(
    {
        "id": {"type": "integer"},
        "title": {"type": "string", "description": "In the asked language when written in it."},
        "url": {"type": "string", "format": "uri", "description": "Its page for supporters."},
        "letters_sent": {
            "type": "integer",
            "minimum": 0,
            "description": "Supporters who said they sent it (an anonymous count).",
        },
        "targets": {"type": "integer", "minimum": 0, "description": "How many it is addressed to."},
    },
    "A letter to the authorities that supporters send themselves; the site sends nothing.",
)
SCHEMAS["PetitionWithTimeline"]["allOf"].append(
    _object(
        {"letter_actions": {"type": "array", "items": _ref("LetterAction")}},
        "Its letter actions, oldest first.",
    )
)
