"""Stand-in for ``comfy_api.latest.ui``: the UI outputs the nodes use."""

from __future__ import annotations

from abc import ABC, abstractmethod


class _UIOutput(ABC):
    """A UI output: ``as_dict()`` is what the frontend receives in the ``executed`` message."""

    @abstractmethod
    def as_dict(self) -> dict:
        """The output as sent to the frontend."""


class PreviewText(_UIOutput):
    """Text shown on the node (ComfyUI sends ``{"text": (value,)}``)."""

    def __init__(self, value: str, **kwargs: object) -> None:
        self.value = value

    def as_dict(self) -> dict:
        return {"text": (self.value,)}
