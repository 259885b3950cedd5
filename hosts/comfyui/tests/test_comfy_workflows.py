"""The example workflows: the API format runs (ZIPP nodes) and the UI format says the same."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import comfy_host

WORKFLOWS = Path(__file__).resolve().parents[1] / "workflows"
API = json.loads((WORKFLOWS / "zipp_persona_txt2img_api.json").read_text(encoding="utf-8"))
UI = json.loads((WORKFLOWS / "zipp_persona_txt2img.json").read_text(encoding="utf-8"))


def test_api_workflow_runs_and_feeds_clip_text_encode(nodes: dict[str, type]) -> None:
    outputs = comfy_host.run_api_workflow(API, nodes)
    assert set(outputs) == {"1", "2", "3"}
    (rewrite, original, _), ui = outputs["3"]
    assert original == "a cat on a windowsill"
    assert rewrite.startswith("a cat") and rewrite != original
    assert ui["text"] == (rewrite,)
    assert API["5"]["class_type"] == "CLIPTextEncode" and API["5"]["inputs"]["text"] == ["3", 0]


def _widget_values(cls: type, api_inputs: dict[str, Any]) -> list[Any]:
    """The UI's widgets_values for a node: widget inputs in schema order, plus the
    control_after_generate value that the frontend stores after a seed."""
    values: list[Any] = []
    for spec in cls.GET_SCHEMA().inputs:
        if spec.io_type.startswith("ZIPP_"):
            continue
        values.append(api_inputs[spec.id])
        if getattr(spec, "control_after_generate", None):
            values.append("fixed")
    return values


def test_ui_workflow_matches_api_workflow(nodes: dict[str, type]) -> None:
    ui_nodes = {str(node["id"]): node for node in UI["nodes"]}
    assert {k: v["type"] for k, v in ui_nodes.items()} == {k: v["class_type"] for k, v in API.items()}
    links = {link[0]: link for link in UI["links"]}
    for node_id, node in API.items():
        for name, value in node["inputs"].items():
            if not isinstance(value, list):
                continue
            source, index = value
            slot = next(i for i in ui_nodes[node_id]["inputs"] if i["name"] == name)
            link_id, from_node, from_slot, to_node, _, link_type = links[slot["link"]]
            assert (str(from_node), from_slot, str(to_node)) == (source, index, node_id)
            assert ui_nodes[source]["outputs"][index]["type"] == link_type == slot["type"]
            assert link_id in ui_nodes[source]["outputs"][index]["links"]
    for node_id, node in API.items():
        cls = nodes.get(node["class_type"])
        if cls is not None:
            assert ui_nodes[node_id]["widgets_values"] == _widget_values(cls, node["inputs"])
            outputs = cls.GET_SCHEMA().outputs
            assert [o["type"] for o in ui_nodes[node_id]["outputs"]] == [o.io_type for o in outputs]


def test_workflows_hold_no_secret() -> None:
    for path in WORKFLOWS.glob("*.json"):
        text = path.read_text(encoding="utf-8").lower()
        assert "api_key" not in text and "sk-" not in text and "bearer" not in text
