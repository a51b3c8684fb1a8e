"""Personal data in the pure core: what stays readable when a person is sealed.

A lead's ``data.person`` is sealed (encrypted with the lead's key) on the record log;
what the rules need from it is kept in clear as ``data.profile``. This module derives
that profile and shapes the person part of a view. It never sees a key: decrypting
is the shell's job (``streams/personal_data/sealing.py``), which hands over the plaintext or None.
"""

from __future__ import annotations

from typing import Any

from schemas.lead_events import Person, Profile

ERASED: dict[str, Any] = {"erased": True}
"""How every view, export and replay shows a person whose key was destroyed."""


def profile_of(person: Person) -> Profile:
    """The clear, non-identifying attributes of a person (what sealing keeps readable).

    The fold reads only these, from a plaintext person or from the ``profile`` beside a
    sealed one, so a log folds to the same state before and after sealing.
    """
    present = [name for name, value in person.model_dump().items() if value]
    return Profile(
        job_title=person.job_title, country=person.country, region=person.region, fields=present
    )


def person_view(person: Person | None, *, erased: bool = False) -> dict[str, Any]:
    """The ``person`` of a lead view: its fields, or ``{"erased": true}``.

    ``person`` None means no key opens it any more (crypto-shredded); ``erased`` is the
    lead state's own record of an erasure request, which wins over a plaintext person
    (a plaintext file replayed after the request still shows the person erased).
    """
    if person is None or erased:
        return dict(ERASED)
    return person.model_dump(exclude_none=True)
