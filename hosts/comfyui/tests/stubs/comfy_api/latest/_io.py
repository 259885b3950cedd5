"""Stand-in for ``comfy_api.latest.io``: the schema types the nodes use, with the constructor
signatures and finalize/validate behaviour of ComfyUI's comfy_api/latest/_io.py."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Optional


class Hidden(str, Enum):
    """Hidden inputs a schema may request."""

    unique_id = "UNIQUE_ID"
    prompt = "PROMPT"
    extra_pnginfo = "EXTRA_PNGINFO"
    dynprompt = "DYNPROMPT"


class HiddenHolder:
    """The hidden values a node asked for (``cls.hidden`` while it runs); absent ones are None."""

    def __init__(self, values: Optional[dict] = None) -> None:
        for hidden in Hidden:
            setattr(self, hidden.name, (values or {}).get(hidden))


class Input:
    """Base of every input: an id plus display options."""

    io_type = ""

    def __init__(self, id: str, display_name: Optional[str] = None, optional: bool = False,
                 tooltip: Optional[str] = None, lazy: Optional[bool] = None,
                 extra_dict: Optional[dict] = None, raw_link: Optional[bool] = None) -> None:
        self.id = id
        self.display_name = display_name
        self.optional = optional
        self.tooltip = tooltip
        self.lazy = lazy
        self.extra_dict = extra_dict or {}
        self.raw_link = raw_link


class WidgetInput(Input):
    """An input with a widget and a default value."""

    def __init__(self, id: str, display_name: Optional[str] = None, optional: bool = False,
                 tooltip: Optional[str] = None, lazy: Optional[bool] = None, default: Any = None,
                 socketless: Optional[bool] = None, widget_type: Optional[str] = None,
                 force_input: Optional[bool] = None, extra_dict: Optional[dict] = None,
                 raw_link: Optional[bool] = None) -> None:
        super().__init__(id, display_name, optional, tooltip, lazy, extra_dict, raw_link)
        self.default = default
        self.socketless = socketless
        self.widget_type = widget_type
        self.force_input = force_input


class Output:
    """An output; outputs without an id get ``_<index>_<type>_`` at finalize time."""

    io_type = ""

    def __init__(self, id: Optional[str] = None, display_name: Optional[str] = None,
                 tooltip: Optional[str] = None, is_output_list: bool = False) -> None:
        self.id = id
        self.display_name = display_name
        self.tooltip = tooltip
        self.is_output_list = is_output_list


def _type(io_type: str, input_base: type = Input, **input_attrs: Any) -> type:
    """A ComfyType class with nested Input and Output classes bound to ``io_type``."""
    input_cls = type("Input", (input_base,), {"io_type": io_type, **input_attrs})
    output_cls = type("Output", (Output,), {"io_type": io_type})
    return type(io_type.title(), (), {"io_type": io_type, "Input": input_cls, "Output": output_cls})


class _IntInput(WidgetInput):
    def __init__(self, id: str, display_name: Optional[str] = None, optional: bool = False,
                 tooltip: Optional[str] = None, lazy: Optional[bool] = None, default: Optional[int] = None,
                 min: Optional[int] = None, max: Optional[int] = None, step: Optional[int] = None,
                 control_after_generate: Optional[bool] = None, display_mode: Any = None,
                 socketless: Optional[bool] = None, force_input: Optional[bool] = None,
                 extra_dict: Optional[dict] = None, raw_link: Optional[bool] = None) -> None:
        super().__init__(id, display_name, optional, tooltip, lazy, default, socketless, None, force_input,
                         extra_dict, raw_link)
        self.min, self.max, self.step = min, max, step
        self.control_after_generate = control_after_generate


class _FloatInput(WidgetInput):
    def __init__(self, id: str, display_name: Optional[str] = None, optional: bool = False,
                 tooltip: Optional[str] = None, lazy: Optional[bool] = None, default: Optional[float] = None,
                 min: Optional[float] = None, max: Optional[float] = None, step: Optional[float] = None,
                 round: Optional[float] = None, display_mode: Any = None, socketless: Optional[bool] = None,
                 force_input: Optional[bool] = None, extra_dict: Optional[dict] = None,
                 raw_link: Optional[bool] = None) -> None:
        super().__init__(id, display_name, optional, tooltip, lazy, default, socketless, None, force_input,
                         extra_dict, raw_link)
        self.min, self.max, self.step, self.round = min, max, step, round


class _StringInput(WidgetInput):
    def __init__(self, id: str, display_name: Optional[str] = None, optional: bool = False,
                 tooltip: Optional[str] = None, lazy: Optional[bool] = None, multiline: bool = False,
                 placeholder: Optional[str] = None, default: Optional[str] = None,
                 dynamic_prompts: Optional[bool] = None, socketless: Optional[bool] = None,
                 force_input: Optional[bool] = None, extra_dict: Optional[dict] = None,
                 raw_link: Optional[bool] = None) -> None:
        super().__init__(id, display_name, optional, tooltip, lazy, default, socketless, None, force_input,
                         extra_dict, raw_link)
        self.multiline = multiline
        self.placeholder = placeholder
        self.dynamic_prompts = dynamic_prompts


class _BooleanInput(WidgetInput):
    def __init__(self, id: str, display_name: Optional[str] = None, optional: bool = False,
                 tooltip: Optional[str] = None, lazy: Optional[bool] = None, default: Optional[bool] = None,
                 label_on: Optional[str] = None, label_off: Optional[str] = None,
                 socketless: Optional[bool] = None, force_input: Optional[bool] = None,
                 extra_dict: Optional[dict] = None, raw_link: Optional[bool] = None) -> None:
        super().__init__(id, display_name, optional, tooltip, lazy, default, socketless, None, force_input,
                         extra_dict, raw_link)
        self.label_on, self.label_off = label_on, label_off


class _ComboInput(WidgetInput):
    def __init__(self, id: str, options: Any = None, display_name: Optional[str] = None,
                 optional: bool = False, tooltip: Optional[str] = None, lazy: Optional[bool] = None,
                 default: Any = None, control_after_generate: Optional[bool] = None, upload: Any = None,
                 image_folder: Any = None, remote: Any = None, socketless: Optional[bool] = None,
                 extra_dict: Optional[dict] = None, raw_link: Optional[bool] = None) -> None:
        if isinstance(options, type) and issubclass(options, Enum):
            options = [v.value for v in options]
        if isinstance(default, Enum):
            default = default.value
        super().__init__(id, display_name, optional, tooltip, lazy, default, socketless, None, None,
                         extra_dict, raw_link)
        self.options = options
        self.control_after_generate = control_after_generate


Image = _type("IMAGE")
Int = _type("INT", _IntInput)
Float = _type("FLOAT", _FloatInput)
String = _type("STRING", _StringInput)
Boolean = _type("BOOLEAN", _BooleanInput)
Combo = _type("COMBO", _ComboInput)


def Custom(io_type: str) -> type:  # noqa: N802 - ComfyUI's name
    """A ComfyType for a custom io type (its Input has no widget)."""
    return _type(io_type)


@dataclass
class Schema:
    """A V3 node's definition (the fields of ComfyUI's Schema that these nodes use)."""

    node_id: str
    display_name: Optional[str] = None
    category: str = "sd"
    inputs: list[Input] = field(default_factory=list)
    outputs: list[Output] = field(default_factory=list)
    hidden: list[Hidden] = field(default_factory=list)
    description: str = ""
    is_input_list: bool = False
    is_output_node: bool = False
    is_deprecated: bool = False
    is_experimental: bool = False
    is_api_node: bool = False
    not_idempotent: bool = False
    enable_expand: bool = False
    search_aliases: Optional[list[str]] = None

    def validate(self) -> None:
        """Ids must be unique within and between inputs and outputs."""
        input_ids = [i.id for i in self.inputs]
        output_ids = [o.id for o in self.outputs]
        issues = []
        if len(set(input_ids)) != len(input_ids):
            issues.append(f"Input ids must be unique: {[k for k, n in Counter(input_ids).items() if n > 1]}")
        if len(set(output_ids)) != len(output_ids):
            issues.append(f"Output ids must be unique: {[k for k, n in Counter(output_ids).items() if n > 1]}")
        if set(input_ids) & set(output_ids):
            issues.append(f"Ids must be unique between inputs and outputs: {set(input_ids) & set(output_ids)}")
        if issues:
            raise ValueError("\n".join(issues))

    def finalize(self) -> None:
        """Output nodes get the prompt and extra_pnginfo hidden inputs; outputs get ids."""
        if self.is_output_node:
            for hidden in (Hidden.prompt, Hidden.extra_pnginfo):
                if hidden not in self.hidden:
                    self.hidden.append(hidden)
        for index, output in enumerate(self.outputs):
            if output.id is None:
                output.id = f"_{index}_{output.io_type}_"


class NodeOutput:
    """What ``execute`` returns: the output values plus an optional UI output."""

    def __init__(self, *args: Any, ui: Any = None, expand: Optional[dict] = None,
                 block_execution: Optional[str] = None) -> None:
        self.args = args
        self.ui = ui
        self.expand = expand
        self.block_execution = block_execution

    @property
    def result(self) -> Optional[tuple]:
        """The output values, or None when there are none."""
        return self.args if len(self.args) > 0 else None

    def __getitem__(self, index: int) -> Any:
        return self.args[index]


class ComfyNode:
    """Base of V3 nodes: classmethods only, as ComfyUI calls them on the class."""

    SCHEMA: Optional[Schema] = None
    #: A HiddenHolder on the clone that ComfyUI runs (PREPARE_CLASS_CLONE); None on the class.
    hidden: Any = None

    @classmethod
    def define_schema(cls) -> Schema:
        """The node's schema."""
        raise NotImplementedError

    @classmethod
    def execute(cls, **kwargs: Any) -> NodeOutput:
        """Runs the node with its inputs by name."""
        raise NotImplementedError

    @classmethod
    def validate_inputs(cls, **kwargs: Any) -> bool | str:
        """Optional input validation (V1's VALIDATE_INPUTS)."""
        raise NotImplementedError

    @classmethod
    def fingerprint_inputs(cls, **kwargs: Any) -> Any:
        """Optional change detection (V1's IS_CHANGED); gets widget constants only."""
        raise NotImplementedError

    @classmethod
    def PREPARE_CLASS_CLONE(cls, hidden_inputs: Optional[dict]) -> type:  # noqa: N802 - ComfyUI's name
        """A subclass carrying the hidden values, as ComfyUI makes one for each call."""
        return type(cls.__name__, (cls,), {"hidden": HiddenHolder(hidden_inputs)})

    @classmethod
    def GET_SCHEMA(cls) -> Schema:  # noqa: N802 - ComfyUI's name
        """define_schema, finalized and validated, as ComfyUI does when it registers a node."""
        schema = cls.define_schema()
        schema.finalize()
        schema.validate()
        cls.SCHEMA = schema
        return schema
