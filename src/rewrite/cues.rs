//! The persona's taste clauses for one prompt: the cue picker behind the `taste` and `compose`
//! methods.
//!
//! One clause of the facet chosen for the subject, then the aesthetics that fit the subject
//! lexically (ties broken by the seed and the prompt, so that different seeds and different
//! prompts get different but repeatable picks), then one affect as the mood.

use std::collections::BTreeSet;

use crate::persona::{Facet, Persona};
use crate::rng::{mix, str_seed, unit_of};
use crate::text::subject::{categories, fit};
use crate::text::words::content_words;

/// Comma-separated clauses of `text`, trimmed, empty ones dropped.
fn clauses(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split([',', ';'])
        .map(|c| c.trim().trim_end_matches('.').trim())
        .filter(|c| !c.is_empty())
        .map(str::to_string)
}

/// Whether an aesthetic says which subjects it is for and the prompt is of another kind
/// ("muted film tones for portraits" does not belong on a street scene).
fn meant_for_other_subjects(prompt: &str, aesthetic: &str) -> bool {
    let lower = aesthetic.to_lowercase();
    let Some((_, target)) = lower.split_once(" for ") else {
        return false;
    };
    let own = categories(target);
    !own.is_empty() && own.is_disjoint(&categories(prompt))
}

/// Taste clauses added to a prompt at most, mood included: few enough that the subject stays
/// what the picture is about and one persona's pictures do not all read alike.
pub const MAX_CUES: usize = 3;
/// Clauses of the chosen facet's style used at most (the facet fits the subject; the rest of
/// the persona's pool adds variety).
const FACET_CLAUSES: usize = 1;

/// The persona's taste clauses for `prompt`: one of the facet's style clauses, then the
/// aesthetics that fit the subject, then one affect (the mood, as its bare word), at most
/// [`MAX_CUES`] in all, of which the first `max` are kept (the strongest first). Among
/// equally fitting clauses the pick depends on the seed and on the prompt, so that one persona's
/// pictures do not all get the same words. Clauses that only repeat words already there are
/// skipped.
pub fn cues(
    persona: &Persona,
    prompt: &str,
    facet: Option<&Facet>,
    seed: u64,
    max: usize,
) -> Vec<String> {
    let doc = persona.document();
    let key = mix(seed, str_seed(0, prompt));
    // Among equally fitting items, a draw weighted towards the front of the list (the most
    // personal items come first): weight 1 / (1 + i / 4), ordered by u^(1 / weight).
    let rank = |items: Vec<String>| -> Vec<String> {
        let mut ranked: Vec<(u32, f64, String)> = items
            .into_iter()
            .enumerate()
            .map(|(i, a)| {
                let u = unit_of(mix(key, i as u64));
                let weight = 1.0 / (1.0 + i as f64 / 4.0);
                (fit(prompt, &a), u.powf(1.0 / weight), a)
            })
            .collect();
        ranked.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.total_cmp(&a.1)));
        ranked.into_iter().map(|(_, _, a)| a).collect()
    };
    let mut candidates: Vec<String> = Vec::new();
    if let Some(facet) = facet {
        candidates.extend(
            rank(clauses(&facet.style).collect())
                .into_iter()
                .take(FACET_CLAUSES),
        );
    }
    candidates.extend(rank(
        doc.traits
            .aesthetics
            .iter()
            .filter(|a| !meant_for_other_subjects(prompt, a))
            .cloned()
            .collect(),
    ));
    let mut seen: BTreeSet<String> = content_words(prompt).into_iter().collect();
    let mut out = Vec::new();
    let room = MAX_CUES - usize::from(!doc.traits.affect.is_empty());
    for clause in candidates {
        if out.len() >= room {
            break;
        }
        let words: BTreeSet<String> = content_words(&clause).into_iter().collect();
        // A clause most of whose words are already there would mostly repeat them, and one that
        // holds a chosen clause or is held by one ("crowds" and "crowds, turntables and raised
        // hands") would repeat it outright.
        let lower = clause.to_lowercase();
        let nested = out.iter().any(|o: &String| {
            let o = o.to_lowercase();
            lower.contains(&o) || o.contains(&lower)
        });
        if words.is_empty() || nested || 2 * words.intersection(&seen).count() > words.len() {
            continue;
        }
        seen.extend(words);
        out.push(clause);
    }
    if !doc.traits.affect.is_empty() && out.len() < MAX_CUES {
        let i = (mix(key, u64::MAX) % doc.traits.affect.len() as u64) as usize;
        out.push(doc.traits.affect[i].trim().to_string());
    }
    out.truncate(max);
    out
}
