//! The methods compared: no rewrite, a rewrite without the persona, a fixed keyword append, a
//! naive role-play instruction, and libzipp's full pipeline (with a model and with `rules`).

use zipp::llm::{ChatMessage, GenerationRequest, Role, TextBackend};
use zipp::rewrite::clean_output;
use zipp::{Persona, RewriteOptions, Rewriter};

/// One rewrite and the path that produced it.
pub struct Output {
    pub text: String,
    /// "first", "retry", "fallback" or "unguarded" for the pipeline; "-" otherwise.
    pub path: String,
}

/// What a method needs: the persona, the prompt, and the shared options.
pub struct Call<'a> {
    pub persona: &'a Persona,
    pub prompt: &'a str,
    pub options: &'a RewriteOptions,
}

fn plain(text: String) -> Output {
    Output {
        text,
        path: "-".into(),
    }
}

/// The prompt as given.
pub fn none(call: &Call) -> Output {
    plain(call.prompt.to_string())
}

/// The prompt with the first `n` of the persona's elicited aesthetics appended, the same ones
/// for every prompt (ViPer-style).
pub fn keywords(call: &Call, n: usize) -> Output {
    let taste = zipp::taste::elicit(call.persona);
    let mut text = call.prompt.trim().to_string();
    for k in taste.aesthetics().into_iter().take(n) {
        text.push_str(", ");
        text.push_str(&k);
    }
    plain(text)
}

fn generate(backend: &dyn TextBackend, call: &Call, system: String) -> Result<Output, String> {
    let messages = vec![
        ChatMessage::new(Role::System, system),
        ChatMessage::new(Role::User, call.prompt.to_string()),
    ];
    let o = call.options;
    let request = GenerationRequest::new(&messages, &o.sampling);
    let g = backend.generate(&request).map_err(|e| e.to_string())?;
    // The same formatting clean-up as the pipeline (quotes, preambles, labels, word budget), so
    // that only the instruction and the guards differ.
    let cleaned = clean_output(&g.text, o.word_budget);
    Ok(plain(if cleaned.text.is_empty() {
        call.prompt.to_string()
    } else {
        cleaned.text
    }))
}

/// A detail-adding rewrite that knows nothing of the persona.
pub fn no_persona(backend: &dyn TextBackend, call: &Call) -> Result<Output, String> {
    generate(
        backend,
        call,
        "Rewrite the user's prompt for an image generator, adding details of light, colour, \
         composition and mood. Reply with the rewritten prompt only."
            .into(),
    )
}

/// "You are this person; rewrite the prompt the way you would", with no taste step or guards.
pub fn naive(backend: &dyn TextBackend, call: &Call) -> Result<Output, String> {
    generate(
        backend,
        call,
        format!(
            "You are this person:\n\n{}\n\nRewrite the user's image prompt the way you would \
             want the picture. Reply with the rewritten prompt only.",
            call.persona.document().text.trim()
        ),
    )
}

/// A `rules` rewrite (the prompt, then its taste clauses) cut to its first `k` clauses.
pub fn first_clauses(out: Output, call: &Call, k: usize) -> Result<Output, String> {
    let prompt = call.prompt.trim();
    let rest = out.text.strip_prefix(prompt).ok_or_else(|| {
        format!(
            "the rules rewrite {:?} does not start with its prompt",
            out.text
        )
    })?;
    let kept: Vec<&str> = rest
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .take(k)
        .collect();
    let mut text = prompt.to_string();
    for clause in kept {
        text.push_str(", ");
        text.push_str(clause);
    }
    Ok(Output {
        text,
        path: out.path,
    })
}

/// libzipp's rewriter with its default options.
pub fn pipeline(rewriter: &Rewriter, call: &Call) -> Result<Output, String> {
    let r = rewriter
        .rewrite(call.persona, call.prompt, call.options)
        .map_err(|e| e.to_string())?;
    Ok(Output {
        text: r.rewrite,
        path: r.guard,
    })
}
