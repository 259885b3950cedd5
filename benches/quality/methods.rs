//! The methods compared: no rewrite, a rewrite without the persona, the judge's own taste stated
//! as keywords (the ceiling of knowing the taste), a fixed keyword append of the inferred taste,
//! the paper's role-play done plainly, and libzipp's methods (roleplay, taste, compose).

use zipp::llm::{ChatMessage, GenerationRequest, Role, TextBackend};
use zipp::rewrite::{clean_output, Method};
use zipp::{Persona, RewriteOptions, Rewriter};

/// One rewrite and the path that produced it.
pub struct Output {
    pub text: String,
    /// "first", "retry", "fallback" or "unguarded" for the pipeline; "-" otherwise.
    pub path: String,
    /// The pipeline's notes (what the guards found, what was repaired); empty otherwise.
    pub notes: Vec<String>,
}

/// What a method needs: the persona, the prompt, and the shared options; `judge_taste` only for
/// the oracle.
pub struct Call<'a> {
    pub persona: &'a Persona,
    pub prompt: &'a str,
    pub options: &'a RewriteOptions,
    pub judge_taste: &'a str,
}

fn plain(text: String) -> Output {
    Output {
        text,
        path: "-".into(),
        notes: Vec::new(),
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

/// The judge's taste description cut to its phrases (its dislikes left out) and appended to
/// every prompt, as users who state their likes would: the ceiling of knowing the taste.
pub fn stated_keywords(call: &Call) -> Output {
    let mut text = call.prompt.trim().to_string();
    for sentence in call.judge_taste.split(". ") {
        if sentence.trim_start().starts_with("Dislikes") {
            continue;
        }
        for phrase in sentence.split([',', ':', ';']) {
            let phrase = phrase.trim().trim_end_matches('.').trim();
            if !phrase.is_empty() {
                text.push_str(", ");
                text.push_str(&phrase.to_lowercase());
            }
        }
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

/// The paper's method done plainly: the persona in the first person as the role-play system
/// message, "rewrite this prompt the way you would want the picture", with no taste step, no
/// k-shots and no guards.
pub fn plain_role_play(backend: &dyn TextBackend, call: &Call) -> Result<Output, String> {
    generate(
        backend,
        call,
        format!(
            "{}\n\nYou are the person above. Rewrite the user's image prompt the way you would \
             want the picture. Reply with the rewritten prompt only.",
            zipp::persona::role_play(call.persona)
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
        notes: out.notes,
    })
}

/// libzipp's rewriter with the shared options and `method`.
pub fn pipeline(rewriter: &Rewriter, call: &Call, method: Method) -> Result<Output, String> {
    let options = RewriteOptions {
        method,
        ..call.options.clone()
    };
    let r = rewriter
        .rewrite(call.persona, call.prompt, &options)
        .map_err(|e| e.to_string())?;
    Ok(Output {
        text: r.rewrite,
        path: r.guard,
        notes: r.notes,
    })
}
