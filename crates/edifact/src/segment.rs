//! Borrowed views of a segment, its elements and their components.
//!
//! Splitting is lazy: a view holds the bytes it covers and finds its parts when asked, so
//! walking a message allocates nothing unless a value needs its release characters removed.

use std::borrow::Cow;

use crate::separators::Syntax;

/// Flags a tokenizer sets on a segment so that the clean common case stays fast.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Dirt {
    /// The segment contains the release character.
    pub escaped: bool,
    /// The segment contains CR or LF (a line wrapped inside the segment).
    pub wrapped: bool,
}

impl Dirt {
    fn any(self) -> bool {
        self.escaped || self.wrapped
    }
}

/// One segment: a tag and its data elements, without the terminator.
#[derive(Debug, Clone, Copy)]
pub struct Segment<'a> {
    pub(crate) raw: &'a [u8],
    pub(crate) tag_len: usize,
    pub(crate) index: usize,
    pub(crate) offset: usize,
    pub(crate) syntax: &'a Syntax,
    pub(crate) dirt: Dirt,
}

impl<'a> Segment<'a> {
    /// The segment tag, e.g. `NAD`.
    pub fn tag(&self) -> &'a str {
        let tag = self.raw.get(..self.tag_len).unwrap_or_default();
        std::str::from_utf8(tag).unwrap_or_default()
    }

    /// Position of the segment in the file, counting from 0.
    pub fn index(&self) -> usize {
        self.index
    }

    /// Byte offset of the segment in the input.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The segment's bytes as sent, without the terminator.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// The reading context (separators, character set) the segment was tokenized with.
    pub fn syntax(&self) -> &'a Syntax {
        self.syntax
    }

    /// The segment as text in its character set, release characters kept, line breaks removed.
    pub fn raw_text(&self) -> Cow<'a, str> {
        if self.dirt.wrapped {
            let kept: Vec<u8> = self
                .raw
                .iter()
                .copied()
                .filter(|b| *b != b'\r' && *b != b'\n')
                .collect();
            Cow::Owned(self.syntax.charset.decode(&kept).into_owned())
        } else {
            self.syntax.charset.decode(self.raw)
        }
    }

    /// The data elements, from position 1.
    pub fn elements(&self) -> impl Iterator<Item = Element<'a>> + 'a {
        let this = *self;
        Parts::new(
            self.raw,
            self.syntax.separators.element,
            self.release(),
            self.dirt,
        )
        .skip(1)
        .enumerate()
        .map(move |(i, raw)| Element {
            raw,
            position: i + 1,
            syntax: this.syntax,
            dirt: this.dirt,
        })
    }

    /// The element at `position` (1 = first after the tag), if present.
    pub fn element(&self, position: usize) -> Option<Element<'a>> {
        self.elements().nth(position.checked_sub(1)?)
    }

    /// Number of data elements, trailing empty ones included.
    pub fn element_count(&self) -> usize {
        self.elements().count()
    }

    /// Text of component `component` (0-based) of element `position` (1-based) in its first
    /// repetition; `None` when absent or empty.
    pub fn text(&self, position: usize, component: usize) -> Option<Cow<'a, str>> {
        self.element(position)?.text(component)
    }

    fn release(&self) -> Option<u8> {
        self.syntax.separators.release
    }
}

/// One data element (a simple element or a composite).
#[derive(Debug, Clone, Copy)]
pub struct Element<'a> {
    raw: &'a [u8],
    position: usize,
    syntax: &'a Syntax,
    dirt: Dirt,
}

impl<'a> Element<'a> {
    /// Position in the segment, 1 = first after the tag.
    pub fn position(&self) -> usize {
        self.position
    }

    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// The repetitions of this element (syntax 4); one when no repetition separator is set.
    pub fn repetitions(&self) -> impl Iterator<Item = Element<'a>> + 'a {
        let this = *self;
        let raws: Box<dyn Iterator<Item = &'a [u8]> + 'a> = match self.syntax.separators.repetition
        {
            Some(rep) => Box::new(Parts::new(
                self.raw,
                rep,
                self.syntax.separators.release,
                self.dirt,
            )),
            None => Box::new(std::iter::once(self.raw)),
        };
        raws.map(move |raw| Element { raw, ..this })
    }

    /// Components of the first repetition, counting from 0.
    pub fn components(&self) -> impl Iterator<Item = Component<'a>> + 'a {
        let this = *self;
        let first = match self.syntax.separators.repetition {
            Some(rep) => Parts::new(self.raw, rep, self.syntax.separators.release, self.dirt)
                .next()
                .unwrap_or_default(),
            None => self.raw,
        };
        Parts::new(
            first,
            self.syntax.separators.component,
            self.syntax.separators.release,
            self.dirt,
        )
        .enumerate()
        .map(move |(i, raw)| Component {
            raw,
            position: i + 1,
            syntax: this.syntax,
            dirt: this.dirt,
        })
    }

    pub fn component(&self, index: usize) -> Option<Component<'a>> {
        self.components().nth(index)
    }

    /// Text of component `index` (0-based); `None` when absent or empty.
    pub fn text(&self, index: usize) -> Option<Cow<'a, str>> {
        self.component(index).and_then(|c| c.text_nonempty())
    }

    /// The whole element as text, components joined with the component separator unescaped.
    pub fn value(&self) -> Cow<'a, str> {
        Component {
            raw: self.raw,
            position: 1,
            syntax: self.syntax,
            dirt: self.dirt,
        }
        .text()
    }
}

/// One component: the smallest unit of data.
#[derive(Debug, Clone, Copy)]
pub struct Component<'a> {
    raw: &'a [u8],
    position: usize,
    syntax: &'a Syntax,
    dirt: Dirt,
}

impl<'a> Component<'a> {
    /// Position in the element, counting from 1.
    pub fn position(&self) -> usize {
        self.position
    }

    /// The bytes as sent, release characters included.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// The value as text: release characters and line breaks removed, decoded to UTF-8.
    pub fn text(&self) -> Cow<'a, str> {
        if !self.dirt.any() {
            return self.syntax.charset.decode(self.raw);
        }
        let release = self.syntax.separators.release;
        let needs_cleaning = self
            .raw
            .iter()
            .any(|b| *b == b'\r' || *b == b'\n' || Some(*b) == release);
        if !needs_cleaning {
            return self.syntax.charset.decode(self.raw);
        }
        let mut clean = Vec::with_capacity(self.raw.len());
        let mut bytes = self.raw.iter().copied();
        while let Some(b) = bytes.next() {
            if Some(b) == release {
                if let Some(next) = bytes.next() {
                    clean.push(next);
                }
            } else if b != b'\r' && b != b'\n' {
                clean.push(b);
            }
        }
        Cow::Owned(self.syntax.charset.decode(&clean).into_owned())
    }

    fn text_nonempty(&self) -> Option<Cow<'a, str>> {
        if self.raw.is_empty() {
            None
        } else {
            Some(self.text())
        }
    }
}

/// Splits `bytes` at `sep`, skipping separators preceded by the release character.
struct Parts<'a> {
    rest: Option<&'a [u8]>,
    sep: u8,
    release: Option<u8>,
    escaped: bool,
}

impl<'a> Parts<'a> {
    fn new(bytes: &'a [u8], sep: u8, release: Option<u8>, dirt: Dirt) -> Parts<'a> {
        Parts {
            rest: Some(bytes),
            sep,
            release,
            escaped: dirt.escaped,
        }
    }
}

impl<'a> Iterator for Parts<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let rest = self.rest?;
        let cut = match (self.escaped, self.release) {
            (true, Some(release)) => find_unescaped(rest, self.sep, release),
            _ => memchr::memchr(self.sep, rest),
        };
        match cut {
            Some(at) => {
                let (part, tail) = rest.split_at(at);
                self.rest = tail.get(1..);
                Some(part)
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}

fn find_unescaped(bytes: &[u8], sep: u8, release: u8) -> Option<usize> {
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == release {
            i += 2;
        } else if b == sep {
            return Some(i);
        } else {
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::separators::Separators;

    fn seg<'a>(raw: &'a [u8], syntax: &'a Syntax) -> Segment<'a> {
        Segment {
            raw,
            tag_len: 3,
            index: 0,
            offset: 0,
            syntax,
            dirt: Dirt {
                escaped: raw.contains(&b'?'),
                wrapped: raw.contains(&b'\n'),
            },
        }
    }

    #[test]
    fn elements_and_components() {
        let syntax = Syntax::default();
        let s = seg(b"NAD+FL+++WILLIAMS:JOHN:DONALD", &syntax);
        assert_eq!(s.tag(), "NAD");
        assert_eq!(s.element_count(), 4);
        assert_eq!(s.text(1, 0).as_deref(), Some("FL"));
        assert_eq!(s.text(2, 0), None);
        assert_eq!(s.text(4, 0).as_deref(), Some("WILLIAMS"));
        assert_eq!(s.text(4, 2).as_deref(), Some("DONALD"));
        assert_eq!(s.text(4, 3), None);
        assert_eq!(s.text(9, 0), None);
    }

    #[test]
    fn release_character_keeps_separators_literal() {
        let syntax = Syntax::default();
        let s = seg(b"NAD+FL+++O?'NEIL?+SONS:A??B?:C", &syntax);
        assert_eq!(s.element_count(), 4);
        assert_eq!(s.text(4, 0).as_deref(), Some("O'NEIL+SONS"));
        assert_eq!(s.text(4, 1).as_deref(), Some("A?B:C"));
    }

    #[test]
    fn wrapped_line_is_joined() {
        let syntax = Syntax::default();
        let s = seg(b"NAD+FL+++WILLI\r\nAMS:JOHN", &syntax);
        assert_eq!(s.text(4, 0).as_deref(), Some("WILLIAMS"));
    }

    #[test]
    fn repetitions_split_only_when_declared() {
        let mut syntax = Syntax::default();
        let raw = b"SSR+DOCS*DOCO:HK";
        assert_eq!(seg(raw, &syntax).text(1, 0).as_deref(), Some("DOCS*DOCO"));
        syntax.separators = Separators::from_una(*b":+.?*'");
        let s = seg(raw, &syntax);
        let reps: Vec<_> = s
            .element(1)
            .unwrap()
            .repetitions()
            .map(|r| r.value())
            .collect();
        assert_eq!(reps, ["DOCS", "DOCO:HK"]);
        assert_eq!(s.text(1, 0).as_deref(), Some("DOCS"));
    }
}
