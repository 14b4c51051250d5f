//! The roles of a passenger information unit (product.md) and what each may do.

use serde::Serialize;

/// A role a user holds; a user may hold several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Triages hits, reviews travellers, writes criteria.
    Analyst,
    /// Approves criteria (four eyes) and dissemination, watches queue health.
    Supervisor,
    /// Connects carriers and watches their data quality.
    CarrierLiaison,
    /// Sees every access and every rule.
    DataProtectionOfficer,
    /// Users, roles, agencies, lists.
    Administrator,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Analyst,
        Role::Supervisor,
        Role::CarrierLiaison,
        Role::DataProtectionOfficer,
        Role::Administrator,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Analyst => "analyst",
            Role::Supervisor => "supervisor",
            Role::CarrierLiaison => "carrier_liaison",
            Role::DataProtectionOfficer => "dpo",
            Role::Administrator => "administrator",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }
}

/// Roles from their stored form (`analyst,supervisor`); unknown names are skipped, so a role
/// removed from the code grants nothing.
pub fn parse_roles(s: &str) -> Vec<Role> {
    let mut roles: Vec<Role> = s.split(',').filter_map(Role::parse).collect();
    roles.sort();
    roles.dedup();
    roles
}

/// The stored form of roles.
pub fn format_roles(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_unknown_names_grant_nothing() {
        let roles = parse_roles("supervisor, analyst,superuser,analyst");
        assert_eq!(roles, vec![Role::Analyst, Role::Supervisor]);
        assert_eq!(format_roles(&roles), "analyst,supervisor");
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
    }
}
