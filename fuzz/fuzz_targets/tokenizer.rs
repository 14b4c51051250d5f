//! Any bytes through the tokenizer, the envelopes and every component's text, and the CONTRL
//! built from what was found: nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parsed = edifact::parse(data);
    let mut total = 0usize;
    for segment in parsed.tokens.segments() {
        total += segment.raw_text().len();
        for element in segment.elements() {
            for repetition in element.repetitions() {
                for component in repetition.components() {
                    total += component.text().len();
                }
            }
        }
    }
    for index in 0..parsed.interchanges.len() {
        if let Some(report) = edifact::contrl::assess(&parsed, index, &[]) {
            let reply = edifact::contrl::Reply {
                sender: "PIU",
                control_reference: "1",
                date: "261127",
                time: "0930",
            };
            let bytes = edifact::contrl::write(&report, &reply);
            assert!(edifact::contrl::read(&edifact::parse(&bytes)).is_some());
        }
    }
    std::hint::black_box(total);
});
