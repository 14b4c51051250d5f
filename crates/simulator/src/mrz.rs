//! ICAO Doc 9303 machine-readable zones: check digits and the two lines of a passport (TD3).

/// The check digit of ICAO Doc 9303 Part 3 §4.9: weights 7, 3, 1 over digits, letters A=10 …
/// Z=35 and the filler `<` = 0.
pub fn check_digit(field: &str) -> u8 {
    let sum: u32 = field
        .bytes()
        .zip([7u32, 3, 1].iter().cycle())
        .map(|(b, w)| {
            let v = match b {
                b'0'..=b'9' => u32::from(b - b'0'),
                b'A'..=b'Z' => u32::from(b - b'A') + 10,
                _ => 0,
            };
            v * w
        })
        .sum();
    (sum % 10) as u8
}

/// A field padded with `<` to `len`, letters only upper case, other characters turned into `<`.
fn field(value: &str, len: usize) -> String {
    let mut out: String = value
        .chars()
        .map(|c| {
            let c = c.to_ascii_uppercase();
            if c.is_ascii_alphanumeric() { c } else { '<' }
        })
        .take(len)
        .collect();
    while out.len() < len {
        out.push('<');
    }
    out
}

/// The data a TD3 MRZ holds.
#[derive(Debug, Clone)]
pub struct Passport<'a> {
    pub issuing_state: &'a str,
    pub surname: &'a str,
    pub given_names: &'a str,
    pub number: &'a str,
    pub nationality: &'a str,
    /// YYMMDD.
    pub birth: &'a str,
    pub sex: char,
    /// YYMMDD.
    pub expiry: &'a str,
}

/// The two 44-character lines of a passport's machine-readable zone.
pub fn td3(p: &Passport<'_>) -> [String; 2] {
    let name = format!(
        "{}<<{}",
        p.surname.replace(' ', "<"),
        p.given_names.replace(' ', "<")
    );
    let line1 = format!("P<{}{}", field(p.issuing_state, 3), field(&name, 39));
    let number = field(p.number, 9);
    let birth = field(p.birth, 6);
    let expiry = field(p.expiry, 6);
    let personal = field("", 14);
    let upper = format!(
        "{number}{}{}{birth}{}{}{expiry}{}{personal}{}",
        check_digit(&number),
        field(p.nationality, 3),
        check_digit(&birth),
        p.sex,
        check_digit(&expiry),
        check_digit(&personal),
    );
    let composite = format!(
        "{}{}{}",
        upper.get(0..10).unwrap_or_default(),
        upper.get(13..20).unwrap_or_default(),
        upper.get(21..43).unwrap_or_default()
    );
    let line2 = format!("{upper}{}", check_digit(&composite));
    [line1, line2]
}

/// True when every check digit of a TD3 second line holds.
pub fn td3_line2_is_valid(line: &str) -> bool {
    let part = |from: usize, to: usize| line.get(from..to).unwrap_or_default();
    let digit = |at: usize| {
        line.as_bytes()
            .get(at)
            .and_then(|b| (*b as char).to_digit(10))
            .map(|d| d as u8)
    };
    let composite = format!("{}{}{}", part(0, 10), part(13, 20), part(21, 43));
    line.len() == 44
        && digit(9) == Some(check_digit(part(0, 9)))
        && digit(19) == Some(check_digit(part(13, 19)))
        && digit(27) == Some(check_digit(part(21, 27)))
        && digit(42) == Some(check_digit(part(28, 42)))
        && digit(43) == Some(check_digit(&composite))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_specimen_of_doc_9303() {
        // The specimen passport of ICAO Doc 9303 Part 4 (Utopia, Anna Maria Eriksson).
        let [l1, l2] = td3(&Passport {
            issuing_state: "UTO",
            surname: "ERIKSSON",
            given_names: "ANNA MARIA",
            number: "L898902C3",
            nationality: "UTO",
            birth: "740812",
            sex: 'F',
            expiry: "120415",
        });
        assert_eq!(l1, "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<");
        assert_eq!(&l2[..28], "L898902C36UTO7408122F1204159");
        assert!(td3_line2_is_valid(&l2));
        assert_eq!(check_digit("L898902C3"), 6);
        assert_eq!(check_digit("740812"), 2);
        assert_eq!(check_digit("120415"), 9);
    }

    #[test]
    fn a_changed_character_breaks_a_check_digit() {
        let [_, l2] = td3(&Passport {
            issuing_state: "XXA",
            surname: "SYNTH",
            given_names: "ANNA",
            number: "X12345678",
            nationality: "XXA",
            birth: "900102",
            sex: 'F',
            expiry: "301231",
        });
        assert!(td3_line2_is_valid(&l2));
        let broken = l2.replacen("X1234", "X1243", 1);
        assert!(!td3_line2_is_valid(&broken));
    }
}
