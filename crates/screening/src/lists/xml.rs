//! A streaming pass over a list's XML that hands over one record (an `INDIVIDUAL`, an
//! `sdnEntry`, a `sanctionEntity`) at a time as a small tree, so importers read fields by name
//! without holding the whole document.

use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use super::ImportError;

/// Elements nested deeper than this inside a record are skipped (a hostile file cannot exhaust
/// the stack when a tree is dropped).
const MAX_DEPTH: usize = 32;

/// One element of a record: its local name, attributes, text (trimmed when read) and children.
#[derive(Debug, Clone, Default)]
pub(crate) struct Node {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    text: String,
    pub children: Vec<Node>,
}

impl Node {
    /// The trimmed text, when there is any.
    pub fn text(&self) -> Option<&str> {
        let text = self.text.trim();
        (!text.is_empty()).then_some(text)
    }

    /// A trimmed, non-empty attribute value.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.trim())
            .filter(|value| !value.is_empty())
    }

    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|child| child.name == name)
    }

    pub fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |child| child.name == name)
    }

    /// The text of the first child so named that has text.
    pub fn child_text<'a>(&'a self, name: &'a str) -> Option<&'a str> {
        self.children(name).find_map(Node::text)
    }
}

/// The root element: its name and attributes.
pub(crate) type Root = Node;

/// How the pass ended after the root element was found.
pub(crate) enum End {
    Complete,
    /// The XML broke off or went wrong here; the records before were delivered.
    Broken(String),
}

/// Reads `bytes`, checks that the root element is `root_name` (else [`ImportError`]), calls
/// `on_root` with it, then `on_record` with every element named in `records` that is not inside
/// another record, at whatever depth. Elements named in `skip` are left out of records with all
/// they contain (what an importer never reads need not be built).
pub(crate) fn read(
    format: &'static str,
    bytes: &[u8],
    root_name: &str,
    records: &[&str],
    skip: &[&str],
    mut on_root: impl FnMut(&Root),
    mut on_record: impl FnMut(Node),
) -> Result<End, ImportError> {
    let text = String::from_utf8_lossy(bytes);
    let mut reader = Reader::from_str(&text);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.expand_empty_elements = false;

    let mut root_seen = false;
    // The record being built: its open elements, outermost first.
    let mut stack: Vec<Node> = Vec::new();
    // Elements open beyond MAX_DEPTH, skipped.
    let mut skipped = 0usize;

    loop {
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(error) => {
                let place = reader.error_position();
                if !root_seen {
                    return Err(ImportError::NotFormat {
                        format,
                        reason: format!("not well-formed XML at byte {place}: {error}"),
                    });
                }
                return Ok(End::Broken(format!("XML error at byte {place}: {error}")));
            }
        };
        match event {
            Event::Start(start) | Event::Empty(start) if !root_seen => {
                let node = node_of(&start);
                if node.name != root_name {
                    return Err(ImportError::NotFormat {
                        format,
                        reason: format!("the root element is <{}>, not <{root_name}>", node.name),
                    });
                }
                root_seen = true;
                on_root(&node);
            }
            Event::Start(start) => {
                if skipped > 0
                    || stack.len() >= MAX_DEPTH
                    || skip.contains(&start.local_name().as_ref())
                {
                    skipped += 1;
                    continue;
                }
                let node = node_of(&start);
                if !stack.is_empty() || records.contains(&node.name.as_str()) {
                    stack.push(node);
                }
            }
            Event::Empty(start) => {
                if skipped > 0
                    || stack.len() >= MAX_DEPTH
                    || skip.contains(&start.local_name().as_ref())
                {
                    continue;
                }
                let node = node_of(&start);
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(node);
                } else if records.contains(&node.name.as_str()) {
                    on_record(node);
                }
            }
            Event::End(_) => {
                if skipped > 0 {
                    skipped -= 1;
                    continue;
                }
                if let Some(node) = stack.pop() {
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(node),
                        None => on_record(node),
                    }
                }
            }
            Event::Text(text) => {
                if skipped == 0
                    && let Some(node) = stack.last_mut()
                {
                    node.text.push_str(&text.xml10_content());
                }
            }
            Event::CData(data) => {
                if skipped == 0
                    && let Some(node) = stack.last_mut()
                {
                    node.text.push_str(&data.xml10_content());
                }
            }
            Event::GeneralRef(reference) => {
                if skipped == 0
                    && let Some(node) = stack.last_mut()
                {
                    push_reference(&mut node.text, &reference);
                }
            }
            Event::Eof => {
                if !root_seen {
                    return Err(ImportError::NotFormat {
                        format,
                        reason: "no XML root element".to_owned(),
                    });
                }
                if !stack.is_empty() {
                    return Ok(End::Broken("the file ends inside a record".to_owned()));
                }
                return Ok(End::Complete);
            }
            Event::Decl(_) | Event::PI(_) | Event::DocType(_) | Event::Comment(_) => {}
        }
    }
}

fn node_of(start: &BytesStart<'_>) -> Node {
    let name = start.local_name().as_ref().to_owned();
    let mut attrs = Vec::new();
    for attr in start.attributes().with_checks(false).flatten() {
        let key = attr.key.local_name().as_ref().to_owned();
        let value = match attr.normalized_value(XmlVersion::Implicit1_0) {
            Ok(value) => value.into_owned(),
            Err(_) => attr.value.into_owned(),
        };
        attrs.push((key, value));
    }
    Node {
        name,
        attrs,
        text: String::new(),
        children: Vec::new(),
    }
}

fn push_reference(text: &mut String, reference: &BytesRef<'_>) {
    if let Ok(Some(c)) = reference.resolve_char_ref() {
        text.push(c);
        return;
    }
    match &**reference {
        "amp" => text.push('&'),
        "lt" => text.push('<'),
        "gt" => text.push('>'),
        "quot" => text.push('"'),
        "apos" => text.push('\''),
        other => {
            text.push('&');
            text.push_str(other);
            text.push(';');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(xml: &str) -> (Vec<Node>, bool) {
        let mut out = Vec::new();
        let end = read(
            "test",
            xml.as_bytes(),
            "root",
            &["rec"],
            &["skip"],
            |_| {},
            |n| out.push(n),
        )
        .unwrap();
        (out, matches!(end, End::Complete))
    }

    #[test]
    fn records_at_any_depth_with_text_and_references() {
        let (recs, complete) = records(
            "<?xml version=\"1.0\"?><root a=\"1\"><group><rec id=\"x\"><n>A &amp; B&#8217;s</n><e/><skip><n>no</n></skip><skip/></rec></group><rec/></root>",
        );
        assert!(complete);
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].attr("id"), Some("x"));
        assert_eq!(recs[0].child_text("n"), Some("A & B\u{2019}s"));
        assert!(recs[0].child("e").is_some());
        assert!(recs[0].child("skip").is_none());
        assert_eq!(recs[0].children.len(), 2);
    }

    #[test]
    fn a_wrong_root_is_not_the_format_and_a_cut_file_is_broken() {
        assert!(read("test", b"<other/>", "root", &["rec"], &[], |_| {}, |_| {}).is_err());
        assert!(read("test", b"not xml", "root", &["rec"], &[], |_| {}, |_| {}).is_err());
        let (recs, complete) = records("<root><rec><n>a</n></rec><rec><n>b");
        assert_eq!(recs.len(), 1);
        assert!(!complete);
    }

    #[test]
    fn deep_nesting_is_cut_off() {
        let mut xml = String::from("<root><rec>");
        for _ in 0..10_000 {
            xml.push_str("<d>");
        }
        for _ in 0..10_000 {
            xml.push_str("</d>");
        }
        xml.push_str("</rec></root>");
        let (recs, complete) = records(&xml);
        assert!(complete);
        assert_eq!(recs.len(), 1);
    }
}
