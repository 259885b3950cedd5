"""The node pack in a real ComfyUI 0.3.64 over HTTP: node list and dropdowns, the shipped API
workflow's ZIPP nodes, the output cache (fixed seed, new seed, failed rewrite), and Persona Score
and Pick Best on an image batch. One server for the module.

Needs ComfyUI prepared by ``bash scripts/ci_comfyui.sh`` (about 3 GB, once) and the libzipp wheel:
the manylinux wheel of ``scripts/build_wheel.sh`` named by ``ZIPP_WHEEL`` (required on CI), else,
locally, one built around ``ZIPP_LIBRARY`` (which the repository's conftest finds in target/).
Without them the tests print SKIPPED and pass, except on CI (``CI=true``) or with
``ZIPP_REQUIRE_HOSTS=1``, where they fail.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, Iterator

import pytest

import built_wheel
import comfy_server
import libzipp
from comfy_server import Server, cached_nodes, combo_options, succeeded, text_of
from host_required import missing
from openai_server import OpenAIServer, Reply, completion, refused_url

REPO = comfy_server.REPO
SHIPPED = REPO / "hosts" / "comfyui" / "workflows" / "zipp_persona_txt2img_api.json"
TINY_CLIP = REPO / "tests" / "fixtures" / "clip" / "tiny-quick"
PICTURE = REPO / "tests" / "fixtures" / "clip" / "images" / "rgb.png"  # 50x37 RGB
PERSONA_FILE = "real-host-tester.json"
PERSONA = {"schema": "zipp.persona/v1", "id": "real-host-tester", "name": "Tess",
           "text": "I'm Tess, a lighthouse keeper. I like grey seas, salt-worn paint and quiet harbours.",
           "x-references": ["refs/harbour.png"]}
NODES = {"ZippPersonaLoad", "ZippPersonaFromSurvey", "ZippLLMSettings", "ZippPersonaRewrite",
         "ZippPersonaScore", "ZippPersonaPickBest"}


@pytest.fixture(scope="module")
def comfy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """ComfyUI with the pack, the libzipp wheel, a persona, a CLIP checkpoint and a picture."""
    host, why = comfy_server.prepared()
    if host is None:
        missing(why)
    root = tmp_path_factory.mktemp("comfyui")
    comfy_server.install_wheel(host.python, _the_wheel(root))
    base = root / "base"
    comfy_server.lay_out(base)
    personas = base / "models" / "personas"
    (personas / "refs").mkdir(parents=True)
    (personas / PERSONA_FILE).write_text(json.dumps(PERSONA), encoding="utf-8")
    shutil.copy2(PICTURE, personas / "refs" / "harbour.png")
    shutil.copytree(TINY_CLIP, base / "models" / "zipp_clip" / "tiny-quick")
    shutil.copy2(PICTURE, base / "input" / "zipp-rgb.png")
    server = Server(host, base, comfy_server.server_env(base))
    try:
        seconds = server.wait_ready()
        print(f"ComfyUI {comfy_server.VERSION} ready in {seconds:.1f} s at {server.url}")
        yield server
    finally:
        server.stop()


def _the_wheel(root: Path) -> Path:
    """The manylinux wheel ZIPP_WHEEL names (required on CI); locally without it, a wheel built
    around ZIPP_LIBRARY (the library cargo built here)."""
    wheel = built_wheel.given_wheel()
    if wheel is not None:
        return wheel
    if built_wheel.required():
        pytest.fail(f"{built_wheel.WHEEL_ENV} does not name the wheel of scripts/build_wheel.sh, which CI "
                    f"tests in the real host; make it with: {built_wheel.HOW}")
    library = Path(os.environ.get("ZIPP_LIBRARY", ""))
    if not library.is_file():
        missing(f"neither {built_wheel.WHEEL_ENV} (the manylinux wheel) nor ZIPP_LIBRARY (a built libzipp) "
                "is set")
    print(f"{built_wheel.WHEEL_ENV} is not set: testing a wheel built around {library}")
    return comfy_server.build_wheel(library, root / "wheelhouse", root / "scratch")


def _rewrite_workflow(seed: int, llm: dict[str, Any] | None = None) -> dict[str, Any]:
    """The shipped workflow's ZIPP nodes (Persona Load -> Persona Rewrite, with Persona LLM
    Settings), PreviewAny instead of the image model, plus Persona From Survey -> Persona Rewrite
    and a Persona Load of the models/personas file."""
    shipped = json.loads(SHIPPED.read_text(encoding="utf-8"))
    workflow = {k: copy.deepcopy(v) for k, v in shipped.items() if v["class_type"].startswith("Zipp")}
    assert {v["class_type"] for v in workflow.values()} == {"ZippPersonaLoad", "ZippLLMSettings",
                                                            "ZippPersonaRewrite"}
    if llm is not None:
        workflow["2"]["inputs"].update(llm)
    workflow["3"]["inputs"]["seed"] = seed
    workflow["20"] = {"class_type": "PreviewAny", "inputs": {"source": ["3", 0]}}
    workflow["21"] = {"class_type": "ZippPersonaFromSurvey",
                      "inputs": {"name": "Ana", "age_band": "25-34", "gender": "female", "country": "PT",
                                 "language": "pt", "profession": "tile painter", "hobbies": "surfing, azulejos",
                                 "notes": "I like bright Atlantic light."}}
    workflow["22"] = {"class_type": "ZippPersonaRewrite",
                      "inputs": {"persona": ["21", 0], "prompt": "a harbour at dawn", "llm": ["2", 0],
                                 "seed": seed, "k": 3, "word_budget": 60}}
    workflow["23"] = {"class_type": "PreviewAny", "inputs": {"source": ["22", 0]}}
    workflow["24"] = {"class_type": "ZippPersonaLoad", "inputs": {"persona_file": PERSONA_FILE, "inline": ""}}
    workflow["25"] = {"class_type": "PreviewAny", "inputs": {"source": ["24", 1]}}
    return workflow


def _failing_workflow(base_url: str) -> dict[str, Any]:
    """Persona Load -> Persona Rewrite with the openai backend at ``base_url``."""
    workflow = _rewrite_workflow(5, {"backend": "openai", "base_url": base_url, "model": "test-model",
                                     "timeout_s": 5, "max_retries": 0})
    return {k: v for k, v in workflow.items() if k in ("1", "2", "3", "20")}


def test_the_wheel_library_is_loaded(comfy: Server) -> None:
    script = "import libzipp; print(libzipp.library_path()); print(libzipp.example_personas_dir())"
    done = subprocess.run([str(comfy.host.python), "-c", script], cwd=comfy.base,
                          env=comfy_server.server_env(comfy.base), capture_output=True, text=True, check=True)
    library, examples = done.stdout.split("\n")[:2]
    venv = comfy.host.python.parent.parent
    assert Path(library).is_relative_to(venv) and Path(examples).is_relative_to(venv), done.stdout


def test_object_info_lists_the_nodes_and_the_personas(comfy: Server) -> None:
    info = comfy.get("/object_info")
    assert NODES <= set(info), sorted(n for n in info if n.startswith("Zipp"))
    assert all(info[n]["category"] == "ZIPP" for n in NODES)
    personas = combo_options(info["ZippPersonaLoad"], "persona_file")
    assert PERSONA_FILE in personas  # models/personas, registered without on_load()
    assert {"kenji-osaka.json", "amara-lagos.json"} <= set(personas)  # the wheel's examples
    assert "persona.schema.json" not in personas
    assert combo_options(info["ZippPersonaScore"], "clip_checkpoint") == ["tiny-quick"]
    assert info["ZippPersonaPickBest"]["output"] == ["IMAGE", "INT", "FLOAT", "STRING"]


def test_rewrites_cache_with_a_fixed_seed_and_rerun_with_a_new_one(comfy: Server) -> None:
    workflow = _rewrite_workflow(42)
    first = comfy.run(workflow)
    assert succeeded(first), json.dumps(first["status"])
    rewrite = text_of(first, "20")
    assert rewrite.startswith("a cat") and rewrite != "a cat on a windowsill"
    assert text_of(first, "3") == rewrite
    assert text_of(first, "23").startswith("a harbour at dawn")
    assert json.loads(text_of(first, "25"))["id"] == "real-host-tester"
    assert cached_nodes(first) == set()

    again = comfy.run(workflow)
    assert succeeded(again) and cached_nodes(again) == set(workflow)
    assert text_of(again, "20") == rewrite

    reseeded = _rewrite_workflow(43)
    third = comfy.run(reseeded)
    assert succeeded(third)
    assert {"3", "22"}.isdisjoint(cached_nodes(third))
    assert {"1", "2", "21", "24", "25"} <= cached_nodes(third)
    assert text_of(third, "20").startswith("a cat")


def test_failed_passthrough_is_not_cached(comfy: Server) -> None:
    workflow = _failing_workflow(refused_url())
    for attempt in range(2):
        entry = comfy.run(workflow)
        assert succeeded(entry), json.dumps(entry["status"])
        assert text_of(entry, "20") == "a cat on a windowsill"
        assert text_of(entry, "3").startswith("rewrite failed, original prompt passed through")
        assert "ZIPP_STATUS_CONNECTION" in text_of(entry, "3")
        if attempt == 1:
            assert "3" not in cached_nodes(entry) and {"1", "2"} <= cached_nodes(entry)


def test_the_rewrite_runs_again_when_the_server_is_back(comfy: Server, openai_server: OpenAIServer) -> None:
    workflow = _failing_workflow(openai_server.base_url)
    openai_server.replies.append(Reply(503, {"error": {"message": "loading model"}}))
    failed = comfy.run(workflow)
    assert text_of(failed, "20") == "a cat on a windowsill" and len(openai_server.requests) == 1
    openai_server.replies.append(Reply(200, completion("a cat on a windowsill, salt-worn paint, grey sea light")))
    back = comfy.run(workflow)
    assert "3" not in cached_nodes(back) and len(openai_server.requests) == 2
    assert text_of(back, "20") == "a cat on a windowsill, salt-worn paint, grey sea light"
    cached = comfy.run(workflow)
    assert "3" in cached_nodes(cached) and len(openai_server.requests) == 2
    assert text_of(cached, "20") == "a cat on a windowsill, salt-worn paint, grey sea light"


def _score_workflow(prompt: str) -> dict[str, Any]:
    """LoadImage + EmptyImage (red) batched by ImageBatch, scored and picked from."""
    return {
        "1": {"class_type": "LoadImage", "inputs": {"image": "zipp-rgb.png"}},
        "2": {"class_type": "EmptyImage", "inputs": {"width": 50, "height": 37, "batch_size": 1,
                                                     "color": 0xFF0000}},
        "3": {"class_type": "ImageBatch", "inputs": {"image1": ["1", 0], "image2": ["2", 0]}},
        "4": {"class_type": "ZippPersonaLoad", "inputs": {"persona_file": PERSONA_FILE, "inline": ""}},
        "5": {"class_type": "ZippPersonaScore",
              "inputs": {"images": ["3", 0], "clip_checkpoint": "tiny-quick", "prompt": prompt,
                         "persona": ["4", 0], "reference_weight": 0.5}},
        "6": {"class_type": "PreviewAny", "inputs": {"source": ["5", 0]}},
        "7": {"class_type": "ZippPersonaPickBest",
              "inputs": {"images": ["3", 0], "clip_checkpoint": "tiny-quick", "prompt": "",
                         "persona": ["4", 0]}},
        "8": {"class_type": "PreviewAny", "inputs": {"source": ["7", 1]}},
        "9": {"class_type": "PreviewAny", "inputs": {"source": ["7", 2]}},
        "10": {"class_type": "PreviewImage", "inputs": {"images": ["7", 0]}},
    }


def test_score_and_pick_best_on_an_image_batch(comfy: Server) -> None:
    prompt = "a quiet harbour in grey light"
    entry = comfy.run(_score_workflow(prompt))
    assert succeeded(entry), json.dumps(entry["status"])
    scores = json.loads(text_of(entry, "6"))
    assert [s["index"] for s in scores] == [0, 1]
    with libzipp.Clip(TINY_CLIP) as clip:
        clip_score, cosine = clip.score_text(PICTURE, prompt)
        self_align, _ = clip.score_images(PICTURE, [PICTURE])
    assert scores[0]["clip_score"] == pytest.approx(clip_score, abs=1e-5)
    assert scores[0]["cosine"] == pytest.approx(cosine, abs=1e-5)
    assert scores[0]["image_align_max"] == pytest.approx(self_align, abs=1e-5)
    assert self_align == pytest.approx(1.0, abs=1e-5)
    assert scores[1]["image_align_max"] < 0.999
    for s in scores:
        assert s["score"] == pytest.approx(0.5 * s["clip_score"] + 0.5 * 2.5 * max(s["image_align_mean"], 0))
    assert text_of(entry, "5").startswith("image  score")
    assert text_of(entry, "8") == "0"  # the reference itself wins on Image-Align alone
    assert float(text_of(entry, "9")) == pytest.approx(2.5, abs=1e-4)
    assert "<- best" in text_of(entry, "7")
    assert len(entry["outputs"]["10"]["images"]) == 1
