//! Choosing the facet that fits a prompt's subject.

use crate::persona::{Facet, Persona};
use crate::text::subject::{first_match, fit};
use crate::text::words::words;

/// Facet contexts that apply to anything, used when no facet fits the subject.
const CATCH_ALL: &[&str] = &[
    "anything",
    "everything",
    "general",
    "default",
    "other",
    "otherwise",
    "all",
];

/// The facet whose context fits `prompt` best; on ties, the one about the subject the prompt
/// names first ("a street with people" is a street scene), then the first listed; a catch-all
/// facet ("anything else", "general") when none fits; `None` when neither exists.
pub fn choose_facet<'p>(persona: &'p Persona, prompt: &str) -> Option<&'p Facet> {
    let facets = &persona.document().facets;
    let mut best: Option<((u32, std::cmp::Reverse<usize>), &Facet)> = None;
    for f in facets {
        let score = fit(prompt, &f.context);
        if score == 0 {
            continue;
        }
        let key = (
            score,
            std::cmp::Reverse(first_match(prompt, &f.context).unwrap_or(usize::MAX)),
        );
        if best.is_none_or(|(k, _)| key > k) {
            best = Some((key, f));
        }
    }
    best.map(|(_, f)| f).or_else(|| {
        facets
            .iter()
            .find(|f| words(&f.context).any(|w| CATCH_ALL.contains(&w.as_str())))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::persona::PersonaDocument;

    fn persona() -> Persona {
        let mut doc = PersonaDocument::with_text("I shoot film.");
        doc.facets = vec![
            Facet {
                context: "portraits and people".into(),
                style: "muted nostalgic film tones".into(),
            },
            Facet {
                context: "street and city scenes at night".into(),
                style: "saturated neon".into(),
            },
            Facet {
                context: "anything else".into(),
                style: "soft natural light".into(),
            },
        ];
        Persona::new(doc).unwrap()
    }

    #[test]
    fn context_decides() {
        let p = persona();
        assert_eq!(
            choose_facet(&p, "portrait of my grandmother")
                .unwrap()
                .style,
            "muted nostalgic film tones"
        );
        assert_eq!(
            choose_facet(&p, "a rainy alley in Tokyo").unwrap().style,
            "saturated neon"
        );
        assert_eq!(
            choose_facet(&p, "a bowl of ramen").unwrap().style,
            "soft natural light"
        );
    }

    #[test]
    fn on_a_tie_the_subject_named_first_decides() {
        let p = persona();
        assert_eq!(
            choose_facet(&p, "a rainy street with people under umbrellas")
                .unwrap()
                .style,
            "saturated neon"
        );
        assert_eq!(
            choose_facet(&p, "people waiting on a street corner")
                .unwrap()
                .style,
            "muted nostalgic film tones"
        );
    }

    #[test]
    fn no_facets_no_choice() {
        let p = Persona::from_text("I shoot film.").unwrap();
        assert!(choose_facet(&p, "a cat").is_none());
    }
}
