//! The stored form of a user's roles (`model::Role`).

pub use model::Role;

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
