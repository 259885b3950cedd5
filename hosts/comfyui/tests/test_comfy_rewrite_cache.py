"""ComfyUI's output cache and Persona Rewrite: a fixed seed reuses the rewrite, a new seed runs
again, and a failed rewrite (passed through) is not reused: the next queue runs it again."""

from __future__ import annotations

import copy
from typing import Any

import comfy_host
from openai_server import OpenAIServer, Reply, completion, refused_url


def _workflow(base_url: str, seed: int = 7, backend: str = "openai") -> dict[str, Any]:
    return {
        "1": {"class_type": "ZippPersonaLoad", "inputs": {"persona_file": "kenji-osaka.json", "inline": ""}},
        "2": {"class_type": "ZippLLMSettings",
              "inputs": {"backend": backend, "base_url": base_url, "model": "test-model", "timeout_s": 5,
                         "max_retries": 0}},
        "3": {"class_type": "ZippPersonaRewrite",
              "inputs": {"persona": ["1", 0], "prompt": "a cat on a windowsill", "llm": ["2", 0], "seed": seed,
                         "k": 3, "word_budget": 60}},
    }


def _rewrite(outputs: dict[str, Any]) -> tuple[str, str]:
    (text, _, _), ui = outputs["3"]
    return text, ui["text"][0]


def test_fixed_seed_is_cached_new_seed_runs(nodes: dict[str, type]) -> None:
    queue = comfy_host.Queue(nodes)
    workflow = _workflow("", backend="rules")
    first, _ = _rewrite(queue.run(workflow))
    assert queue.ran == ["1", "2", "3"]
    again, _ = _rewrite(queue.run(workflow))
    assert queue.ran == [] and again == first
    reseeded = copy.deepcopy(workflow)
    reseeded["3"]["inputs"]["seed"] = 8
    queue.run(reseeded)
    assert queue.ran == ["3"]


def test_failed_rewrite_runs_again_on_the_next_queue(nodes: dict[str, type], openai_server: OpenAIServer,
                                                     no_api_key: None) -> None:
    queue = comfy_host.Queue(nodes)
    workflow = _workflow(openai_server.base_url)
    openai_server.replies.append(Reply(503, {"error": {"message": "loading model"}}))
    text, shown = _rewrite(queue.run(workflow))
    assert text == "a cat on a windowsill" and shown.startswith("rewrite failed")
    assert queue.ran == ["1", "2", "3"] and len(openai_server.requests) == 1
    # the server is back: the same workflow, same seed, runs the rewrite again
    openai_server.replies.append(Reply(200, completion("a cat on a windowsill, worn wood, muted film")))
    text, shown = _rewrite(queue.run(workflow))
    assert queue.ran == ["3"] and len(openai_server.requests) == 2
    assert text == shown == "a cat on a windowsill, worn wood, muted film"
    # a success with the same inputs stays cached
    text, _ = _rewrite(queue.run(workflow))
    assert queue.ran == [] and len(openai_server.requests) == 2
    assert text == "a cat on a windowsill, worn wood, muted film"


def test_every_failure_runs_again(nodes: dict[str, type], no_api_key: None) -> None:
    queue = comfy_host.Queue(nodes)
    workflow = _workflow(refused_url())
    for _ in range(3):
        text, shown = _rewrite(queue.run(workflow))
        assert "3" in queue.ran
        assert text == "a cat on a windowsill" and "ZIPP_STATUS_CONNECTION" in shown


def test_failure_with_a_linked_prompt_runs_again(nodes: dict[str, type], no_api_key: None) -> None:
    """The fingerprint sees None for a linked prompt; the failure is counted under that key."""
    queue = comfy_host.Queue(nodes)
    workflow = _workflow(refused_url())
    workflow["4"] = {"class_type": "ZippPersonaFromSurvey",
                     "inputs": {"name": "Ana", "age_band": "25-34", "gender": "", "country": "PT", "language": "",
                                "profession": "", "hobbies": "", "notes": ""}}
    workflow["3"]["inputs"]["prompt"] = ["4", 1]  # any STRING output
    queue.run(workflow)
    assert "3" in queue.ran
    queue.run(workflow)
    assert queue.ran == ["3"]


def test_failure_does_not_rerun_other_rewrites(nodes: dict[str, type], no_api_key: None) -> None:
    queue = comfy_host.Queue(nodes)
    workflow = _workflow(refused_url())
    workflow["5"] = {"class_type": "ZippPersonaRewrite",
                     "inputs": {"persona": ["1", 0], "prompt": "a lighthouse", "seed": 1, "k": 3, "word_budget": 60}}
    queue.run(workflow)
    assert {"3", "5"} <= set(queue.ran)
    queue.run(workflow)
    assert queue.ran == ["3"]
