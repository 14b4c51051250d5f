//! Borrowed views of a segment, its elements and their components.
//!
//! The tokenizer records where every separator stands, so a view finds its parts without
//! looking at the bytes again; text is only copied when a release character, a wrapped line or
//! a non-UTF-8 character set forces it.

use std::borrow::Cow;

use crate::separators::Syntax;

/// Kinds of separator positions, kept in the two high bits of a recorded position (component
/// separators are `1 << 30`).
pub(crate) const ELEMENT: u32 = 0;
pub(crate) const REPETITION: u32 = 2 << 30;
const KIND: u32 = 3 << 30;
/// Positions must fit below the kind bits: inputs are read up to 1 GiB.
pub(crate) const MAX_POSITION: usize = (1 << 30) - 1;

#[inline]
fn kind(bound: u32) -> u32 {
    bound & KIND
}

#[inline]
fn at(bound: u32) -> usize {
    (bound & !KIND) as usize
}

/// Flags the tokenizer sets on a segment so that the clean common case stays fast.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Dirt {
    /// The segment contains the release character.
    pub escaped: bool,
    /// The segment contains a line break or another control character.
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
    pub(crate) input: &'a [u8],
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) tag_len: usize,
    pub(crate) index: usize,
    pub(crate) syntax: &'a Syntax,
    pub(crate) dirt: Dirt,
    /// Positions of the separators inside the segment, with their kinds.
    pub(crate) bounds: &'a [u32],
    /// The well-formed tag, line breaks removed; zeros when the tag is malformed.
    pub(crate) tag: [u8; 3],
    /// True for the service segments UNA, UNB, UNG, UNH, UNT, UNE and UNZ.
    pub(crate) service: bool,
}

impl<'a> Segment<'a> {
    /// The segment tag, e.g. `NAD`. A malformed tag is returned as sent.
    #[inline]
    pub fn tag(&self) -> &str {
        std::str::from_utf8(self.tag_bytes()).unwrap_or_default()
    }

    /// True for the envelope segments (UNA, UNB, UNG, UNH, UNT, UNE, UNZ), known without
    /// reading the input again.
    #[inline]
    pub fn is_service(&self) -> bool {
        self.service
    }

    /// The segment tag as bytes: cheaper to match on than [`Segment::tag`].
    #[inline]
    pub fn tag_bytes(&self) -> &[u8] {
        if self.tag[0] != 0 {
            &self.tag
        } else {
            self.input
                .get(self.start..self.start + self.tag_len)
                .unwrap_or_default()
        }
    }

    /// Position of the segment in the file, counting from 0.
    #[inline]
    pub fn index(&self) -> usize {
        self.index
    }

    /// Byte offset of the segment in the input.
    #[inline]
    pub fn offset(&self) -> usize {
        self.start
    }

    /// The segment's bytes as sent, without the terminator.
    #[inline]
    pub fn raw(&self) -> &'a [u8] {
        self.input.get(self.start..self.end).unwrap_or_default()
    }

    /// The reading context (separators, character set) the segment was tokenized with.
    #[inline]
    pub fn syntax(&self) -> &'a Syntax {
        self.syntax
    }

    /// The segment as text in its character set, release characters kept, line breaks removed.
    #[inline]
    pub fn raw_text(&self) -> Cow<'a, str> {
        if self.dirt.wrapped {
            let kept: Vec<u8> = self.raw().iter().copied().filter(|b| *b >= b' ').collect();
            Cow::Owned(self.syntax.charset.decode(&kept).into_owned())
        } else {
            self.syntax.charset.decode(self.raw())
        }
    }

    /// The data elements, from position 1.
    #[inline]
    pub fn elements(&self) -> Elements<'a> {
        let mut all = Elements {
            input: self.input,
            from: self.start,
            end: self.end,
            bounds: self.bounds,
            syntax: self.syntax,
            dirt: self.dirt,
            done: false,
            position: 0,
        };
        // Element 0 is the tag.
        let _ = all.next();
        all
    }

    /// The element at `position` (1 = first after the tag), if present.
    #[inline]
    pub fn element(&self, position: usize) -> Option<Element<'a>> {
        self.elements().nth(position.checked_sub(1)?)
    }

    /// Number of data elements, trailing empty ones included.
    #[inline]
    pub fn element_count(&self) -> usize {
        self.bounds.iter().filter(|b| kind(**b) == ELEMENT).count()
    }

    /// Text of component `component` (0-based) of element `position` (1-based) in its first
    /// repetition; `None` when absent or empty.
    #[inline]
    pub fn text(&self, position: usize, component: usize) -> Option<Cow<'a, str>> {
        self.element(position)?.text(component)
    }
}

/// The data elements of a segment, in order.
#[derive(Debug, Clone)]
pub struct Elements<'a> {
    input: &'a [u8],
    from: usize,
    end: usize,
    bounds: &'a [u32],
    syntax: &'a Syntax,
    dirt: Dirt,
    done: bool,
    position: usize,
}

impl<'a> Iterator for Elements<'a> {
    type Item = Element<'a>;

    #[inline]
    fn next(&mut self) -> Option<Element<'a>> {
        if self.done {
            return None;
        }
        let split = self.bounds.iter().position(|b| kind(*b) == ELEMENT);
        let (end, inner, rest) = match split {
            Some(i) => {
                let cut = self.bounds.get(i).map_or(self.end, |b| at(*b));
                (
                    cut,
                    self.bounds.get(..i).unwrap_or_default(),
                    self.bounds.get(i + 1..).unwrap_or_default(),
                )
            }
            None => {
                self.done = true;
                (self.end, self.bounds, &[][..])
            }
        };
        let element = Element {
            input: self.input,
            start: self.from,
            end,
            bounds: inner,
            position: self.position,
            syntax: self.syntax,
            dirt: self.dirt,
        };
        self.from = end + 1;
        self.bounds = rest;
        self.position += 1;
        Some(element)
    }
}

/// One data element (a simple element or a composite).
#[derive(Debug, Clone, Copy)]
pub struct Element<'a> {
    input: &'a [u8],
    start: usize,
    end: usize,
    /// Component and repetition separators inside the element.
    bounds: &'a [u32],
    position: usize,
    syntax: &'a Syntax,
    dirt: Dirt,
}

impl<'a> Element<'a> {
    /// Position in the segment, 1 = first after the tag.
    #[inline]
    pub fn position(&self) -> usize {
        self.position
    }

    #[inline]
    pub fn raw(&self) -> &'a [u8] {
        self.input.get(self.start..self.end).unwrap_or_default()
    }

    /// Byte offset of the element in the input.
    #[inline]
    pub fn offset(&self) -> usize {
        self.start
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.start >= self.end
    }

    /// The repetitions of this element (syntax 4); one when no repetition separator is set.
    #[inline]
    pub fn repetitions(&self) -> impl Iterator<Item = Element<'a>> + 'a {
        let this = *self;
        let mut from = self.start;
        let mut bounds = self.bounds;
        let mut done = false;
        std::iter::from_fn(move || {
            if done {
                return None;
            }
            let split = bounds.iter().position(|b| kind(*b) == REPETITION);
            let (end, inner, rest) = match split {
                Some(i) => (
                    bounds.get(i).map_or(this.end, |b| at(*b)),
                    bounds.get(..i).unwrap_or_default(),
                    bounds.get(i + 1..).unwrap_or_default(),
                ),
                None => {
                    done = true;
                    (this.end, bounds, &[][..])
                }
            };
            let repetition = Element {
                start: from,
                end,
                bounds: inner,
                ..this
            };
            from = end + 1;
            bounds = rest;
            Some(repetition)
        })
    }

    /// Components of the first repetition, counting from 0.
    #[inline]
    pub fn components(&self) -> Components<'a> {
        let (end, bounds) = match self.bounds.iter().position(|b| kind(*b) == REPETITION) {
            Some(i) => (
                self.bounds.get(i).map_or(self.end, |b| at(*b)),
                self.bounds.get(..i).unwrap_or_default(),
            ),
            None => (self.end, self.bounds),
        };
        Components {
            input: self.input,
            from: self.start,
            end,
            bounds,
            done: false,
            position: 1,
            syntax: self.syntax,
            dirt: self.dirt,
        }
    }

    #[inline]
    pub fn component(&self, index: usize) -> Option<Component<'a>> {
        self.components().nth(index)
    }

    /// Text of component `index` (0-based); `None` when absent or empty.
    #[inline]
    pub fn text(&self, index: usize) -> Option<Cow<'a, str>> {
        self.component(index).and_then(|c| c.text_nonempty())
    }

    /// The whole element as text, its separators unescaped.
    #[inline]
    pub fn value(&self) -> Cow<'a, str> {
        Component {
            raw: self.raw(),
            position: 1,
            syntax: self.syntax,
            dirt: self.dirt,
        }
        .text()
    }
}

/// The components of an element, in order.
#[derive(Debug, Clone)]
pub struct Components<'a> {
    input: &'a [u8],
    from: usize,
    end: usize,
    bounds: &'a [u32],
    done: bool,
    position: usize,
    syntax: &'a Syntax,
    dirt: Dirt,
}

impl<'a> Iterator for Components<'a> {
    type Item = Component<'a>;

    #[inline]
    fn next(&mut self) -> Option<Component<'a>> {
        if self.done {
            return None;
        }
        let end = match self.bounds.split_first() {
            Some((b, rest)) => {
                self.bounds = rest;
                at(*b)
            }
            None => {
                self.done = true;
                self.end
            }
        };
        let component = Component {
            raw: self.input.get(self.from..end).unwrap_or_default(),
            position: self.position,
            syntax: self.syntax,
            dirt: self.dirt,
        };
        self.from = end + 1;
        self.position += 1;
        Some(component)
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
    #[inline]
    pub fn position(&self) -> usize {
        self.position
    }

    /// The bytes as sent, release characters included.
    #[inline]
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// The value as text: release characters and line breaks removed, decoded to UTF-8.
    #[inline]
    pub fn text(&self) -> Cow<'a, str> {
        if !self.dirt.any() {
            return self.syntax.charset.decode(self.raw);
        }
        let release = self.syntax.separators.release;
        let needs_cleaning = self.raw.iter().any(|b| *b < b' ' || Some(*b) == release);
        if !needs_cleaning {
            return self.syntax.charset.decode(self.raw);
        }
        let mut clean = Vec::with_capacity(self.raw.len());
        let mut bytes = self.raw.iter().copied();
        while let Some(b) = bytes.next() {
            if Some(b) == release {
                // Line breaks after a release character are layout: it releases what follows.
                if let Some(next) = bytes.by_ref().find(|n| *n >= b' ') {
                    clean.push(next);
                }
            } else if b >= b' ' {
                clean.push(b);
            }
        }
        Cow::Owned(self.syntax.charset.decode(&clean).into_owned())
    }

    #[inline]
    fn text_nonempty(&self) -> Option<Cow<'a, str>> {
        if self.raw.is_empty() {
            None
        } else {
            Some(self.text())
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::tokenize;

    #[test]
    fn elements_and_components() {
        let t = tokenize(b"NAD+FL+++WILLIAMS:JOHN:DONALD'");
        let s = t.segment(0).unwrap();
        assert_eq!(s.tag(), "NAD");
        assert_eq!(s.element_count(), 4);
        assert_eq!(s.text(1, 0).as_deref(), Some("FL"));
        assert_eq!(s.text(2, 0), None);
        assert_eq!(s.text(4, 0).as_deref(), Some("WILLIAMS"));
        assert_eq!(s.text(4, 2).as_deref(), Some("DONALD"));
        assert_eq!(s.text(4, 3), None);
        assert_eq!(s.text(9, 0), None);
        let positions: Vec<_> = s.elements().map(|e| e.position()).collect();
        assert_eq!(positions, [1, 2, 3, 4]);
    }

    #[test]
    fn release_character_keeps_separators_literal() {
        let t = tokenize(b"NAD+FL+++O?'NEIL?+SONS:A??B?:C'");
        let s = t.segment(0).unwrap();
        assert_eq!(s.element_count(), 4);
        assert_eq!(s.text(4, 0).as_deref(), Some("O'NEIL+SONS"));
        assert_eq!(s.text(4, 1).as_deref(), Some("A?B:C"));
        assert_eq!(
            s.element(4).unwrap().component(0).unwrap().raw(),
            b"O?'NEIL?+SONS"
        );
    }

    #[test]
    fn wrapped_line_is_joined() {
        let t = tokenize(b"NAD+FL+++WILLI\r\nAMS:JOHN'");
        assert_eq!(
            t.segment(0).unwrap().text(4, 0).as_deref(),
            Some("WILLIAMS")
        );
    }

    #[test]
    fn repetitions_split_only_when_declared() {
        let t = tokenize(b"SSR+DOCS*DOCO:HK'");
        assert_eq!(
            t.segment(0).unwrap().text(1, 0).as_deref(),
            Some("DOCS*DOCO")
        );
        let t = tokenize(b"UNA:+.?*'SSR+DOCS*DOCO:HK'");
        let s = t.segment(1).unwrap();
        let reps: Vec<_> = s
            .element(1)
            .unwrap()
            .repetitions()
            .map(|r| r.value())
            .collect();
        assert_eq!(reps, ["DOCS", "DOCO:HK"]);
        assert_eq!(s.text(1, 0).as_deref(), Some("DOCS"));
        let second: Vec<_> = s
            .element(1)
            .unwrap()
            .repetitions()
            .nth(1)
            .unwrap()
            .components()
            .map(|c| c.text().into_owned())
            .collect();
        assert_eq!(second, ["DOCO", "HK"]);
    }
}
