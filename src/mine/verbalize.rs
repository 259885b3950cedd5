//! Verbalization: a user's evidence becomes a persona document, either composed from the
//! evidence's most distinctive words (no model) or written by a text backend as JSON, validated
//! against the persona schema, retried once with the problem named, and never written
//! half-formed.

use std::collections::HashMap;

use crate::error::{Result, ZippError};
use crate::llm::{ChatMessage, GenerationRequest, Role, SamplingParams, TextBackend};
use crate::mine::graph::Graph;
use crate::persona::{Evidence, Persona, PersonaDocument, Provenance};
use crate::text::words::{is_stop_word, words};

/// Document frequency of words over users' snippets, for picking distinctive words.
#[derive(Debug, Default)]
pub struct WordStats {
    users: f32,
    df: HashMap<String, u32>,
}

impl WordStats {
    /// Counts, for every word, how many users' snippets contain it.
    pub fn from_graph(graph: &Graph) -> Self {
        let mut df: HashMap<String, u32> = HashMap::new();
        let mut seen = std::collections::HashSet::new();
        for u in 0..graph.users() {
            seen.clear();
            for s in graph.user_snippets(u) {
                for w in words(s.text) {
                    if seen.insert(w.clone()) {
                        *df.entry(w).or_insert(0) += 1;
                    }
                }
            }
        }
        Self {
            users: graph.users() as f32,
            df,
        }
    }

    fn idf(&self, word: &str) -> f32 {
        let d = self.df.get(word).copied().unwrap_or(0) as f32;
        ((1.0 + self.users) / (1.0 + d)).ln()
    }

    /// The `k` most distinctive words of the evidence: salience-weighted counts times inverse
    /// user frequency, stop words and words most users write left out.
    pub fn distinctive(&self, evidence: &[Evidence], k: usize) -> Vec<String> {
        let mut score: HashMap<String, f32> = HashMap::new();
        for e in evidence {
            for s in &e.snippets {
                for w in words(s) {
                    if w.chars().count() < 3
                        || is_stop_word(&w)
                        || w.chars().all(|c| c.is_ascii_digit())
                    {
                        continue;
                    }
                    *score.entry(w).or_insert(0.0) += e.salience as f32 + 0.05;
                }
            }
        }
        let mut ranked: Vec<(String, f32)> = score
            .into_iter()
            .map(|(w, s)| {
                let idf = self.idf(&w);
                (w, s * idf)
            })
            .filter(|(_, s)| *s > 0.0)
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        ranked.into_iter().take(k).map(|(w, _)| w).collect()
    }
}

/// Longest persona id (the schema's limit).
const MAX_ID: usize = 64;

/// A persona id (and file name) from a user name, unique per name: the name itself when it is
/// already a valid id (ASCII letters, digits, `.`, `_` and `-`, starting with a letter or digit,
/// at most 64 characters), else its valid characters (others become `_`, at most 55) and `-`
/// with eight hex digits of a hash of the whole name, so that "a b", "a_b" and "a/b", two long
/// names with the same start, or two names in another script never share a file. The name
/// itself, in any script, is kept in the persona's `name`.
pub fn persona_id(user: &str) -> String {
    let valid = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    let hashed_shape = |s: &str| {
        s.rsplit_once('-')
            .is_some_and(|(_, h)| h.len() == 8 && h.chars().all(|c| c.is_ascii_hexdigit()))
    };
    let as_is = !user.is_empty()
        && user.len() <= MAX_ID
        && user
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && user.chars().all(valid)
        && !hashed_shape(user);
    if as_is {
        return user.to_string();
    }
    let cleaned: String = user
        .chars()
        .map(|c| if valid(c) { c } else { '_' })
        .collect();
    let stem: String = cleaned
        .trim_start_matches(|c: char| !c.is_ascii_alphanumeric())
        .chars()
        .take(MAX_ID - 9)
        .collect();
    let hash = crate::rng::str_seed(0, user) as u32;
    if stem.is_empty() {
        format!("u-{hash:08x}")
    } else {
        format!("{stem}-{hash:08x}")
    }
}

fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [a] => a.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn provenance(generator: &str) -> Provenance {
    Provenance {
        source: Some("mined".into()),
        generator: Some(format!(
            "libzipp {} ({generator})",
            env!("CARGO_PKG_VERSION")
        )),
        notes: Some(
            "communities ranked by GATv2 layer-2 attention; evidence under a token budget".into(),
        ),
        ..Default::default()
    }
}

/// A persona document for `user` with `text`, interests from the most salient communities and
/// aesthetics from the evidence's most distinctive words.
fn document(
    user: &str,
    text: String,
    evidence: Vec<Evidence>,
    stats: &WordStats,
    generator: &str,
) -> Result<Persona> {
    let mut doc = PersonaDocument::with_text(text);
    doc.id = Some(persona_id(user));
    doc.name = Some(user.to_string());
    doc.traits.interests = evidence
        .iter()
        .take(5)
        .map(|e| e.community.clone())
        .collect();
    doc.traits.aesthetics = stats.distinctive(&evidence, 6);
    doc.evidence = evidence;
    doc.provenance = Some(provenance(generator));
    Persona::new(doc)
}

/// Composes a persona without a model: the text names the most salient communities and the
/// evidence's most distinctive words.
pub fn compose(user: &str, evidence: Vec<Evidence>, stats: &WordStats) -> Result<Persona> {
    let communities: Vec<String> = evidence
        .iter()
        .take(5)
        .map(|e| e.community.clone())
        .collect();
    let vocabulary = stats.distinctive(&evidence, 6);
    let mut text = if communities.is_empty() {
        "I keep to myself online.".to_string()
    } else {
        format!("I spend most of my time online in {}.", list(&communities))
    };
    if !vocabulary.is_empty() {
        text.push_str(&format!(
            " What I write there keeps coming back to {}.",
            list(&vocabulary)
        ));
    }
    document(user, text, evidence, stats, "rules verbalizer")
}

const INSTRUCTION: &str = "You describe people for an image-personalization system. From the \
communities a person is active in (with how much they matter to them) and what they wrote \
there, write three to five sentences as that person, starting with I: who they are, what they \
care about and the pictures they like, with the colours, light and motifs of their words. Base \
every claim on the evidence. Answer with the sentences only.";

/// Problems of an answer that parses: not in the first person, or the instruction's own wording
/// copied into a field (small models fill the template with its description).
fn answer_problem(text: &str, lists: &[&[String]]) -> Option<String> {
    let lower = |s: &str| words(s).collect::<Vec<_>>();
    let first_person = lower(text)
        .iter()
        .any(|w| matches!(w.as_str(), "i" | "my" | "me" | "i'm" | "im"));
    if !first_person {
        return Some("\"text\" is not written in the first person (as I)".into());
    }
    let instruction = lower(INSTRUCTION);
    let grams: std::collections::HashSet<&[String]> = instruction.windows(4).collect();
    let copies = |s: &str| lower(s).windows(4).any(|w| grams.contains(w));
    let items = lists.iter().flat_map(|l| l.iter());
    if copies(text) || items.clone().any(|i| copies(i)) {
        return Some("it copies the instruction's wording instead of describing the person".into());
    }
    if items.clone().any(|i| {
        lower(i)
            .iter()
            .any(|w| matches!(w.as_str(), "colours" | "motifs"))
            && lower(i).len() > 3
    }) {
        return Some("an aesthetics entry repeats the instruction's list of kinds".into());
    }
    None
}

fn evidence_message(evidence: &[Evidence]) -> String {
    let mut m = String::from("Evidence, most salient first:\n");
    for e in evidence {
        m.push_str(&format!("- {} (salience {:.2})\n", e.community, e.salience));
        for s in &e.snippets {
            m.push_str(&format!("  * {}\n", s.replace('\n', " ")));
        }
    }
    m
}

/// The persona text in the model's answer, or what is wrong with it.
fn parse_answer(answer: &str) -> std::result::Result<String, String> {
    let text = answer.trim().trim_matches('"').trim();
    if text.contains('{') {
        return Err("answer with plain sentences, not JSON".into());
    }
    if text.split_whitespace().count() < 8 {
        return Err("the answer is shorter than one full sentence".into());
    }
    let lower = text.to_lowercase();
    if [
        "an ai",
        "language model",
        "i cannot",
        "i can't",
        "as a person who",
        "assist",
    ]
    .iter()
    .any(|p| lower.contains(p))
    {
        return Err("the answer speaks as an assistant, not as the person".into());
    }
    if text.lines().any(|l| {
        l.trim_start()
            .starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '*')
    }) {
        return Err("the answer is a list, not three to five sentences".into());
    }
    match answer_problem(text, &[]) {
        Some(problem) => Err(problem),
        None => Ok(text.to_string()),
    }
}

/// Asks `backend` to write the persona's text (traits come from the evidence); an answer that is
/// not usable is retried once with the problem named and another seed, then reported as an
/// error.
pub fn with_backend(
    backend: &dyn TextBackend,
    user: &str,
    evidence: Vec<Evidence>,
    stats: &WordStats,
    seed: u64,
    cancel: Option<&std::sync::atomic::AtomicBool>,
) -> Result<Persona> {
    let mut messages = vec![
        ChatMessage::new(Role::System, INSTRUCTION),
        ChatMessage::new(Role::User, evidence_message(&evidence)),
    ];
    let mut last_problem = String::new();
    for attempt in 0..2u64 {
        let params = SamplingParams {
            seed: seed.wrapping_add(attempt * 7919),
            temperature: if attempt == 0 { 0.3 } else { 0.7 },
            max_new_tokens: 400,
            ..SamplingParams::default()
        };
        let request = GenerationRequest {
            messages: &messages,
            params: &params,
            cancel,
            on_token: None,
        };
        let answer = backend.generate(&request)?.text;
        let problem = match parse_answer(&answer) {
            Ok(text) => {
                let generator = format!("{} verbalizer, model {}", backend.kind(), backend.model());
                match document(user, text, evidence.clone(), stats, &generator) {
                    Ok(p) => return Ok(p),
                    Err(e) => e.to_string(),
                }
            }
            Err(p) => p,
        };
        messages.push(ChatMessage::new(Role::Assistant, answer));
        messages.push(ChatMessage::new(
            Role::User,
            format!("That answer cannot be used: {problem}. Answer again with only the sentences."),
        ));
        last_problem = problem;
    }
    Err(ZippError::BadResponse {
        message: format!("persona for {user}: the model's answer was not a valid persona twice; last problem: {last_problem}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::Generation;
    use std::sync::Mutex;

    struct Scripted(Mutex<Vec<&'static str>>);

    impl TextBackend for Scripted {
        fn kind(&self) -> &'static str {
            "scripted"
        }
        fn model(&self) -> &str {
            "test"
        }
        fn generate(&self, _: &GenerationRequest<'_>) -> Result<Generation> {
            let text = self
                .0
                .lock()
                .map_err(|_| ZippError::Cancelled)?
                .remove(0)
                .to_string();
            Ok(Generation {
                text,
                ..Default::default()
            })
        }
    }

    fn evidence() -> Vec<Evidence> {
        vec![Evidence {
            community: "analog".into(),
            salience: 0.7,
            snippets: vec!["grainy film at dusk".into()],
        }]
    }

    const GOOD: &str = "I shoot film on weekends and love grainy dusk light over quiet streets.";

    fn stats() -> WordStats {
        WordStats {
            users: 100.0,
            df: [
                ("grainy".to_string(), 2),
                ("film".to_string(), 90),
                ("dusk".to_string(), 50),
            ]
            .into(),
        }
    }

    #[test]
    fn persona_ids_are_unique_valid_and_keep_plain_names() {
        assert_eq!(persona_id("kenji_osaka"), "kenji_osaka");
        let names = [
            "a b".to_string(),
            "a_b".to_string(),
            "a/b".to_string(),
            "ユーザー".to_string(),
            "ユーザ".to_string(),
            "..".to_string(),
            "x".repeat(70),
            format!("{}y", "x".repeat(70)),
            "a_b-0123abcd".to_string(),
        ];
        let ids: std::collections::BTreeSet<String> = names.iter().map(|n| persona_id(n)).collect();
        assert_eq!(ids.len(), names.len(), "{ids:?}");
        for (name, id) in names.iter().zip(names.iter().map(|n| persona_id(n))) {
            let doc = PersonaDocument {
                id: Some(id.clone()),
                name: Some(name.clone()),
                ..PersonaDocument::with_text("I post.")
            };
            let p = Persona::new(doc).unwrap_or_else(|e| panic!("{name:?} -> {id}: {e}"));
            assert_eq!(p.document().name.as_deref(), Some(name.as_str()));
            assert!(id.len() <= 64, "{id}");
        }
    }

    #[test]
    fn a_bad_answer_is_retried_once_then_reported() {
        let b = Scripted(Mutex::new(vec!["{\"text\": \"x\"}", GOOD]));
        let p = with_backend(&b, "kodak fan", evidence(), &stats(), 1, None).unwrap();
        assert_eq!(p.document().text, GOOD);
        assert_eq!(p.document().traits.aesthetics[0], "grainy");
        let id = p.document().id.clone().unwrap_or_default();
        assert!(id.starts_with("kodak_fan-") && id.len() == 18, "{id}");
        assert_eq!(p.document().name.as_deref(), Some("kodak fan"));
        assert_eq!(p.document().evidence.len(), 1);
        let b = Scripted(Mutex::new(vec![
            "Too short.",
            "She shoots film and loves grainy dusk light over quiet streets.",
        ]));
        let err = with_backend(&b, "u", evidence(), &stats(), 1, None).unwrap_err();
        assert!(
            err.to_string().contains("not a valid persona twice"),
            "{err}"
        );
    }

    #[test]
    fn answers_that_fill_the_template_with_its_description_are_retried() {
        let parrot = "I write three to five sentences as that person, starting with I.";
        assert!(parse_answer(parrot)
            .unwrap_err()
            .contains("copies the instruction"));
        let third = "She shoots film and loves grainy dusk light over quiet streets.";
        assert!(parse_answer(third).unwrap_err().contains("first person"));
        let b = Scripted(Mutex::new(vec![parrot, GOOD]));
        assert!(with_backend(&b, "u", evidence(), &stats(), 1, None).is_ok());
        let assistant =
            "I am an AI designed to assist with image tasks, so I cannot describe people.";
        assert!(parse_answer(assistant).unwrap_err().contains("assistant"));
        let listed = "I like these things about pictures:\n1. Light\n2. Colour and more colour";
        assert!(parse_answer(listed).unwrap_err().contains("list"));
    }

    #[test]
    fn composition_names_distinctive_words() {
        let p = compose("u1", evidence(), &stats()).unwrap();
        assert_eq!(p.document().traits.aesthetics[0], "grainy");
        assert!(p
            .document()
            .text
            .starts_with("I spend most of my time online in analog."));
    }
}
