"""pydantic's validation errors in French, by their type: the API's 422s and the règlement's
problems say the same thing the same way."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: pydantic's error types → a French sentence (its `ctx` fills the braces)
MESSAGES: dict[str, str] = {
    "missing": "champ obligatoire",
    "extra_forbidden": "champ inconnu",
    "string_type": "texte attendu",
    "string_too_short": "au moins {min_length} caractère(s)",
    "string_too_long": "au plus {max_length} caractère(s)",
    "string_pattern_mismatch": "format invalide (motif attendu : {pattern})",
    "string_unicode": "texte UTF-8 attendu",
    "int_type": "nombre entier attendu",
    "int_parsing": "nombre entier attendu",
    "int_from_float": "nombre entier attendu (sans décimales)",
    "float_type": "nombre attendu",
    "float_parsing": "nombre attendu",
    "finite_number": "nombre fini attendu (ni NaN ni infini)",
    "bool_type": "booléen attendu (true ou false)",
    "bool_parsing": "booléen attendu (true ou false)",
    "greater_than": "doit être supérieur à {gt}",
    "greater_than_equal": "doit être supérieur ou égal à {ge}",
    "less_than": "doit être inférieur à {lt}",
    "less_than_equal": "doit être inférieur ou égal à {le}",
    "multiple_of": "doit être un multiple de {multiple_of}",
    "too_short": "au moins {min_length} élément(s)",
    "too_long": "au plus {max_length} élément(s)",
    "list_type": "liste attendue",
    "tuple_type": "liste attendue",
    "dict_type": "objet attendu",
    "model_type": "objet attendu",
    "model_attributes_type": "objet attendu",
    "literal_error": "valeur permise : {expected}",
    "enum": "valeur permise : {expected}",
    "date_type": "date attendue (AAAA-MM-JJ)",
    "date_parsing": "date attendue (AAAA-MM-JJ)",
    "date_from_datetime_parsing": "date attendue (AAAA-MM-JJ)",
    "datetime_type": "date et heure attendues (ISO 8601)",
    "datetime_parsing": "date et heure attendues (ISO 8601)",
    "datetime_from_date_parsing": "date et heure attendues (ISO 8601)",
    "uuid_type": "identifiant UUID attendu",
    "uuid_parsing": "identifiant UUID attendu",
    "json_invalid": "JSON invalide",
    "json_type": "JSON attendu",
    "bytes_type": "fichier attendu",
    "url_parsing": "adresse URL invalide",
    "value_error": "valeur invalide",
    "assertion_error": "valeur invalide",
    "union_tag_invalid": "type d'objet inconnu",
    "none_required": "doit être vide",
}


def message_of(error: Mapping[str, Any]) -> str:
    """The French sentence of one pydantic error, by its type."""
    template = MESSAGES.get(str(error.get("type")))
    ctx = error.get("ctx") or {}
    if template is None:
        # not one of pydantic's own types: a PydanticCustomError of ours, said in French
        return str(error.get("msg") or "valeur invalide")
    if error.get("type") in {"value_error", "assertion_error"} and ctx.get("error") is not None:
        return str(ctx["error"])  # our validators' own sentence (the product's, in French)
    try:
        return template.format(**{k: _plain(v) for k, v in ctx.items()})
    except (KeyError, IndexError):
        return template.split(" {")[0].split(" (")[0]


def _plain(value: Any) -> str:
    return str(value).replace("'", "").replace(" or ", " ou ")
