//! Segment tags of the UN/EDIFACT and IATA PADIS directories.
//!
//! The tokenizer uses this list for one repair only: when a line break inside a segment is
//! followed by a known tag and a separator, the sender most likely forgot a terminator.

/// Service segments of ISO 9735.
pub const SERVICE: &[&str] = &[
    "UNA", "UNB", "UNG", "UNH", "UNT", "UNE", "UNZ", "UNS", "UCI", "UCF", "UCM", "UCS", "UCD",
];

/// Data segments used by PAXLST, CUSRES, CONTRL and the PADIS messages (PNRGOV, ACKRES, GOVREQ).
pub const DATA: &[&str] = &[
    "ABI", "ADD", "APD", "ATT", "BGM", "CNT", "COM", "DAT", "DOC", "DTM", "EBD", "EMP", "EQN",
    "ERC", "ERP", "FAR", "FOP", "FTI", "FTX", "GEI", "IFT", "LOC", "LTS", "MEA", "MON", "MSG",
    "NAD", "NAT", "ORG", "PTK", "QTY", "RCI", "REF", "RFF", "RPI", "SAC", "SRC", "SSD", "SSR",
    "TBD", "TDT", "TIF", "TKT", "TRA", "TRI", "TVL", "TXD",
];

/// True when `tag` is a known service or data segment tag.
pub fn is_known(tag: &[u8]) -> bool {
    SERVICE
        .iter()
        .chain(DATA.iter())
        .any(|t| t.as_bytes() == tag)
}

/// True when `tag` has the shape of a segment tag: three upper-case letters or digits.
#[inline]
pub fn is_well_formed(tag: &[u8]) -> bool {
    tag.len() == 3
        && tag
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}
