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
/// Filing a request to read masked data again (Art. 12(3)): the unit's analysts and
/// supervisors.
pub const UNMASK_REQUEST: &[Role] = &[Analyst, Supervisor];
/// The requests' pages: requesters see their own; the authority and the DPO all of them.
pub const UNMASK_READ: &[Role] = &[
    Analyst,
    Supervisor,
    DataProtectionOfficer,
    ApprovingAuthority,
];
/// Approving or refusing a request: an authority outside the unit, never the unit itself.
pub const UNMASK_DECIDE: &[Role] = &[ApprovingAuthority];
/// Recording the data protection officer's review of a request.
pub const UNMASK_REVIEW: &[Role] = &[DataProtectionOfficer];
/// Stating a purpose before personal data: who opens them (the DPO for a data subject's
/// request).
pub const PURPOSE: &[Role] = &[Analyst, Supervisor, DataProtectionOfficer];
/// Answering a data subject's request: what the unit holds about one person and who read it.
pub const SUBJECTS: &[Role] = &[DataProtectionOfficer];
pub const AUDIT_CHECK: &[Role] = &[DataProtectionOfficer, Administrator];
pub const OPERATIONS: &[Role] = &[Administrator, CarrierLiaison];
#[allow(dead_code)]
pub const USERS: &[Role] = &[Administrator];
