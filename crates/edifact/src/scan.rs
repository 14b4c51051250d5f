//! Eight bytes at a time: which bytes of a word are service characters or control characters.
//!
//! Safe SWAR (SIMD within a register): exact per-byte equality and "below 0x20" masks, so one
//! pass over the input finds every separator, terminator, release character and line break,
//! however short the values between them are.

const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
const HIGH: u64 = 0x8080_8080_8080_8080;

fn broadcast(b: u8) -> u64 {
    u64::from_ne_bytes([b; 8])
}

/// 0x80 in every byte of `word` that equals the byte broadcast in `needle`.
#[inline(always)]
fn equal(word: u64, needle: u64) -> u64 {
    let x = word ^ needle;
    !((((x & LOW7) + LOW7) | x) | LOW7)
}

/// 0x80 in every byte of `word` below 0x20 (line breaks and other control characters).
#[inline(always)]
fn control(word: u64) -> u64 {
    let y = (word & LOW7) + broadcast(0x60);
    !(y | word) & HIGH
}

/// The bytes a scan stops at.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Needles {
    element: u64,
    component: u64,
    terminator: u64,
    release: Option<u64>,
    repetition: Option<u64>,
}

impl Needles {
    pub(crate) fn new(seps: &crate::Separators) -> Needles {
        Needles {
            element: broadcast(seps.element),
            component: broadcast(seps.component),
            terminator: broadcast(seps.terminator),
            release: seps.release.map(broadcast),
            repetition: seps.repetition.map(broadcast),
        }
    }

    /// Masks of the element separators, the component separators and everything else worth
    /// stopping at (terminator, release, repetition, control characters), in that order.
    #[inline(always)]
    pub(crate) fn classify(&self, word: u64) -> (u64, u64, u64) {
        let mut other = equal(word, self.terminator) | control(word);
        if let Some(r) = self.release {
            other |= equal(word, r);
        }
        if let Some(r) = self.repetition {
            other |= equal(word, r);
        }
        (
            equal(word, self.element),
            equal(word, self.component),
            other,
        )
    }

    /// A mask with 0x80 at every byte of `word` worth stopping at.
    #[cfg(test)]
    pub(crate) fn hits(&self, word: u64) -> u64 {
        let mut m = equal(word, self.element)
            | equal(word, self.component)
            | equal(word, self.terminator)
            | control(word);
        if let Some(r) = self.release {
            m |= equal(word, r);
        }
        if let Some(r) = self.repetition {
            m |= equal(word, r);
        }
        m
    }
}

/// The word of `input` starting at `at`, zero-padded past the end, and a mask of its valid bytes.
#[inline(always)]
pub(crate) fn word_at(input: &[u8], at: usize) -> (u64, u64) {
    match input.get(at..at + 8) {
        Some(bytes) => {
            let mut buf = [0u8; 8];
            buf.copy_from_slice(bytes);
            (u64::from_le_bytes(buf), u64::MAX)
        }
        None => {
            let rest = input.get(at..).unwrap_or_default();
            let mut buf = [0u8; 8];
            let n = rest.len().min(8);
            if let (Some(dst), Some(src)) = (buf.get_mut(..n), rest.get(..n)) {
                dst.copy_from_slice(src);
            }
            let valid = if n == 0 { 0 } else { u64::MAX >> (64 - 8 * n) };
            (u64::from_le_bytes(buf), valid)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn positions(input: &[u8], seps: &crate::Separators) -> Vec<usize> {
        let needles = Needles::new(seps);
        let mut out = Vec::new();
        let mut at = 0;
        while at < input.len() {
            let (w, valid) = word_at(input, at);
            let mut m = needles.hits(w) & valid;
            while m != 0 {
                out.push(at + m.trailing_zeros() as usize / 8);
                m &= m - 1;
            }
            at += 8;
        }
        out
    }

    #[test]
    fn finds_every_service_and_control_character() {
        let seps = crate::Separators::default();
        let input = b"NAD+FL+++O?'NEIL:\xc3\x89\x7f\x80A'\r\nBGM";
        let expected: Vec<usize> = input
            .iter()
            .enumerate()
            .filter(|(_, b)| b"+:?'".contains(b) || **b < 0x20)
            .map(|(i, _)| i)
            .collect();
        assert_eq!(positions(input, &seps), expected);
    }

    #[test]
    fn every_byte_value_is_classified_exactly() {
        let seps = crate::Separators::from_una(*b":+.?*'");
        let input: Vec<u8> = (0..=255u8).collect();
        let expected: Vec<usize> = (0..=255usize)
            .filter(|&b| b < 0x20 || b":+?*'".contains(&(b as u8)))
            .collect();
        assert_eq!(positions(&input, &seps), expected);
    }
}
