//! Any bytes through the PAXLST/CUSRES reader and the series collector: nothing may panic, and
//! every list read can be written again.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let reading = paxlst::read(data);
    let mut series = paxlst::series::Series::new();
    for message in reading.messages {
        if let Some(list) = message.passenger_list() {
            let header = edifact::InterchangeHeader::default();
            let bytes = paxlst::write::passenger_list(
                list,
                &paxlst::write::ListEnvelope {
                    interchange: &header,
                    separators: edifact::Separators::default(),
                    group_reference: None,
                    message_reference: "1",
                    release: "05B",
                    common_access_reference: None,
                    series: None,
                },
            );
            assert_eq!(paxlst::read(&bytes).messages.len(), 1);
        }
        series.add(message);
    }
    let _ = series.status();
    let _ = series.merge();
});
