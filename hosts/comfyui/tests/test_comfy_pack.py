"""The pack loads like ComfyUI loads it, and registers the personas folder."""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

import folder_paths

import comfy_host
from host_required import missing

PACK = Path(__file__).resolve().parents[1]


def test_entrypoint_lists_six_v3_nodes(models_dir: Path) -> None:
    module, nodes = comfy_host.load_pack(PACK)
    assert sorted(nodes) == ["ZippLLMSettings", "ZippPersonaFromSurvey", "ZippPersonaLoad", "ZippPersonaPickBest",
                            "ZippPersonaRewrite", "ZippPersonaScore"]
    for cls in nodes.values():
        schema = cls.GET_SCHEMA()
        assert schema.category == "ZIPP"
        assert schema.display_name and schema.description
    assert (PACK / module.WEB_DIRECTORY / "zipp_text_output.js").is_file()


def test_socket_types(nodes: dict[str, type]) -> None:
    load = nodes["ZippPersonaLoad"].GET_SCHEMA()
    rewrite = nodes["ZippPersonaRewrite"].GET_SCHEMA()
    llm = nodes["ZippLLMSettings"].GET_SCHEMA()
    assert [o.io_type for o in load.outputs] == ["ZIPP_PERSONA", "STRING"]
    assert {i.id: i.io_type for i in rewrite.inputs}["persona"] == "ZIPP_PERSONA"
    assert {i.id: i.io_type for i in rewrite.inputs}["llm"] == "ZIPP_LLM"
    assert [o.io_type for o in llm.outputs] == ["ZIPP_LLM"]
    assert [o.id for o in rewrite.outputs] == ["rewrite", "original", "thinking"]
    assert rewrite.is_output_node


def test_no_widget_takes_an_api_key(nodes: dict[str, type]) -> None:
    for cls in nodes.values():
        for spec in cls.GET_SCHEMA().inputs:
            assert "key" not in spec.id.lower() and "token" not in spec.id.lower()


def test_personas_folder_lists_models_dir_first_then_examples(models_dir: Path) -> None:
    (models_dir / "personas").mkdir(parents=True)
    (models_dir / "personas" / "me.txt").write_text("I love foggy harbours at dawn.", encoding="utf-8")
    (models_dir / "personas" / "kenji-osaka.json").write_text(
        '{"schema": "zipp.persona/v1", "id": "my-kenji", "text": "I am my own Kenji."}', encoding="utf-8")
    (models_dir / "personas" / "notes.md").write_text("not a persona", encoding="utf-8")
    nodes = comfy_host.load_pack(PACK)[1]
    folders = folder_paths.get_folder_paths("personas")
    assert folders[0] == str(models_dir / "personas")
    assert folders[1].endswith("personas") and Path(folders[1], "arne-tromso.json").is_file()
    options = {i.id: i for i in nodes["ZippPersonaLoad"].GET_SCHEMA().inputs}["persona_file"].options
    assert "me.txt" in options and "arne-tromso.json" in options
    assert "notes.md" not in options and "persona.schema.json" not in options
    assert options[-1] == "(inline only)"
    # the user's file shadows the example of the same name
    result, _ = comfy_host.execute(nodes["ZippPersonaLoad"], {"persona_file": "kenji-osaka.json"})
    assert result[0].id == "my-kenji"


def test_extra_model_paths_folder_is_kept(models_dir: Path, tmp_path: Path) -> None:
    shared = tmp_path / "shared-personas"
    shared.mkdir()
    (shared / "team.txt").write_text("We shoot product photos on white.", encoding="utf-8")
    folder_paths.add_model_folder_path("personas", str(shared))
    nodes = comfy_host.load_pack(PACK)[1]
    assert folder_paths.get_folder_paths("personas")[0] == str(models_dir / "personas")
    assert str(shared) in folder_paths.get_folder_paths("personas")
    options = {i.id: i for i in nodes["ZippPersonaLoad"].GET_SCHEMA().inputs}["persona_file"].options
    assert "team.txt" in options


def test_registry_metadata() -> None:
    data = tomllib.loads((PACK / "pyproject.toml").read_text(encoding="utf-8"))
    project, comfy = data["project"], data["tool"]["comfy"]
    assert project["name"] and project["version"] == "0.1.0" and project["description"]
    assert project["license"] and project["dependencies"] == ["libzipp>=0.1.0,<0.2"]
    assert {"PublisherId", "DisplayName", "Icon", "includes"} <= set(comfy)
    assert all((PACK / folder).is_dir() for folder in comfy["includes"])
    requirements = (PACK / "requirements.txt").read_text(encoding="utf-8").split("\n")
    assert "libzipp>=0.1.0,<0.2" in requirements


def test_comfy_cli_validates_the_pack() -> None:
    comfy = shutil.which("comfy")
    if comfy is None:
        missing("comfy-cli is not installed (pip install comfy-cli)")
    done = subprocess.run([comfy, "--skip-prompt", "--no-enable-telemetry", "node", "validate"], cwd=PACK,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "passed" in done.stdout + done.stderr
