//! Any bytes through the PNRGOV reader: nothing may panic, and every push read can be written
//! and read again.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let reading = pnrgov::read(data);
    for message in &reading.messages {
        if let Some(push) = message.push() {
            let header = edifact::InterchangeHeader::default();
            let bytes = pnrgov::write::push(
                push,
                &pnrgov::write::PushEnvelope {
                    interchange: &header,
                    group_reference: None,
                    message_reference: "1",
                    version: "13:1",
                    common_access_reference: None,
                    series: None,
                },
            );
            assert_eq!(pnrgov::read(&bytes).messages.len(), 1);
        }
    }
});
