"""The one codec: Avro binary with the Avro specification's single-object encoding.

Header ``C3 01``, then the writer schema's 8-byte little-endian CRC-64-AVRO
fingerprint, then the Avro body: what Java's ``BinaryMessageEncoder`` writes and its
``BinaryMessageDecoder`` reads (``tests/interop``). A reader finds the writer schema by
fingerprint among the committed ``.avsc`` files, with no registry server, and resolves
it to the newest schema of the type, so messages written under an older version still
read. Messages leadledger wrote before issue 16 carry the fingerprint byte-reversed;
they still read (``schemas.avro_schemas.by_legacy_fingerprint``), and nothing writes
that order any more.

fastavro is used on the hot path with schemas parsed once (``schemas.avro_schemas``):
``bench/codec_bench.py`` measured, for one LeadCaptured on 2 cores, avro 102 us to
encode and 46 us to decode the body against fastavro's 12 us and 8 us. The whole
``encode`` is ~14 us and ``decode`` with pydantic validation ~12 us.
"""

from __future__ import annotations

import io

from fastavro import schemaless_reader, schemaless_writer
from pydantic import ValidationError

from schemas.avro_schemas import (
    WriterSchema,
    by_fingerprint,
    by_legacy_fingerprint,
    by_python_avro_fingerprint,
    fingerprint64,
    latest,
)
from schemas.envelope import Envelope
from schemas.events import Event, parse_event
from schemas.union_hints import apply_hints

MAGIC = b"\xc3\x01"
HEADER_SIZE = len(MAGIC) + 8
PARTNER_DOC = "docs/partners.md, Publishing without this repository"


class DecodeError(ValueError):
    """A message that is not a valid event; the text says why, for the rejection."""


def encode(event: Envelope) -> bytes:
    """Encode under the newest schema of the event's type."""
    schema = latest()[event.type]
    buffer = io.BytesIO()
    buffer.write(MAGIC)
    buffer.write(schema.fingerprint)
    body = apply_hints(event, event.model_dump(mode="python"), schema.hints)
    schemaless_writer(buffer, schema.parsed, body)
    return buffer.getvalue()


def _body(payload: bytes) -> tuple[WriterSchema, bytes]:
    if len(payload) < HEADER_SIZE:
        raise DecodeError(
            f"not Avro single-object encoding: {len(payload)} bytes is shorter than the header"
        )
    if payload[:2] != MAGIC:
        raise DecodeError(f"not Avro single-object encoding: bad marker {payload[:2]!r}")
    header = payload[2:HEADER_SIZE]
    writer = by_fingerprint().get(header) or by_legacy_fingerprint().get(header)
    if writer is None:
        raise DecodeError(unknown_fingerprint(header))
    return writer, payload[HEADER_SIZE:]


def _named(schema: WriterSchema | None) -> str:
    return f"{schema.type_name} v{schema.version}" if schema else "no schema of leadledger's"


def unknown_fingerprint(header: bytes) -> str:
    """Why 8 header bytes name no schema, for the rejection a partner reads.

    Both byte orders, each as the signed number Java's ``parsingFingerprint64`` prints
    and the schema it is the fingerprint of, if any, so a partner can tell bytes written
    in the wrong order from a schema (or version) this project does not have; and
    whether the bytes are the Python ``avro`` package's non-specification fingerprint.
    (The decoder reads the reversed order, so it only calls this when neither matches.)
    """
    reversed_ = header[::-1]
    spec = by_fingerprint()
    text = (
        f"unknown schema fingerprint: header bytes {header.hex(' ')}; "
        f"read little-endian as the Avro specification writes it, CRC-64-AVRO "
        f"{fingerprint64(header)}: {_named(spec.get(header))}; "
        f"read big-endian (byte-reversed), {fingerprint64(reversed_)}: "
        f"{_named(spec.get(reversed_))}"
    )
    variants = by_python_avro_fingerprint()
    variant = variants.get(header) or variants.get(reversed_)
    if variant is not None:
        text += (
            f". It is {_named(variant)}'s fingerprint as the Python avro package computes"
            ' it (its canonical form keeps {"type":"long"} for a timestamp), not the'
            " specification's: compute it from the Parsing Canonical Form"
            f" ({PARTNER_DOC})"
        )
    return text


def type_of(payload: bytes) -> str:
    """The event type a message was written as, read from its header alone.

    Lets a consumer pass over types it ignores without decoding their body.
    """
    return _body(payload)[0].type_name


def decode(payload: bytes, *, as_recorded: bool = False) -> Event:
    """Decode and validate one message; any failure is a :class:`DecodeError`.

    ``as_recorded``: a record-log message, whose times are history and not checked
    against the contract's range (``schemas/times.py``); everything else is."""
    writer, body = _body(payload)
    reader = latest()[writer.type_name]
    stream = io.BytesIO(body)
    try:
        record = schemaless_reader(stream, writer.parsed, reader.parsed)
    except Exception as exc:
        raise DecodeError(f"{writer.type_name}: body does not match its schema: {exc!r}") from exc
    if stream.tell() != len(body):
        raise DecodeError(
            f"{writer.type_name}: {len(body) - stream.tell()} trailing bytes after the body"
        )
    try:
        return parse_event(record, as_recorded=as_recorded)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, err['loc']))}: {err['msg']}" for err in exc.errors()
        )
        raise DecodeError(f"{writer.type_name}: {problems}") from exc
