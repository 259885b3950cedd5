"""The ZIPP Persona script: UI, process() on the prompts, PNG info, the API argument order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import a1111_host
from modules.processing import StableDiffusionProcessingTxt2Img
from openai_server import OpenAIServer, Reply, completion, refused_url

ARGS = ["enabled", "persona", "backend", "base_url", "model", "seed_policy", "fixed_seed", "k", "word_budget",
        "model_path", "unload_after", "taste_clauses"]


def _args(runner: a1111_host.Runner, **values: Any) -> list[Any]:
    """An API request's full argument list for the script (defaults for what is not given)."""
    script = runner.scripts[0]
    chosen = dict(zip(ARGS, runner.default_args()[script.args_from:script.args_to]))
    chosen.update(values)
    return runner.api_args({"ZIPP Persona": {"args": [chosen[name] for name in ARGS]}})


def test_api_args_in_documented_order_with_defaults_for_the_rest(runner: a1111_host.Runner) -> None:
    script = runner.scripts[0]
    args = runner.api_args({"zipp persona": {"args": [True, "amara-lagos.json"]}})
    mine = args[script.args_from:script.args_to]
    assert mine == [True, "amara-lagos.json", "rules", "", "", "follow image seed", 0, 3, 60, "", False, 3]
    p = StableDiffusionProcessingTxt2Img(prompt="a market", seed=4)
    a1111_host.generate(runner, p, args)
    assert p.extra_generation_params["ZIPP persona"] == "amara-lagos"
    doc = (Path(__file__).resolve().parents[1] / "scripts" / "zipp_persona.py").read_text(encoding="utf-8")
    positions = [doc.index(f"{i} {name}") for i, name in enumerate(ARGS)]
    assert positions == sorted(positions)


def test_ui_controls_and_defaults(runner: a1111_host.Runner) -> None:
    script = runner.scripts[0]
    assert script.name == "zipp persona"
    labels = [c.label for c in script.controls]
    assert len(labels) == len(ARGS) == script.args_to - script.args_from
    defaults = dict(zip(ARGS, runner.default_args()[script.args_from:script.args_to]))
    assert defaults["enabled"] is False
    assert defaults["persona"] == "aigerim-almaty.json"
    assert defaults["backend"] == "rules" and defaults["seed_policy"] == "follow image seed"
    assert (defaults["k"], defaults["word_budget"]) == (3, 60)
    assert (defaults["model_path"], defaults["unload_after"]) == ("", False)
    assert defaults["taste_clauses"] == 3
    slider = script.controls[ARGS.index("taste_clauses")]
    assert (slider.minimum, slider.maximum, slider.step) == (1, 3, 1)
    assert script.controls[ARGS.index("backend")].choices == ["rules", "gguf", "openai"]
    assert all(c.kwargs["elem_id"].startswith("script_txt2img_zipp_persona_") for c in script.controls)
    assert not any("key" in (c.label or "").lower() for c in script.controls)


def test_refresh_button_lists_new_files(runner: a1111_host.Runner, models_path: Path) -> None:
    import gradio as gr

    script = runner.scripts[0]
    persona = script.controls[1]
    assert "mine.txt" not in persona.choices
    (models_path / "personas" / "mine.txt").write_text("I draw comics about cats.", encoding="utf-8")
    buttons = [c for c in runner.blocks[0].children if isinstance(c, gr.Button)]
    assert len(buttons) == 1 and buttons[0] not in script.controls
    handler, inputs, outputs = buttons[0].handlers[0]
    assert inputs == [] and outputs == [persona]
    update = handler()
    assert update["__type__"] == "update" and update["choices"][0] == "mine.txt"
    assert "kenji-osaka.json" in update["choices"] and "persona.schema.json" not in update["choices"]


def test_disabled_by_default_changes_nothing(runner: a1111_host.Runner) -> None:
    p = StableDiffusionProcessingTxt2Img(prompt="a cat", seed=5)
    infotexts = a1111_host.generate(runner, p, runner.default_args())
    assert p.all_prompts == ["a cat"] and p.extra_generation_params == {}
    assert infotexts[0].startswith("a cat\n")


def test_rules_rewrite_one_per_distinct_prompt_and_png_info(runner: a1111_host.Runner) -> None:
    p = StableDiffusionProcessingTxt2Img(prompt=["a cat", "a dog", "a cat", "a dog"], seed=100, batch_size=4,
                                         negative_prompt="blurry")
    args = _args(runner, enabled=True, persona="kenji-osaka.json", seed_policy="fixed seed", fixed_seed=7)
    infotexts = a1111_host.generate(runner, p, args)
    assert not runner.errors, runner.errors
    cat, dog, cat2, dog2 = p.all_prompts
    assert cat == cat2 and dog == dog2 and cat != dog
    assert cat.startswith("a cat,") and dog.startswith("a dog,")
    assert p.main_prompt == cat
    params = p.extra_generation_params
    assert params["ZIPP persona"] == "kenji-osaka"
    assert params["ZIPP backend"] == "rules"
    assert params["ZIPP original prompt"] == ["a cat", "a dog", "a cat", "a dog"]
    assert "ZIPP error" not in params
    assert infotexts[1].startswith(dog + "\nNegative prompt: blurry\n")
    assert "ZIPP persona: kenji-osaka" in infotexts[1]
    assert "ZIPP original prompt: a dog" in infotexts[1]


def test_single_prompt_records_a_plain_string(runner: a1111_host.Runner) -> None:
    p = StableDiffusionProcessingTxt2Img(prompt="a harbour, at dawn", seed=3, batch_size=2)
    infotexts = a1111_host.generate(runner, p, _args(runner, enabled=True, persona="arne-tromso.json"))
    assert p.extra_generation_params["ZIPP original prompt"] == "a harbour, at dawn"
    assert p.all_prompts[0] == p.all_prompts[1] != "a harbour, at dawn"
    assert 'ZIPP original prompt: "a harbour, at dawn"' in infotexts[0]


def test_taste_clauses_set_the_strength(runner: a1111_host.Runner) -> None:
    prompt = "a street market at dusk"
    texts = {}
    for n in (1, 3):
        p = StableDiffusionProcessingTxt2Img(prompt=prompt, seed=3)
        a1111_host.generate(runner, p, _args(runner, enabled=True, persona="kenji-osaka.json", taste_clauses=n))
        assert not runner.errors, runner.errors
        texts[n] = p.all_prompts[0]
    assert texts[1].startswith(prompt) and texts[1][len(prompt):].count(", ") == 1, texts
    assert texts[3].startswith(texts[1]) and len(texts[3]) > len(texts[1]), texts


def test_hires_prompts_are_rewritten_too(runner: a1111_host.Runner) -> None:
    p = StableDiffusionProcessingTxt2Img(prompt="a tram", enable_hr=True, hr_prompt="", seed=1, batch_size=2)
    a1111_host.generate(runner, p, _args(runner, enabled=True, persona="kenji-osaka.json"))
    assert p.all_hr_prompts == p.all_prompts and p.all_prompts[0] != "a tram"
    assert "ZIPP original hires prompt" not in p.extra_generation_params

    p = StableDiffusionProcessingTxt2Img(prompt="a tram", enable_hr=True, hr_prompt="a tram, detailed", seed=1)
    a1111_host.generate(runner, p, _args(runner, enabled=True, persona="kenji-osaka.json"))
    assert p.all_hr_prompts[0].startswith("a tram, detailed") and p.all_hr_prompts[0] != "a tram, detailed"
    assert p.extra_generation_params["ZIPP original hires prompt"] == "a tram, detailed"


def test_seed_policy(runner: a1111_host.Runner, openai_server: OpenAIServer, no_api_key: None) -> None:
    base = dict(enabled=True, persona="kenji-osaka.json", backend="openai", base_url=openai_server.base_url,
                model="test-model")
    # The test server answers about a cat: prompts about a cat pass the guards at the first try.
    p = StableDiffusionProcessingTxt2Img(prompt="a cat", seed=1234, batch_size=3)
    a1111_host.generate(runner, p, _args(runner, **base))
    assert [r.body["seed"] for r in openai_server.requests] == [1234]
    p = StableDiffusionProcessingTxt2Img(prompt="a cat in the window", seed=1234)
    a1111_host.generate(runner, p, _args(runner, **base, seed_policy="fixed seed", fixed_seed=99))
    assert openai_server.requests[-1].body["seed"] == 99


def test_openai_backend_with_key_from_environment(runner: a1111_host.Runner, openai_server: OpenAIServer,
                                                  monkeypatch: pytest.MonkeyPatch, no_api_key: None) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-a1111-secret")
    openai_server.replies.append(Reply(200, completion("a tram in falling snow, muted film")))
    p = StableDiffusionProcessingTxt2Img(prompt="a tram", seed=8)
    infotexts = a1111_host.generate(runner, p, _args(runner, enabled=True, persona="kenji-osaka.json",
                                                     backend="openai", base_url=openai_server.base_url,
                                                     model="test-model", k=2, word_budget=40))
    assert p.all_prompts == ["a tram in falling snow, muted film"]
    assert openai_server.requests[0].headers["Authorization"] == "Bearer sk-a1111-secret"
    assert p.extra_generation_params["ZIPP backend"] == "openai test-model"
    assert "sk-a1111-secret" not in infotexts[0]


def test_backend_failure_keeps_the_prompt_and_records_the_error(runner: a1111_host.Runner,
                                                                no_api_key: None) -> None:
    p = StableDiffusionProcessingTxt2Img(prompt="a lighthouse", seed=2)
    infotexts = a1111_host.generate(runner, p, _args(runner, enabled=True, persona="kenji-osaka.json",
                                                     backend="openai", base_url=refused_url(), model="m"))
    assert p.all_prompts == ["a lighthouse"]
    assert "ZIPP_STATUS_CONNECTION" in p.extra_generation_params["ZIPP error"]
    assert "ZIPP error:" in infotexts[0]
    assert not runner.errors


def test_unknown_persona_and_bad_settings_do_not_break_generation(runner: a1111_host.Runner,
                                                                  no_api_key: None) -> None:
    p = StableDiffusionProcessingTxt2Img(prompt="a lighthouse", seed=2)
    a1111_host.generate(runner, p, _args(runner, enabled=True, persona="../../etc/passwd"))
    assert p.all_prompts == ["a lighthouse"]
    assert "not found" in p.extra_generation_params["ZIPP error"]
    p = StableDiffusionProcessingTxt2Img(prompt="a lighthouse", seed=2)
    a1111_host.generate(runner, p, _args(runner, enabled=True, persona="kenji-osaka.json", backend="openai",
                                         base_url="http://127.0.0.1:1/v1", model=""))
    assert p.all_prompts == ["a lighthouse"]
    assert "ZIPP_STATUS_INVALID_CONFIG" in p.extra_generation_params["ZIPP error"]
    assert not runner.errors


def test_img2img_tab_builds_its_own_ids(models_path: Path) -> None:
    classes = a1111_host.load_scripts(Path(__file__).resolve().parents[1])
    tab = a1111_host.Runner(is_img2img=True)
    script = tab.add(classes[0], "zipp_persona.py")
    assert script.controls[0].kwargs["elem_id"] == "script_img2img_zipp_persona_enabled"
