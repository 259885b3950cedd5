//! GPT-2's reversible map between bytes and printable characters, used by byte-level BPE.

/// The printable character that stands for byte `b`.
pub(super) fn byte_char(b: u8) -> char {
    let printable = matches!(b, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF);
    if printable {
        char::from(b)
    } else {
        // The other 68 bytes take code points from 256 up, in byte order.
        let rank = (0..b).filter(|&x| !is_printable(x)).count() as u32;
        char::from_u32(256 + rank).unwrap_or('\u{FFFD}')
    }
}

fn is_printable(b: u8) -> bool {
    matches!(b, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF)
}

/// The byte a mapped character stands for, if it is one.
pub(super) fn char_byte(c: char) -> Option<u8> {
    let code = c as u32;
    if code < 256 && is_printable(code as u8) {
        return Some(code as u8);
    }
    if (256..256 + 68).contains(&code) {
        let rank = (code - 256) as usize;
        return (0u8..=255).filter(|&x| !is_printable(x)).nth(rank);
    }
    None
}

/// Table form of [`byte_char`], built once per tokenizer.
pub(super) fn byte_table() -> [char; 256] {
    let mut table = ['\0'; 256];
    let mut next = 256u32;
    for (b, slot) in table.iter_mut().enumerate() {
        *slot = if is_printable(b as u8) {
            char::from(b as u8)
        } else {
            let c = char::from_u32(next).unwrap_or('\u{FFFD}');
            next += 1;
            c
        };
    }
    table
}

/// The bytes a byte-level BPE token's text stands for; characters outside the map are kept
/// as their UTF-8 (added tokens are stored as plain text).
pub(super) fn decode_token(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        match char_byte(c) {
            Some(b) => out.push(b),
            None => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_map_is_a_bijection_and_matches_the_table() {
        let table = byte_table();
        for b in 0..=255u8 {
            assert_eq!(byte_char(b), table[b as usize]);
            assert_eq!(char_byte(table[b as usize]), Some(b));
        }
        assert_eq!(byte_char(b' '), '\u{120}');
        assert_eq!(byte_char(b'\n'), '\u{10A}');
        assert_eq!(byte_char(b'a'), 'a');
    }
}
