-- Indexes for searches whose filters are now written only when given (store/src/filter.rs):
-- each filter alone is served by an index instead of a scan of the table.
-- The audit search orders by `at`: every index it filters by ends in `at` (`audit_actor` is
-- (actor, at) already), so the record numbers come from the index alone.
CREATE INDEX audit_action ON audit(action, at);
CREATE INDEX audit_at ON audit(at);
CREATE INDEX audit_subject_at ON audit(subject, at);
DROP INDEX audit_subject;
