//! Which roles may do what, by kind of data. Personal data (travellers, manifests, bookings,
//! raw messages, hits) is for analysts and supervisors; data quality (messages' findings,
//! flights' counts, carriers) also for carrier liaison and administrators; the audit for the
//! data protection officer.

use accounts::Role::{self, *};

pub const PERSONAL: &[Role] = &[Analyst, Supervisor];
pub const QUALITY: &[Role] = &[Analyst, Supervisor, CarrierLiaison, Administrator];
pub const CRITERIA_READ: &[Role] = &[Analyst, Supervisor, DataProtectionOfficer];
pub const CRITERIA_WRITE: &[Role] = &[Analyst, Supervisor];
pub const LISTS_READ: &[Role] = &[Analyst, Supervisor, Administrator, DataProtectionOfficer];
pub const LISTS_WRITE: &[Role] = &[Supervisor, Administrator];
#[allow(dead_code)] // the audit view arrives with the console
pub const AUDIT: &[Role] = &[DataProtectionOfficer];
/// The retention page: the policy, what is due, the runs and the legal holds.
pub const RETENTION: &[Role] = &[DataProtectionOfficer, Supervisor];
/// Placing and releasing legal holds (a case keeps data past their periods).
pub const HOLDS: &[Role] = &[DataProtectionOfficer, Supervisor];
pub const AUDIT_CHECK: &[Role] = &[DataProtectionOfficer, Administrator];
pub const OPERATIONS: &[Role] = &[Administrator, CarrierLiaison];
#[allow(dead_code)]
pub const USERS: &[Role] = &[Administrator];
