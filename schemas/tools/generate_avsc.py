"""Write ``schemas/avro/<Type>/v1.avsc`` from the pydantic models, once.

The committed ``.avsc`` files are the binding contract; this generator only drafted
v1 of a new type (existing files are left alone). Later versions are written by hand
and checked by ``schemas.compat``.
Run: ``python -m schemas.tools.generate_avsc``.
"""

from __future__ import annotations

import json
import types
import typing
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, Union

from pydantic import AwareDatetime, BaseModel

from schemas.events import EVENT_TYPES

AVRO_ROOT = Path(__file__).resolve().parent.parent / "avro"
TIMESTAMP = {"type": "long", "logicalType": "timestamp-micros"}


def _strip_annotated(tp: Any) -> Any:
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def avro_type(tp: Any, namespace: str, seen: set[str]) -> Any:  # noqa: PLR0911 - one return per type kind
    tp = _strip_annotated(tp)
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        branches = [avro_type(a, namespace, seen) for a in args]
        if len(args) < len(typing.get_args(tp)):
            return ["null", *branches]
        return branches
    if origin is Literal:
        return {"type": "string"}
    if origin is list:
        return {"type": "array", "items": avro_type(typing.get_args(tp)[0], namespace, seen)}
    if origin is dict:
        return {"type": "map", "values": avro_type(typing.get_args(tp)[1], namespace, seen)}
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return record(tp, namespace, seen)
    simple = {str: "string", int: "long", float: "double", bool: "boolean"}
    if tp in simple:
        return simple[tp]
    if tp in (datetime, AwareDatetime):
        return dict(TIMESTAMP)
    raise TypeError(f"no Avro mapping for {tp!r}")


def record(model: type[BaseModel], namespace: str, seen: set[str]) -> Any:
    name = f"{namespace}.{model.__name__}"
    if name in seen:
        return name
    seen.add(name)
    hints = typing.get_type_hints(model, include_extras=True)
    fields = []
    for field_name, _info in model.model_fields.items():
        schema = avro_type(hints[field_name], namespace, seen)
        entry: dict[str, Any] = {"name": field_name, "type": schema}
        if isinstance(schema, list) and schema[0] == "null":
            entry["default"] = None
        literal = _strip_annotated(hints[field_name])
        if typing.get_origin(literal) is Literal:
            entry["doc"] = "one of: " + ", ".join(map(str, typing.get_args(literal)))
        fields.append(entry)
    return {"type": "record", "name": model.__name__, "namespace": namespace, "fields": fields}


def event_schema(type_name: str) -> Any:
    model = EVENT_TYPES[type_name]
    schema = record(model, f"leadledger.events.{type_name.lower()}", set())
    schema["namespace"] = "leadledger.events"
    for f in schema["fields"]:
        if f["name"] == "type":
            f["doc"] = f"always {type_name}"
    return schema


def main() -> None:
    """Draft ``v1.avsc`` for each type that has none; committed files are never touched."""
    for type_name in EVENT_TYPES:
        if any((AVRO_ROOT / type_name).glob("v*.avsc")):
            continue  # the contract exists; a change is a hand-written v<N+1>
        path = AVRO_ROOT / type_name / "v1.avsc"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(event_schema(type_name), indent=2) + "\n")


if __name__ == "__main__":
    main()
