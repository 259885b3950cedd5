//! Splitting text on special tokens before it is tokenized, as llama.cpp does: longest tokens
//! first, every occurrence, control tokens only when the caller asks for them.

use memchr::memmem;

use super::TokenKind;

/// A piece of the input: text still to tokenize, or a token already decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fragment<'a> {
    /// Text to tokenize.
    Text(&'a str),
    /// A special token found in the text.
    Token(u32),
}

/// Control, user-defined and unknown tokens with non-empty text, longest first.
pub(super) fn special_tokens(tokens: &[String], kinds: &[TokenKind]) -> Vec<(String, u32)> {
    let mut out: Vec<(String, u32)> = tokens
        .iter()
        .zip(kinds)
        .enumerate()
        .filter(|(_, (text, kind))| {
            !text.is_empty()
                && matches!(
                    kind,
                    TokenKind::Control | TokenKind::UserDefined | TokenKind::Unknown
                )
        })
        .map(|(id, (text, _))| (text.clone(), id as u32))
        .collect();
    // Stable sort: equal lengths keep vocabulary order.
    out.sort_by_key(|t| std::cmp::Reverse(t.0.len()));
    out
}

/// Splits `text` on every special token; control and unknown tokens count only when
/// `parse_special` is set, user-defined ones always.
pub(super) fn partition<'a>(
    text: &'a str,
    specials: &[(String, u32)],
    kinds: &[TokenKind],
    parse_special: bool,
) -> Vec<Fragment<'a>> {
    let mut fragments = vec![Fragment::Text(text)];
    if text.is_empty() {
        return Vec::new();
    }
    for (special, id) in specials {
        let kind = kinds[*id as usize];
        if !parse_special && matches!(kind, TokenKind::Control | TokenKind::Unknown) {
            continue;
        }
        // Cheap rejection: no text fragment contains the token.
        let finder = memmem::Finder::new(special.as_bytes());
        if !fragments.iter().any(|f| match f {
            Fragment::Text(t) => finder.find(t.as_bytes()).is_some(),
            Fragment::Token(_) => false,
        }) {
            continue;
        }
        let mut next = Vec::with_capacity(fragments.len() + 2);
        for fragment in fragments {
            let Fragment::Text(mut rest) = fragment else {
                next.push(fragment);
                continue;
            };
            while let Some(at) = finder.find(rest.as_bytes()) {
                if at > 0 {
                    next.push(Fragment::Text(&rest[..at]));
                }
                next.push(Fragment::Token(*id));
                rest = &rest[at + special.len()..];
            }
            if !rest.is_empty() {
                next.push(Fragment::Text(rest));
            }
        }
        fragments = next;
    }
    fragments
}
