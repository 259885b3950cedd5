"""Stand-in for the gradio API the script uses, common to gradio 3.41 (A1111) and 4.x (Forge):
layout context managers, components with ``value``/``label``/``choices``, ``click`` and
``update``. Components remember their constructor arguments for the tests."""

from __future__ import annotations

from typing import Any, Callable, Optional


class _Layout:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args, self.kwargs = args, kwargs

    def __enter__(self) -> "_Layout":
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class Blocks(_Layout):
    """gr.Blocks: components made inside it are kept in ``children``, as gradio keeps them."""

    _open: list["Blocks"] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.children: list["Component"] = []

    def __enter__(self) -> "Blocks":
        Blocks._open.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        Blocks._open.remove(self)


class Row(_Layout):
    """gr.Row."""


class Column(_Layout):
    """gr.Column."""


class Group(_Layout):
    """gr.Group."""


class Accordion(_Layout):
    """gr.Accordion(label, open=...)."""


class Component:
    """A component: ``value`` is what the web UI passes to the script by default."""

    def __init__(self, value: Any = None, label: Optional[str] = None, **kwargs: Any) -> None:
        self.value = value
        self.label = label
        self.kwargs = kwargs
        self.handlers: list[tuple[Callable[..., Any], list[Any], list[Any]]] = []
        if Blocks._open:
            Blocks._open[-1].children.append(self)


class Checkbox(Component):
    """gr.Checkbox."""


class Textbox(Component):
    """gr.Textbox."""


class Number(Component):
    """gr.Number(precision=...)."""


class Slider(Component):
    """gr.Slider(minimum, maximum, step, value)."""

    def __init__(self, minimum: float = 0, maximum: float = 100, value: Any = None, step: Any = None,
                 label: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(value=value, label=label, **kwargs)
        self.minimum, self.maximum, self.step = minimum, maximum, step


class Dropdown(Component):
    """gr.Dropdown(choices, value)."""

    def __init__(self, choices: Optional[list[Any]] = None, value: Any = None, label: Optional[str] = None,
                 **kwargs: Any) -> None:
        super().__init__(value=value, label=label, **kwargs)
        self.choices = list(choices or [])


class Radio(Dropdown):
    """gr.Radio(choices, value)."""


class Button(Component):
    """gr.Button(value); ``click`` registers a handler."""

    def click(self, fn: Callable[..., Any], inputs: Any = None, outputs: Any = None, **kwargs: Any) -> None:
        self.handlers.append((fn, list(inputs or []), list(outputs or [])))


def update(**kwargs: Any) -> dict[str, Any]:
    """gr.update: a dict of property changes with ``__type__`` "update", as gradio returns."""
    return {"__type__": "update", **kwargs}
