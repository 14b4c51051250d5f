//! Full parses of an input by the peer crates, each visiting everything it produced.
//!
//! Shared by the benchmark (`benches/tokenizer.rs`) and the test that checks the peers
//! actually parse our traffic (`tests/peers.rs`).
//!
//! Neither peer reads a stream of several interchanges that each begin with UNA, as carriers
//! send them: both look for UNA only at the very start of their input. edifact-parser then
//! reports every later `UNA:+.? '` as a bogus segment tagged `UNA:`, and edifact-rs stops
//! with "invalid segment tag". So the peers are handed the input already cut into
//! interchanges ([`interchanges`], done once, outside any timed loop), one parse per
//! interchange: the cut is work the peers are spared.

use edifact_parser::{EdifactHandler, EdifactStreamParser};
use edifact_primitives::{Control, RawSegment};
use passage_bench::Walk;

pub use passage_bench::interchanges;

/// edifact-parser: its streaming parser builds a `RawSegment` (elements split into
/// components, release characters left in) for every segment and hands it to a handler;
/// ours visits every component.
pub fn walk_edifact_parser(interchanges: &[&[u8]]) -> Result<Walk, String> {
    struct Visit(Walk);
    impl EdifactHandler for Visit {
        fn on_segment(&mut self, segment: &RawSegment<'_>) -> Control {
            self.0.segments += 1;
            for element in &segment.elements {
                self.0.elements += 1;
                for component in element {
                    self.0.components += 1;
                    self.0.component_bytes += std::hint::black_box(*component).len();
                }
            }
            Control::Continue
        }
    }
    let mut visit = Visit(Walk::default());
    for interchange in interchanges {
        EdifactStreamParser::parse(interchange, &mut visit).map_err(|e| e.to_string())?;
    }
    Ok(visit.0)
}

/// edifact-rs: `from_bytes` yields one `Segment` per segment, elements and components
/// split and release characters resolved; every component is visited.
pub fn walk_edifact_rs(interchanges: &[&[u8]]) -> Result<Walk, String> {
    let mut walk = Walk::default();
    for interchange in interchanges {
        for segment in edifact_rs::from_bytes(interchange) {
            let segment = segment.map_err(|e| e.to_string())?;
            walk.segments += 1;
            for element in &segment.elements {
                walk.elements += 1;
                for component in element.components() {
                    walk.components += 1;
                    walk.component_bytes += std::hint::black_box(component).len();
                }
            }
        }
    }
    Ok(walk)
}

/// Fails unless both peers read `input` completely and see the segments, elements and
/// components that our tokenizer sees. Release characters: edifact-parser keeps them in
/// its components as we do in `raw()`, edifact-rs removes them.
pub fn check_peers(input: &[u8]) -> Result<(), String> {
    let ours = passage_bench::walk_passage(input);
    let cut = interchanges(input);
    let parser = walk_edifact_parser(&cut).map_err(|e| format!("edifact-parser failed: {e}"))?;
    if parser != ours {
        return Err(format!(
            "edifact-parser saw {parser:?}, passage saw {ours:?}"
        ));
    }
    let rs = walk_edifact_rs(&cut).map_err(|e| format!("edifact-rs failed: {e}"))?;
    let released = input.windows(2).filter(|w| *w == b"?'").count();
    let expected = Walk {
        component_bytes: ours.component_bytes - released,
        ..ours
    };
    if rs != expected {
        return Err(format!("edifact-rs saw {rs:?}, expected {expected:?}"));
    }
    Ok(())
}
