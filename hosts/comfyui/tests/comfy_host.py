"""Drives the node pack the way ComfyUI does (nodes.py load_custom_node, execution.py):

- loads the package from its folder with ``spec_from_file_location`` and awaits
  ``comfy_entrypoint()`` and ``get_node_list()`` (as 0.3.64 does: no ``on_load()``; later
  versions await ``on_load()`` in between: ``call_on_load=True``), then ``GET_SCHEMA()`` per node;
- fingerprints a node only if it overrides ``fingerprint_inputs``, passing widget constants
  and None for linked inputs; an exception becomes NaN (always re-run);
- validates INT ranges, COMBO choices and required inputs like ``validate_inputs``;
- calls ``execute`` on a clone of the class that carries the hidden inputs the schema asks for
  (``PREPARE_CLASS_CLONE``), with the inputs by name (absent optional inputs left out), and
  turns the NodeOutput into (outputs, ui dict);
- ``Queue`` runs API-format workflows again and again with ComfyUI's output cache: a node runs
  only when its class, constants, fingerprint (and node id, when it asks for UNIQUE_ID) or an
  ancestor's changed since the previous queue; otherwise its cached outputs are reused.
"""

from __future__ import annotations

import asyncio
import importlib.util
import math
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Iterable

from comfy_api.latest import ComfyExtension, io


def load_pack(folder: Path, module_name: str = "zipp_comfyui_pack",
              call_on_load: bool = False) -> tuple[ModuleType, dict[str, type]]:
    """Imports the pack like ComfyUI 0.3.64 (or a later version, which also awaits
    ``on_load()``) and returns (module, {node_id: node class})."""
    spec = importlib.util.spec_from_file_location(module_name, folder / "__init__.py",
                                                  submodule_search_locations=[str(folder)])
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    assert not hasattr(module, "NODE_CLASS_MAPPINGS"), "V1 mappings would shadow comfy_entrypoint"

    async def register() -> dict[str, type]:
        extension = await module.comfy_entrypoint()
        assert isinstance(extension, ComfyExtension)
        if call_on_load:
            await extension.on_load()
        node_list = await extension.get_node_list()
        assert isinstance(node_list, list)
        return {node_cls.GET_SCHEMA().node_id: node_cls for node_cls in node_list}

    return module, asyncio.run(register())


def _overrides(cls: type, name: str) -> bool:
    return getattr(cls, name).__func__ is not getattr(io.ComfyNode, name).__func__


def fingerprint(cls: type, inputs: dict[str, Any], linked: Iterable[str] = ()) -> Any:
    """IsChangedCache.get: constants only; linked inputs are None; errors give NaN."""
    if not _overrides(cls, "fingerprint_inputs"):
        return False
    constants = {name: (None if name in set(linked) else value) for name, value in inputs.items()}
    try:
        return [cls.fingerprint_inputs(**constants)]
    except Exception:  # noqa: BLE001 - ComfyUI turns any error into NaN
        return float("nan")


def changed(before: Any, after: Any) -> bool:
    """Whether ComfyUI would run the node again for these two fingerprints."""
    if isinstance(before, float) and math.isnan(before):
        return True
    return bool(before != after)


def validate(cls: type, inputs: dict[str, Any], linked: Iterable[str] = ()) -> list[str]:
    """The problems ComfyUI's validate_inputs would report for these widget values."""
    problems = []
    linked = set(linked)
    for spec in cls.GET_SCHEMA().inputs:
        if spec.id not in inputs and spec.id not in linked:
            if not spec.optional:
                problems.append(f"{spec.id}: required input missing")
            continue
        if spec.id in linked:
            continue
        value = inputs[spec.id]
        if spec.io_type == "INT":
            if spec.min is not None and value < spec.min or spec.max is not None and value > spec.max:
                problems.append(f"{spec.id}: {value} outside [{spec.min}, {spec.max}]")
        if spec.io_type == "COMBO" and value not in spec.options:
            problems.append(f"{spec.id}: {value!r} not in list")
    return problems


def hidden_inputs(cls: type, node_id: str = "1", prompt: Any = None) -> dict[Any, Any]:
    """The hidden values ComfyUI's get_input_data gives a node whose schema asks for them."""
    schema = cls.GET_SCHEMA()
    values: dict[Any, Any] = {}
    if io.Hidden.unique_id in schema.hidden:
        values[io.Hidden.unique_id] = node_id
    if io.Hidden.prompt in schema.hidden:
        values[io.Hidden.prompt] = prompt if prompt is not None else {}
    if io.Hidden.extra_pnginfo in schema.hidden:
        values[io.Hidden.extra_pnginfo] = None
    return values


def execute(cls: type, inputs: dict[str, Any], hidden: Any = None) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Runs ``execute(**inputs)`` on a clone carrying ``hidden`` (default: the node alone, id "1",
    in an empty prompt) and returns (output values, ui dict)."""
    clone = cls.PREPARE_CLASS_CLONE(hidden if hidden is not None else hidden_inputs(cls))
    output = clone.execute(**inputs)
    assert isinstance(output, io.NodeOutput), type(output)
    result = output.result or ()
    assert len(result) == len(cls.GET_SCHEMA().outputs)
    ui = output.ui.as_dict() if output.ui is not None and not isinstance(output.ui, dict) else (output.ui or {})
    return result, ui


class Queue:
    """Queues API-format workflows one after another, with ComfyUI's output cache (the classic
    cache: what the previous queue computed). ``ran`` holds the node ids the last queue ran."""

    def __init__(self, nodes: dict[str, type]) -> None:
        self.nodes = nodes
        self.cache: dict[Any, tuple[tuple[Any, ...], dict]] = {}
        self.ran: list[str] = []

    def _key(self, workflow: dict[str, Any], node_id: str, keys: dict[str, Any]) -> Any:
        node = workflow[node_id]
        cls = self.nodes[node["class_type"]]
        links = {k: v for k, v in node["inputs"].items() if isinstance(v, list)}
        constants = {k: v for k, v in node["inputs"].items() if k not in links}
        signature = [node["class_type"], repr(fingerprint(cls, dict(node["inputs"]), linked=links))]
        if io.Hidden.unique_id in cls.GET_SCHEMA().hidden:
            signature.append(node_id)
        for name in sorted(node["inputs"]):
            if name in links:
                source, index = links[name]
                signature.append((name, keys[str(source)], index))
            else:
                signature.append((name, repr(constants[name])))
        return repr(signature)

    def run(self, workflow: dict[str, Any]) -> dict[str, tuple[tuple[Any, ...], dict]]:
        """Runs the workflow's nodes of this pack; returns {node_id: (outputs, ui)}."""
        done: dict[str, tuple[tuple[Any, ...], dict]] = {}
        keys: dict[str, Any] = {}
        cache: dict[Any, tuple[tuple[Any, ...], dict]] = {}
        self.ran = []
        pending = [node_id for node_id, node in workflow.items() if node["class_type"] in self.nodes]
        while pending:
            ready = [n for n in pending if all(str(v[0]) in done for v in workflow[n]["inputs"].values()
                                               if isinstance(v, list))]
            assert ready, f"unresolvable links among {pending}"
            for node_id in ready:
                keys[node_id] = key = self._key(workflow, node_id, keys)
                if key in self.cache:
                    done[node_id] = self.cache[key]
                else:
                    node = workflow[node_id]
                    cls = self.nodes[node["class_type"]]
                    inputs = {k: (done[str(v[0])][0][v[1]] if isinstance(v, list) else v)
                              for k, v in node["inputs"].items()}
                    done[node_id] = execute(cls, inputs, hidden_inputs(cls, node_id, workflow))
                    self.ran.append(node_id)
                cache[key] = done[node_id]
                pending.remove(node_id)
        self.cache = cache
        return done


def run_api_workflow(workflow: dict[str, Any], nodes: dict[str, type]) -> dict[str, tuple[tuple[Any, ...], dict]]:
    """Runs every node of an API-format workflow whose class this pack provides, in order.

    Inputs are constants or ``[node_id, output_index]`` links; nodes of other packs are skipped.
    """
    done: dict[str, tuple[tuple[Any, ...], dict]] = {}
    pending = [node_id for node_id, node in workflow.items() if node["class_type"] in nodes]
    while pending:
        progressed = False
        for node_id in list(pending):
            node = workflow[node_id]
            links = {k: v for k, v in node["inputs"].items() if isinstance(v, list)}
            if any(str(source) not in done for source, _ in links.values()):
                continue
            cls = nodes[node["class_type"]]
            constants = {k: v for k, v in node["inputs"].items() if k not in links}
            assert not validate(cls, constants, linked=links), validate(cls, constants, linked=links)
            inputs = dict(constants)
            for name, (source, index) in links.items():
                inputs[name] = done[str(source)][0][index]
            done[node_id] = execute(cls, inputs, hidden_inputs(cls, node_id, workflow))
            pending.remove(node_id)
            progressed = True
        assert progressed, f"unresolvable links among {pending}"
    return done
