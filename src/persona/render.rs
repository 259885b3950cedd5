//! Rendering a persona as the "who you are" block of a role-play instruction.

use super::Persona;

/// The persona in the first person, followed by its traits, as the model should role-play it.
pub fn role_play(persona: &Persona) -> String {
    let doc = persona.document();
    let mut out = doc.text.trim().to_string();
    let t = &doc.traits;
    let mut line = |label: &str, items: &[String]| {
        if !items.is_empty() {
            out.push_str(&format!("\n{label}: {}.", items.join(", ")));
        }
    };
    line("What I care about", &t.interests);
    line("What I love to look at", &t.aesthetics);
    line("My temperament", &t.affect);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::persona::PersonaDocument;

    #[test]
    fn traits_follow_the_text() {
        let mut doc = PersonaDocument::with_text("I fish off Lofoten.");
        doc.traits.aesthetics = vec!["grey seas".into(), "woodcut prints".into()];
        let p = Persona::new(doc).unwrap();
        assert_eq!(
            role_play(&p),
            "I fish off Lofoten.\nWhat I love to look at: grey seas, woodcut prints."
        );
    }
}
