"""The folders are registered whichever way ComfyUI loads the pack: 0.3.64 awaits
comfy_entrypoint() and get_node_list() but never on_load(); later versions await on_load() too."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

import folder_paths

import comfy_host

PACK = Path(__file__).resolve().parents[1]


def _persona_options(nodes: dict[str, type]) -> list[str]:
    return {i.id: i for i in nodes["ZippPersonaLoad"].GET_SCHEMA().inputs}["persona_file"].options


@pytest.mark.parametrize("call_on_load", [False, True], ids=["comfyui-0.3.64", "with-on_load"])
def test_personas_folder_is_listed_in_either_order(models_dir: Path, call_on_load: bool) -> None:
    (models_dir / "personas").mkdir(parents=True)
    (models_dir / "personas" / "mine.txt").write_text("I like rainy neon streets.", encoding="utf-8")
    nodes = comfy_host.load_pack(PACK, call_on_load=call_on_load)[1]
    assert folder_paths.get_folder_paths("personas")[0] == str(models_dir / "personas")
    assert folder_paths.get_folder_paths("zipp_clip") == [str(models_dir / "zipp_clip")]
    options = _persona_options(nodes)
    assert "mine.txt" in options and "kenji-osaka.json" in options
    result, _ = comfy_host.execute(nodes["ZippPersonaLoad"], {"persona_file": "mine.txt", "inline": ""})
    assert result[0].to_dict()["text"] == "I like rainy neon streets."


def test_registering_again_adds_no_folder(models_dir: Path) -> None:
    module = comfy_host.load_pack(PACK, call_on_load=True)[0]
    before = {name: folder_paths.get_folder_paths(name) for name in ("personas", "zipp_clip")}
    assert len(before["personas"]) == 2  # models/personas, then the wheel's examples

    async def again() -> None:
        extension = await module.comfy_entrypoint()
        await extension.on_load()
        await extension.get_node_list()
        await extension.on_load()

    asyncio.run(again())
    assert {name: folder_paths.get_folder_paths(name) for name in before} == before


def test_the_stand_in_does_not_call_on_load_by_default(models_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    module = comfy_host.load_pack(PACK)[0]
    calls: list[str] = []

    async def on_load(self: object) -> None:
        calls.append("on_load")

    extension_cls = type(asyncio.run(module.comfy_entrypoint()))
    monkeypatch.setattr(extension_cls, "on_load", on_load)
    comfy_host.load_pack(PACK)
    assert calls == []
    comfy_host.load_pack(PACK, call_on_load=True)
    assert calls == ["on_load"]
