"""RewriteResult: the result record of one rewrite, as zipp_rewriter_rewrite writes it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional


@dataclass(frozen=True)
class RewriteFailure:
    """A backend failure that ``on_error: "passthrough"`` turned into the original prompt."""

    status: str
    code: int
    message: str


@dataclass(frozen=True)
class RewriteResult:
    """One rewrite and how it was made. ``raw`` keeps the whole record, newer keys included."""

    rewrite: str
    original: str
    negative_prompt: Optional[str]
    thinking: Optional[str]
    backend: str
    model: Optional[str]
    persona_id: Optional[str]
    facet: Optional[str]
    shots: int
    cache_hit: bool
    latency_ms: float
    prompt_tokens: Optional[int]
    completion_tokens: Optional[int]
    seed: Optional[int]
    notes: tuple[str, ...]
    error: Optional[RewriteFailure]
    raw: Mapping[str, Any] = field(repr=False, compare=False)
    #: Which path gave the rewrite: "first", "retry", "fallback" or "unguarded" (see the C header).
    guard: str = ""
    #: The rewrite method that ran: "roleplay", "taste" or "compose".
    method: str = ""
    #: Prompt tokens not evaluated again (a prefix cache's, or a server's prompt cache), when
    #: reported.
    reused_prompt_tokens: Optional[int] = None


    @property
    def failed(self) -> bool:
        """True when the backend failed and the original prompt was passed through."""
        return self.error is not None

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> "RewriteResult":
        """Builds a result from the record's JSON object."""
        tokens = record.get("tokens") or {}
        error = record.get("error")
        failure = None
        if error:
            failure = RewriteFailure(status=str(error.get("status", "")), code=int(error.get("code", -1)),
                                     message=str(error.get("message", "")))
        return cls(
            rewrite=record["rewrite"],
            original=record["original"],
            negative_prompt=record.get("negative_prompt"),
            thinking=record.get("thinking"),
            backend=record.get("backend", ""),
            model=record.get("model"),
            persona_id=record.get("persona_id"),
            facet=record.get("facet"),
            shots=int(record.get("shots") or 0),
            cache_hit=bool(record.get("cache_hit")),
            latency_ms=float(record.get("latency_ms") or 0.0),
            prompt_tokens=tokens.get("prompt"),
            completion_tokens=tokens.get("completion"),
            seed=record.get("seed"),
            notes=tuple(record.get("notes") or ()),
            error=failure,
            raw=dict(record),
            guard=str(record.get("guard", "")),
            method=str(record.get("method", "")),
            reused_prompt_tokens=tokens.get("reused"),
        )
