//! The judge: all-MiniLM-L6-v2 sentence embeddings and word counts, computed the same way for
//! every method. Nothing here is shared with the rewriter (its own word splitting, its own
//! repetition and copy checks).

use zipp::sentence::SentenceEncoder;

use crate::data::{BenchPersona, BenchPrompt};

/// The scores of one method.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Scores {
    pub method: String,
    /// Similarity to the persona's own taste description minus the mean over the others'.
    pub taste_alignment: f64,
    /// Similarity to the original prompt.
    pub prompt_similarity: f64,
    /// Mean fraction of the prompt's subject nouns kept.
    pub subjects_kept: f64,
    /// Share of rewrites that keep every subject noun.
    pub all_subjects_kept: f64,
    /// Mean pairwise cosine distance between one persona's rewrites, averaged over personas.
    pub diversity: f64,
    /// Mean words per rewrite.
    pub words: f64,
    /// Share of rewrites produced by the guard's retry.
    pub retried: f64,
    /// Share of rewrites produced by the deterministic fallback.
    pub fallback: f64,
    /// Rewrites with a 3-word phrase that occurs twice.
    pub repeated_phrases: usize,
    /// Rewrites with five consecutive words of the persona's own text.
    pub copied_biography: usize,
    /// Rewrites scored.
    pub n: usize,
}

/// Lower-case words (letters and digits).
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Whether `noun` (one or more words) occurs in `text_words`, singular or plural.
pub fn keeps(text_words: &[String], noun: &str) -> bool {
    const IRREGULAR: [(&str, &str); 5] = [
        ("children", "child"),
        ("people", "person"),
        ("men", "man"),
        ("women", "woman"),
        ("feet", "foot"),
    ];
    let stem = |w: &str| -> String {
        if let Some((_, one)) = IRREGULAR.iter().find(|(many, _)| *many == w) {
            return (*one).to_string();
        }
        let w = w
            .strip_suffix("es")
            .filter(|s| s.ends_with(['s', 'x', 'h']))
            .unwrap_or(w);
        w.strip_suffix('s').unwrap_or(w).to_string()
    };
    let n: Vec<String> = words(noun).iter().map(|w| stem(w)).collect();
    n.is_empty()
        || text_words
            .windows(n.len())
            .any(|win| win.iter().zip(&n).all(|(a, b)| stem(a) == *b))
}

/// Whether some 3-word phrase occurs twice.
pub fn repeats_phrase(text: &str) -> bool {
    let w = words(text);
    let mut seen = std::collections::HashSet::new();
    w.windows(3).any(|t| !seen.insert(t.to_vec()))
}

/// Whether five consecutive words of `bio` occur in `text`.
pub fn copies_biography(text: &str, bio: &str) -> bool {
    let t = words(text);
    let b = words(bio);
    b.windows(5).any(|s| t.windows(5).any(|u| u == s))
}

fn dot(a: &[f32], b: &[f32]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| f64::from(*x) * f64::from(*y))
        .sum()
}

/// One method's rewrites: `rewrites[p][q]` for persona `p` and prompt `q`, with their paths.
pub struct MethodRun<'a> {
    pub method: &'a str,
    pub rewrites: &'a [Vec<(String, String)>],
}

/// Scores a method. `tastes[p]` and `bios[p]` are persona `p`'s judge taste and own text,
/// `prompts[q]` and `subjects[q]` prompt `q` and its nouns.
pub fn score(
    enc: &SentenceEncoder,
    run: &MethodRun,
    personas: &[BenchPersona],
    prompts: &[BenchPrompt],
) -> Result<Scores, String> {
    let emb = |t: Vec<&str>| enc.embed(&t).map_err(|e| e.to_string());
    let taste_e = emb(personas.iter().map(|p| p.judge_taste.as_str()).collect())?;
    let prompt_e = emb(prompts.iter().map(|q| q.prompt.as_str()).collect())?;
    let (np, nq) = (run.rewrites.len(), prompts.len());
    let mut s = Scores {
        method: run.method.to_string(),
        taste_alignment: 0.0,
        prompt_similarity: 0.0,
        subjects_kept: 0.0,
        all_subjects_kept: 0.0,
        diversity: 0.0,
        words: 0.0,
        retried: 0.0,
        fallback: 0.0,
        repeated_phrases: 0,
        copied_biography: 0,
        n: np * nq,
    };
    for (p, row) in run.rewrites.iter().enumerate() {
        let e = emb(row.iter().map(|(t, _)| t.as_str()).collect())?;
        for (q, ((text, path), v)) in row.iter().zip(&e).enumerate() {
            let own = dot(v, &taste_e[p]);
            let others: f64 = (0..taste_e.len())
                .filter(|o| *o != p)
                .map(|o| dot(v, &taste_e[o]))
                .sum::<f64>()
                / (taste_e.len() - 1).max(1) as f64;
            s.taste_alignment += own - others;
            s.prompt_similarity += dot(v, &prompt_e[q]);
            let w = words(text);
            let subjects = &prompts[q].subjects;
            let kept = subjects.iter().filter(|n| keeps(&w, n)).count();
            s.subjects_kept += kept as f64 / subjects.len().max(1) as f64;
            s.all_subjects_kept += f64::from(u8::from(kept == subjects.len()));
            s.words += w.len() as f64;
            s.retried += f64::from(u8::from(path == "retry"));
            s.fallback += f64::from(u8::from(path == "fallback"));
            s.repeated_phrases += usize::from(repeats_phrase(text));
            let bio = &personas[p].persona.document().text;
            s.copied_biography += usize::from(copies_biography(text, bio));
        }
        let mut pair_sum = 0.0;
        let mut pairs = 0usize;
        for a in 0..e.len() {
            for b in a + 1..e.len() {
                pair_sum += 1.0 - dot(&e[a], &e[b]);
                pairs += 1;
            }
        }
        s.diversity += pair_sum / pairs.max(1) as f64;
    }
    let n = s.n.max(1) as f64;
    s.taste_alignment /= n;
    s.prompt_similarity /= n;
    s.subjects_kept /= n;
    s.all_subjects_kept /= n;
    s.words /= n;
    s.retried /= n;
    s.fallback /= n;
    s.diversity /= np.max(1) as f64;
    Ok(s)
}
