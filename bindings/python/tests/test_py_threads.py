"""One Rewriter and one Persona shared by four threads."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import libzipp
from openai_server import OpenAIServer


def test_rules_rewriter_from_four_threads(kenji: libzipp.Persona, rules: libzipp.Rewriter) -> None:
    prompts = [f"a lighthouse number {i}" for i in range(40)]
    expected = {p: rules.rewrite_text(kenji, p, {"seed": 9, "cache": False}) for p in prompts}

    def work(prompt: str) -> tuple[str, str]:
        return prompt, rules.rewrite(kenji, prompt, {"seed": 9, "cache": False}).rewrite

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(work, prompts * 3))
    assert len(results) == 120
    for prompt, text in results:
        assert text == expected[prompt]


def test_openai_rewriter_from_four_threads(kenji: libzipp.Persona, openai_server: OpenAIServer) -> None:
    with libzipp.Rewriter(openai_server.config()) as rewriter:
        def work(i: int) -> libzipp.RewriteResult:
            return rewriter.rewrite(kenji, f"a cat {i}", {"seed": i})

        with ThreadPoolExecutor(max_workers=4) as pool:
            results = list(pool.map(work, range(16)))
    assert all(r.rewrite == "a cat in soft window light, server rewrite" for r in results)
    assert sorted(r.seed for r in results) == list(range(16))
    assert len(openai_server.requests) == 16


def test_errors_stay_on_their_thread(kenji: libzipp.Persona, rules: libzipp.Rewriter) -> None:
    def work(i: int) -> str:
        try:
            if i % 2:
                rules.rewrite(kenji, "a cat", {"k": 9})
            else:
                rules.rewrite(kenji, None)  # type: ignore[arg-type]
        except libzipp.ZippError as error:
            return type(error).__name__ + ":" + error.message
        return "no error"

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(work, range(40)))
    for i, outcome in enumerate(outcomes):
        if i % 2:
            assert outcome.startswith("InvalidOptionsError:") and "k" in outcome
        else:
            assert outcome == "NullPointerError:argument `prompt` is NULL"
