//! GPT-2's reversible map between bytes and printable characters, used by byte-level BPE.

use std::sync::OnceLock;

/// Bytes that stand for themselves; the other 68 take code points from 256 up, in byte order.
fn is_printable(b: u8) -> bool {
    matches!(b, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF)
}

/// Highest code point the map uses, plus one.
const CODE_END: usize = 256 + 68;

/// Both directions of the map, built once.
struct Map {
    to_char: [char; 256],
    to_byte: [Option<u8>; CODE_END],
}

fn map() -> &'static Map {
    static MAP: OnceLock<Map> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut m = Map {
            to_char: ['\0'; 256],
            to_byte: [None; CODE_END],
        };
        let mut next = 256u32;
        for b in 0..=255u8 {
            let code = if is_printable(b) {
                u32::from(b)
            } else {
                next += 1;
                next - 1
            };
            m.to_char[b as usize] = char::from_u32(code).unwrap_or('\u{FFFD}');
            m.to_byte[code as usize] = Some(b);
        }
        m
    })
}

/// The printable character that stands for byte `b`.
pub(super) fn byte_char(b: u8) -> char {
    map().to_char[b as usize]
}

/// The byte a mapped character stands for, if it is one.
pub(super) fn char_byte(c: char) -> Option<u8> {
    map().to_byte.get(c as usize).copied().flatten()
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
    fn the_map_is_a_bijection() {
        for b in 0..=255u8 {
            assert_eq!(char_byte(byte_char(b)), Some(b));
        }
        assert_eq!(byte_char(b' '), '\u{120}');
        assert_eq!(byte_char(b'\n'), '\u{10A}');
        assert_eq!(byte_char(b'a'), 'a');
        assert_eq!(char_byte('\u{3000}'), None);
    }
}
