"""One exception hierarchy for the whole product.

Messages never contain personal data (names, dates of birth, note text): they name files, line
numbers, fields and ids, and say how to fix the problem. The CLI maps `exit_code` to the process
exit status.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


class GenogramError(Exception):
    """Base class: a failure the user can understand and act on (exit code 1)."""

    exit_code = 1


class InputError(GenogramError):
    """Bad input or usage (exit code 2): names the file, line and field at fault."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.file = str(file) if file is not None else None
        self.line = line
        self.field = field
        self.reason = message
        where = []
        if self.file is not None:
            where.append(self.file)
        if line is not None:
            where.append(f"line {line}")
        if field is not None:
            where.append(f"field '{field}'")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


def describe_reference(reference: str) -> str:
    """How an error may refer to a SUBJECT argument: an id or record key is quoted back, a
    name (personal data, which could end up in a log) is not."""
    text = reference.strip()
    looks_like_key = bool(text) and " " not in text and any(c.isdigit() for c in text)
    return repr(text) if looks_like_key and len(text) <= 64 else "the name given"


class PersonNotFoundError(InputError):
    """A SUBJECT/PERSON argument matches nobody in the store."""

    def __init__(self, reference: str) -> None:
        super().__init__(
            f"no person matches {describe_reference(reference)}; use a person id, "
            "SOURCE:RECORD_ID or a name (see 'genogram relatives --help')"
        )


class AmbiguousPersonError(InputError):
    """A name fits several people: list them (by id) and ask for an id."""

    def __init__(self, reference: str, candidates: Sequence[tuple[str, str]]) -> None:
        self.candidates = list(candidates)
        listed = "; ".join(f"{pid} ({label})" for pid, label in self.candidates)
        super().__init__(
            f"{describe_reference(reference)} fits {len(self.candidates)} people: {listed}; "
            "give a person id instead"
        )


class StoreError(GenogramError):
    """The store cannot be opened or used (wrong URI, locked, newer schema, server down)."""


class RenderError(GenogramError):
    """Drawing failed, for instance because Graphviz's `dot` is not installed."""
