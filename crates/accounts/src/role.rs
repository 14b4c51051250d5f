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

/// Roles a user may hold together: at least one, and an approving authority (an authority
/// outside the unit, Directive 2016/681 Art. 12(3)) holds no other. The reason when not.
pub fn roles_refused(roles: &[Role]) -> Option<&'static str> {
    if roles.is_empty() {
        Some("a user needs a role")
    } else if roles.contains(&Role::ApprovingAuthority) && roles.len() > 1 {
        Some(
            "an approving authority is outside the unit and holds no other role (Directive \
             2016/681 Art. 12(3))",
        )
    } else {
        None
    }
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

    #[test]
    fn an_approving_authority_holds_no_other_role() {
        assert!(roles_refused(&[]).is_some());
        assert!(roles_refused(&[Role::ApprovingAuthority]).is_none());
        assert!(roles_refused(&[Role::ApprovingAuthority, Role::Analyst]).is_some());
        assert!(roles_refused(&[Role::Analyst, Role::Supervisor]).is_none());
    }
}
