-- +goose Up
-- Issue 16 item 2: on SQLite every time column of pdca's tables holds
-- INTEGER microseconds since 1970-01-01 UTC instead of text, so reading a
-- row costs no parsing (the driver parsed each stored string with
-- time.Parse). The declared type stays TIMESTAMP (NUMERIC affinity keeps
-- integers as integers); integers compare and sort as the times do, so
-- every index and comparison keeps its meaning. package store converts
-- (dialect.go). River's, goose's and the session store's tables are not
-- pdca's and keep their own formats.
--
-- Existing values were written by the driver as
-- "2006-01-02 15:04:05.999999999-07:00" (fraction of 0-9 digits, trailing
-- zeros dropped); the conversion also reads a "T" separator, "Z" and any
-- offset. Each distinct text value is converted once in a temporary table:
-- the fraction's digits are taken as text (so none is lost to SQLite's
-- millisecond rounding) and truncated to microseconds, the seconds with the
-- offset applied come from unixepoch() of the value without its fraction.
-- NULLs stay NULL, integers are left alone, and a value SQLite cannot read
-- as a time is left as it was (reading it then fails with an error that
-- names it, rather than the migration losing it).
CREATE TEMP TABLE time_text (v TEXT PRIMARY KEY, frac TEXT, tz TEXT, us INTEGER);

INSERT OR IGNORE INTO time_text (v) SELECT created_at FROM organizations WHERE typeof(created_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT created_at FROM users WHERE typeof(created_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT password_changed_at FROM users WHERE typeof(password_changed_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT sessions_valid_since FROM users WHERE typeof(sessions_valid_since) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT totp_enabled_at FROM users WHERE typeof(totp_enabled_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT created_at FROM memberships WHERE typeof(created_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT created_at FROM api_tokens WHERE typeof(created_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT last_used_at FROM api_tokens WHERE typeof(last_used_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT revoked_at FROM api_tokens WHERE typeof(revoked_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT expires_at FROM api_tokens WHERE typeof(expires_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT denied_at FROM api_tokens WHERE typeof(denied_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT at FROM audit_events WHERE typeof(at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT at FROM imports WHERE typeof(at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT employment_ended_at FROM rec_access_removals WHERE typeof(employment_ended_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT access_removed_at FROM rec_access_removals WHERE typeof(access_removed_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT created_at FROM rec_access_removals WHERE typeof(created_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT updated_at FROM rec_access_removals WHERE typeof(updated_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT detected_at FROM rec_incidents WHERE typeof(detected_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT action_started_at FROM rec_incidents WHERE typeof(action_started_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT resolved_at FROM rec_incidents WHERE typeof(resolved_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT created_at FROM rec_incidents WHERE typeof(created_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT updated_at FROM rec_incidents WHERE typeof(updated_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT tested_at FROM rec_restore_tests WHERE typeof(tested_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT created_at FROM rec_restore_tests WHERE typeof(created_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT updated_at FROM rec_restore_tests WHERE typeof(updated_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT created_at FROM rec_suppliers WHERE typeof(created_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT updated_at FROM rec_suppliers WHERE typeof(updated_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT assessed_at FROM rec_supplier_assessments WHERE typeof(assessed_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT created_at FROM rec_supplier_assessments WHERE typeof(created_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT updated_at FROM rec_supplier_assessments WHERE typeof(updated_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT implemented_at FROM rec_changes WHERE typeof(implemented_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT created_at FROM rec_changes WHERE typeof(created_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT updated_at FROM rec_changes WHERE typeof(updated_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT found_at FROM rec_vulnerabilities WHERE typeof(found_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT fixed_at FROM rec_vulnerabilities WHERE typeof(fixed_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT created_at FROM rec_vulnerabilities WHERE typeof(created_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT updated_at FROM rec_vulnerabilities WHERE typeof(updated_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT due_at FROM rec_training WHERE typeof(due_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT completed_at FROM rec_training WHERE typeof(completed_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT created_at FROM rec_training WHERE typeof(created_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT updated_at FROM rec_training WHERE typeof(updated_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT detected_at FROM rec_deviations WHERE typeof(detected_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT closed_at FROM rec_deviations WHERE typeof(closed_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT created_at FROM rec_deviations WHERE typeof(created_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT updated_at FROM rec_deviations WHERE typeof(updated_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT raised_at FROM rec_audit_findings WHERE typeof(raised_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT closed_at FROM rec_audit_findings WHERE typeof(closed_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT created_at FROM rec_audit_findings WHERE typeof(created_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT updated_at FROM rec_audit_findings WHERE typeof(updated_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT created_at FROM metric_definitions WHERE typeof(created_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT at FROM manual_values WHERE typeof(at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT as_of FROM measurements WHERE typeof(as_of) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT computed_at FROM measurements WHERE typeof(computed_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT created_at FROM processes WHERE typeof(created_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT updated_at FROM processes WHERE typeof(updated_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT starts_on FROM cycles WHERE typeof(starts_on) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT ends_on FROM cycles WHERE typeof(ends_on) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT created_at FROM cycles WHERE typeof(created_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT planned_on FROM internal_audits WHERE typeof(planned_on) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT actual_on FROM internal_audits WHERE typeof(actual_on) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT created_at FROM internal_audits WHERE typeof(created_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT updated_at FROM internal_audits WHERE typeof(updated_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT detected_at FROM deviations WHERE typeof(detected_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT due_at FROM deviations WHERE typeof(due_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT correction_at FROM deviations WHERE typeof(correction_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT check_due_at FROM deviations WHERE typeof(check_due_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT closed_at FROM deviations WHERE typeof(closed_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT created_at FROM deviations WHERE typeof(created_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT updated_at FROM deviations WHERE typeof(updated_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT due_at FROM corrective_actions WHERE typeof(due_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT done_at FROM corrective_actions WHERE typeof(done_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT created_at FROM corrective_actions WHERE typeof(created_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT checked_at FROM effectiveness_checks WHERE typeof(checked_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT raised_at FROM audit_findings WHERE typeof(raised_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT closed_at FROM audit_findings WHERE typeof(closed_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT created_at FROM action_evidence WHERE typeof(created_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT assessed_at FROM risks WHERE typeof(assessed_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT next_review FROM risks WHERE typeof(next_review) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT created_at FROM risks WHERE typeof(created_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT updated_at FROM risks WHERE typeof(updated_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT assessed_at FROM risk_assessments WHERE typeof(assessed_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT updated_at FROM risk_settings WHERE typeof(updated_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT updated_at FROM soa_entries WHERE typeof(updated_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT paused_until FROM notification_prefs WHERE typeof(paused_until) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT sent_at FROM reminders_sent WHERE typeof(sent_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT created_at FROM deliveries WHERE typeof(created_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT sent_at FROM deliveries WHERE typeof(sent_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT held_on FROM reviews WHERE typeof(held_on) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT signed_at FROM reviews WHERE typeof(signed_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT created_at FROM reviews WHERE typeof(created_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT updated_at FROM reviews WHERE typeof(updated_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT deadline FROM review_actions WHERE typeof(deadline) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT done_at FROM review_actions WHERE typeof(done_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT created_at FROM review_actions WHERE typeof(created_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT recomputed_at FROM metric_recomputes WHERE typeof(recomputed_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT created_at FROM recovery_codes WHERE typeof(created_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT used_at FROM recovery_codes WHERE typeof(used_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT window_start FROM signin_throttle WHERE typeof(window_start) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT last_at FROM signin_throttle WHERE typeof(last_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT created_at FROM invitations WHERE typeof(created_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT expires_at FROM invitations WHERE typeof(expires_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT taken_at FROM audit_checkpoints WHERE typeof(taken_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT created_at FROM user_passkeys WHERE typeof(created_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT last_used_at FROM user_passkeys WHERE typeof(last_used_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT touched_at FROM import_pending WHERE typeof(touched_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT created_at FROM incident_report_links WHERE typeof(created_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT created_at FROM import_profiles WHERE typeof(created_at) = 'text';
INSERT OR IGNORE INTO time_text (v) SELECT updated_at FROM import_profiles WHERE typeof(updated_at) = 'text';
UPDATE time_text SET frac = CASE WHEN substr(v, 20, 1) = '.' THEN substr(CAST(CAST('1' || substr(v, 21) AS INTEGER) AS TEXT), 2) ELSE '' END;
UPDATE time_text SET tz = substr(v, 20 + CASE WHEN substr(v, 20, 1) = '.' THEN length(frac) + 1 ELSE 0 END);
UPDATE time_text SET us = unixepoch(substr(v, 1, 19) || tz) * 1000000 + CAST(substr(frac || '000000', 1, 6) AS INTEGER)
WHERE length(v) >= 19 AND unixepoch(substr(v, 1, 19) || tz) IS NOT NULL;

-- A lookup compares with CAST(column AS TEXT): the time columns have
-- NUMERIC affinity, and comparing the text key with one directly would
-- apply that affinity to the key and scan the whole table for every row
-- (a million records took more than ten minutes; by the key, seconds).

-- The audit trail refuses updates; its times are rewritten under the same
-- transaction with the guard lifted, then the guard is put back.
DROP TRIGGER audit_events_no_update;

UPDATE organizations SET
    created_at = CASE WHEN typeof(created_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(created_at AS TEXT)), created_at) ELSE created_at END
WHERE typeof(created_at) = 'text';
UPDATE users SET
    created_at = CASE WHEN typeof(created_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(created_at AS TEXT)), created_at) ELSE created_at END,
    password_changed_at = CASE WHEN typeof(password_changed_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(password_changed_at AS TEXT)), password_changed_at) ELSE password_changed_at END,
    sessions_valid_since = CASE WHEN typeof(sessions_valid_since) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(sessions_valid_since AS TEXT)), sessions_valid_since) ELSE sessions_valid_since END,
    totp_enabled_at = CASE WHEN typeof(totp_enabled_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(totp_enabled_at AS TEXT)), totp_enabled_at) ELSE totp_enabled_at END
WHERE typeof(created_at) = 'text' OR typeof(password_changed_at) = 'text' OR typeof(sessions_valid_since) = 'text' OR typeof(totp_enabled_at) = 'text';
UPDATE memberships SET
    created_at = CASE WHEN typeof(created_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(created_at AS TEXT)), created_at) ELSE created_at END
WHERE typeof(created_at) = 'text';
UPDATE api_tokens SET
    created_at = CASE WHEN typeof(created_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(created_at AS TEXT)), created_at) ELSE created_at END,
    last_used_at = CASE WHEN typeof(last_used_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(last_used_at AS TEXT)), last_used_at) ELSE last_used_at END,
    revoked_at = CASE WHEN typeof(revoked_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(revoked_at AS TEXT)), revoked_at) ELSE revoked_at END,
    expires_at = CASE WHEN typeof(expires_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(expires_at AS TEXT)), expires_at) ELSE expires_at END,
    denied_at = CASE WHEN typeof(denied_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(denied_at AS TEXT)), denied_at) ELSE denied_at END
WHERE typeof(created_at) = 'text' OR typeof(last_used_at) = 'text' OR typeof(revoked_at) = 'text' OR typeof(expires_at) = 'text' OR typeof(denied_at) = 'text';
UPDATE audit_events SET
    at = CASE WHEN typeof(at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(at AS TEXT)), at) ELSE at END
WHERE typeof(at) = 'text';
UPDATE imports SET
    at = CASE WHEN typeof(at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(at AS TEXT)), at) ELSE at END
WHERE typeof(at) = 'text';
UPDATE rec_access_removals SET
    employment_ended_at = CASE WHEN typeof(employment_ended_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(employment_ended_at AS TEXT)), employment_ended_at) ELSE employment_ended_at END,
    access_removed_at = CASE WHEN typeof(access_removed_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(access_removed_at AS TEXT)), access_removed_at) ELSE access_removed_at END,
    created_at = CASE WHEN typeof(created_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(created_at AS TEXT)), created_at) ELSE created_at END,
    updated_at = CASE WHEN typeof(updated_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(updated_at AS TEXT)), updated_at) ELSE updated_at END
WHERE typeof(employment_ended_at) = 'text' OR typeof(access_removed_at) = 'text' OR typeof(created_at) = 'text' OR typeof(updated_at) = 'text';
UPDATE rec_incidents SET
    detected_at = CASE WHEN typeof(detected_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(detected_at AS TEXT)), detected_at) ELSE detected_at END,
    action_started_at = CASE WHEN typeof(action_started_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(action_started_at AS TEXT)), action_started_at) ELSE action_started_at END,
    resolved_at = CASE WHEN typeof(resolved_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(resolved_at AS TEXT)), resolved_at) ELSE resolved_at END,
    created_at = CASE WHEN typeof(created_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(created_at AS TEXT)), created_at) ELSE created_at END,
    updated_at = CASE WHEN typeof(updated_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(updated_at AS TEXT)), updated_at) ELSE updated_at END
WHERE typeof(detected_at) = 'text' OR typeof(action_started_at) = 'text' OR typeof(resolved_at) = 'text' OR typeof(created_at) = 'text' OR typeof(updated_at) = 'text';
UPDATE rec_restore_tests SET
    tested_at = CASE WHEN typeof(tested_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(tested_at AS TEXT)), tested_at) ELSE tested_at END,
    created_at = CASE WHEN typeof(created_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(created_at AS TEXT)), created_at) ELSE created_at END,
    updated_at = CASE WHEN typeof(updated_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(updated_at AS TEXT)), updated_at) ELSE updated_at END
WHERE typeof(tested_at) = 'text' OR typeof(created_at) = 'text' OR typeof(updated_at) = 'text';
UPDATE rec_suppliers SET
    created_at = CASE WHEN typeof(created_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(created_at AS TEXT)), created_at) ELSE created_at END,
    updated_at = CASE WHEN typeof(updated_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(updated_at AS TEXT)), updated_at) ELSE updated_at END
WHERE typeof(created_at) = 'text' OR typeof(updated_at) = 'text';
UPDATE rec_supplier_assessments SET
    assessed_at = CASE WHEN typeof(assessed_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(assessed_at AS TEXT)), assessed_at) ELSE assessed_at END,
    created_at = CASE WHEN typeof(created_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(created_at AS TEXT)), created_at) ELSE created_at END,
    updated_at = CASE WHEN typeof(updated_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(updated_at AS TEXT)), updated_at) ELSE updated_at END
WHERE typeof(assessed_at) = 'text' OR typeof(created_at) = 'text' OR typeof(updated_at) = 'text';
UPDATE rec_changes SET
    implemented_at = CASE WHEN typeof(implemented_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(implemented_at AS TEXT)), implemented_at) ELSE implemented_at END,
    created_at = CASE WHEN typeof(created_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(created_at AS TEXT)), created_at) ELSE created_at END,
    updated_at = CASE WHEN typeof(updated_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(updated_at AS TEXT)), updated_at) ELSE updated_at END
WHERE typeof(implemented_at) = 'text' OR typeof(created_at) = 'text' OR typeof(updated_at) = 'text';
UPDATE rec_vulnerabilities SET
    found_at = CASE WHEN typeof(found_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(found_at AS TEXT)), found_at) ELSE found_at END,
    fixed_at = CASE WHEN typeof(fixed_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(fixed_at AS TEXT)), fixed_at) ELSE fixed_at END,
    created_at = CASE WHEN typeof(created_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(created_at AS TEXT)), created_at) ELSE created_at END,
    updated_at = CASE WHEN typeof(updated_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(updated_at AS TEXT)), updated_at) ELSE updated_at END
WHERE typeof(found_at) = 'text' OR typeof(fixed_at) = 'text' OR typeof(created_at) = 'text' OR typeof(updated_at) = 'text';
UPDATE rec_training SET
    due_at = CASE WHEN typeof(due_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(due_at AS TEXT)), due_at) ELSE due_at END,
    completed_at = CASE WHEN typeof(completed_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(completed_at AS TEXT)), completed_at) ELSE completed_at END,
    created_at = CASE WHEN typeof(created_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(created_at AS TEXT)), created_at) ELSE created_at END,
    updated_at = CASE WHEN typeof(updated_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(updated_at AS TEXT)), updated_at) ELSE updated_at END
WHERE typeof(due_at) = 'text' OR typeof(completed_at) = 'text' OR typeof(created_at) = 'text' OR typeof(updated_at) = 'text';
UPDATE rec_deviations SET
    detected_at = CASE WHEN typeof(detected_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(detected_at AS TEXT)), detected_at) ELSE detected_at END,
    closed_at = CASE WHEN typeof(closed_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(closed_at AS TEXT)), closed_at) ELSE closed_at END,
    created_at = CASE WHEN typeof(created_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(created_at AS TEXT)), created_at) ELSE created_at END,
    updated_at = CASE WHEN typeof(updated_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(updated_at AS TEXT)), updated_at) ELSE updated_at END
WHERE typeof(detected_at) = 'text' OR typeof(closed_at) = 'text' OR typeof(created_at) = 'text' OR typeof(updated_at) = 'text';
UPDATE rec_audit_findings SET
    raised_at = CASE WHEN typeof(raised_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(raised_at AS TEXT)), raised_at) ELSE raised_at END,
    closed_at = CASE WHEN typeof(closed_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(closed_at AS TEXT)), closed_at) ELSE closed_at END,
    created_at = CASE WHEN typeof(created_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(created_at AS TEXT)), created_at) ELSE created_at END,
    updated_at = CASE WHEN typeof(updated_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(updated_at AS TEXT)), updated_at) ELSE updated_at END
WHERE typeof(raised_at) = 'text' OR typeof(closed_at) = 'text' OR typeof(created_at) = 'text' OR typeof(updated_at) = 'text';
UPDATE metric_definitions SET
    created_at = CASE WHEN typeof(created_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(created_at AS TEXT)), created_at) ELSE created_at END
WHERE typeof(created_at) = 'text';
UPDATE manual_values SET
    at = CASE WHEN typeof(at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(at AS TEXT)), at) ELSE at END
WHERE typeof(at) = 'text';
UPDATE measurements SET
    as_of = CASE WHEN typeof(as_of) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(as_of AS TEXT)), as_of) ELSE as_of END,
    computed_at = CASE WHEN typeof(computed_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(computed_at AS TEXT)), computed_at) ELSE computed_at END
WHERE typeof(as_of) = 'text' OR typeof(computed_at) = 'text';
UPDATE processes SET
    created_at = CASE WHEN typeof(created_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(created_at AS TEXT)), created_at) ELSE created_at END,
    updated_at = CASE WHEN typeof(updated_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(updated_at AS TEXT)), updated_at) ELSE updated_at END
WHERE typeof(created_at) = 'text' OR typeof(updated_at) = 'text';
UPDATE cycles SET
    starts_on = CASE WHEN typeof(starts_on) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(starts_on AS TEXT)), starts_on) ELSE starts_on END,
    ends_on = CASE WHEN typeof(ends_on) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(ends_on AS TEXT)), ends_on) ELSE ends_on END,
    created_at = CASE WHEN typeof(created_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(created_at AS TEXT)), created_at) ELSE created_at END
WHERE typeof(starts_on) = 'text' OR typeof(ends_on) = 'text' OR typeof(created_at) = 'text';
UPDATE internal_audits SET
    planned_on = CASE WHEN typeof(planned_on) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(planned_on AS TEXT)), planned_on) ELSE planned_on END,
    actual_on = CASE WHEN typeof(actual_on) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(actual_on AS TEXT)), actual_on) ELSE actual_on END,
    created_at = CASE WHEN typeof(created_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(created_at AS TEXT)), created_at) ELSE created_at END,
    updated_at = CASE WHEN typeof(updated_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(updated_at AS TEXT)), updated_at) ELSE updated_at END
WHERE typeof(planned_on) = 'text' OR typeof(actual_on) = 'text' OR typeof(created_at) = 'text' OR typeof(updated_at) = 'text';
UPDATE deviations SET
    detected_at = CASE WHEN typeof(detected_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(detected_at AS TEXT)), detected_at) ELSE detected_at END,
    due_at = CASE WHEN typeof(due_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(due_at AS TEXT)), due_at) ELSE due_at END,
    correction_at = CASE WHEN typeof(correction_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(correction_at AS TEXT)), correction_at) ELSE correction_at END,
    check_due_at = CASE WHEN typeof(check_due_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(check_due_at AS TEXT)), check_due_at) ELSE check_due_at END,
    closed_at = CASE WHEN typeof(closed_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(closed_at AS TEXT)), closed_at) ELSE closed_at END,
    created_at = CASE WHEN typeof(created_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(created_at AS TEXT)), created_at) ELSE created_at END,
    updated_at = CASE WHEN typeof(updated_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(updated_at AS TEXT)), updated_at) ELSE updated_at END
WHERE typeof(detected_at) = 'text' OR typeof(due_at) = 'text' OR typeof(correction_at) = 'text' OR typeof(check_due_at) = 'text' OR typeof(closed_at) = 'text' OR typeof(created_at) = 'text' OR typeof(updated_at) = 'text';
UPDATE corrective_actions SET
    due_at = CASE WHEN typeof(due_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(due_at AS TEXT)), due_at) ELSE due_at END,
    done_at = CASE WHEN typeof(done_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(done_at AS TEXT)), done_at) ELSE done_at END,
    created_at = CASE WHEN typeof(created_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(created_at AS TEXT)), created_at) ELSE created_at END
WHERE typeof(due_at) = 'text' OR typeof(done_at) = 'text' OR typeof(created_at) = 'text';
UPDATE effectiveness_checks SET
    checked_at = CASE WHEN typeof(checked_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(checked_at AS TEXT)), checked_at) ELSE checked_at END
WHERE typeof(checked_at) = 'text';
UPDATE audit_findings SET
    raised_at = CASE WHEN typeof(raised_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(raised_at AS TEXT)), raised_at) ELSE raised_at END,
    closed_at = CASE WHEN typeof(closed_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(closed_at AS TEXT)), closed_at) ELSE closed_at END
WHERE typeof(raised_at) = 'text' OR typeof(closed_at) = 'text';
UPDATE action_evidence SET
    created_at = CASE WHEN typeof(created_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(created_at AS TEXT)), created_at) ELSE created_at END
WHERE typeof(created_at) = 'text';
UPDATE risks SET
    assessed_at = CASE WHEN typeof(assessed_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(assessed_at AS TEXT)), assessed_at) ELSE assessed_at END,
    next_review = CASE WHEN typeof(next_review) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(next_review AS TEXT)), next_review) ELSE next_review END,
    created_at = CASE WHEN typeof(created_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(created_at AS TEXT)), created_at) ELSE created_at END,
    updated_at = CASE WHEN typeof(updated_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(updated_at AS TEXT)), updated_at) ELSE updated_at END
WHERE typeof(assessed_at) = 'text' OR typeof(next_review) = 'text' OR typeof(created_at) = 'text' OR typeof(updated_at) = 'text';
UPDATE risk_assessments SET
    assessed_at = CASE WHEN typeof(assessed_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(assessed_at AS TEXT)), assessed_at) ELSE assessed_at END
WHERE typeof(assessed_at) = 'text';
UPDATE risk_settings SET
    updated_at = CASE WHEN typeof(updated_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(updated_at AS TEXT)), updated_at) ELSE updated_at END
WHERE typeof(updated_at) = 'text';
UPDATE soa_entries SET
    updated_at = CASE WHEN typeof(updated_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(updated_at AS TEXT)), updated_at) ELSE updated_at END
WHERE typeof(updated_at) = 'text';
UPDATE notification_prefs SET
    paused_until = CASE WHEN typeof(paused_until) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(paused_until AS TEXT)), paused_until) ELSE paused_until END
WHERE typeof(paused_until) = 'text';
UPDATE reminders_sent SET
    sent_at = CASE WHEN typeof(sent_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(sent_at AS TEXT)), sent_at) ELSE sent_at END
WHERE typeof(sent_at) = 'text';
UPDATE deliveries SET
    created_at = CASE WHEN typeof(created_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(created_at AS TEXT)), created_at) ELSE created_at END,
    sent_at = CASE WHEN typeof(sent_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(sent_at AS TEXT)), sent_at) ELSE sent_at END
WHERE typeof(created_at) = 'text' OR typeof(sent_at) = 'text';
UPDATE reviews SET
    held_on = CASE WHEN typeof(held_on) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(held_on AS TEXT)), held_on) ELSE held_on END,
    signed_at = CASE WHEN typeof(signed_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(signed_at AS TEXT)), signed_at) ELSE signed_at END,
    created_at = CASE WHEN typeof(created_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(created_at AS TEXT)), created_at) ELSE created_at END,
    updated_at = CASE WHEN typeof(updated_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(updated_at AS TEXT)), updated_at) ELSE updated_at END
WHERE typeof(held_on) = 'text' OR typeof(signed_at) = 'text' OR typeof(created_at) = 'text' OR typeof(updated_at) = 'text';
UPDATE review_actions SET
    deadline = CASE WHEN typeof(deadline) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(deadline AS TEXT)), deadline) ELSE deadline END,
    done_at = CASE WHEN typeof(done_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(done_at AS TEXT)), done_at) ELSE done_at END,
    created_at = CASE WHEN typeof(created_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(created_at AS TEXT)), created_at) ELSE created_at END
WHERE typeof(deadline) = 'text' OR typeof(done_at) = 'text' OR typeof(created_at) = 'text';
UPDATE metric_recomputes SET
    recomputed_at = CASE WHEN typeof(recomputed_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(recomputed_at AS TEXT)), recomputed_at) ELSE recomputed_at END
WHERE typeof(recomputed_at) = 'text';
UPDATE recovery_codes SET
    created_at = CASE WHEN typeof(created_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(created_at AS TEXT)), created_at) ELSE created_at END,
    used_at = CASE WHEN typeof(used_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(used_at AS TEXT)), used_at) ELSE used_at END
WHERE typeof(created_at) = 'text' OR typeof(used_at) = 'text';
UPDATE signin_throttle SET
    window_start = CASE WHEN typeof(window_start) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(window_start AS TEXT)), window_start) ELSE window_start END,
    last_at = CASE WHEN typeof(last_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(last_at AS TEXT)), last_at) ELSE last_at END
WHERE typeof(window_start) = 'text' OR typeof(last_at) = 'text';
UPDATE invitations SET
    created_at = CASE WHEN typeof(created_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(created_at AS TEXT)), created_at) ELSE created_at END,
    expires_at = CASE WHEN typeof(expires_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(expires_at AS TEXT)), expires_at) ELSE expires_at END
WHERE typeof(created_at) = 'text' OR typeof(expires_at) = 'text';
UPDATE audit_checkpoints SET
    taken_at = CASE WHEN typeof(taken_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(taken_at AS TEXT)), taken_at) ELSE taken_at END
WHERE typeof(taken_at) = 'text';
UPDATE user_passkeys SET
    created_at = CASE WHEN typeof(created_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(created_at AS TEXT)), created_at) ELSE created_at END,
    last_used_at = CASE WHEN typeof(last_used_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(last_used_at AS TEXT)), last_used_at) ELSE last_used_at END
WHERE typeof(created_at) = 'text' OR typeof(last_used_at) = 'text';
UPDATE import_pending SET
    touched_at = CASE WHEN typeof(touched_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(touched_at AS TEXT)), touched_at) ELSE touched_at END
WHERE typeof(touched_at) = 'text';
UPDATE incident_report_links SET
    created_at = CASE WHEN typeof(created_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(created_at AS TEXT)), created_at) ELSE created_at END
WHERE typeof(created_at) = 'text';
UPDATE import_profiles SET
    created_at = CASE WHEN typeof(created_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(created_at AS TEXT)), created_at) ELSE created_at END,
    updated_at = CASE WHEN typeof(updated_at) = 'text' THEN COALESCE((SELECT us FROM time_text WHERE v = CAST(updated_at AS TEXT)), updated_at) ELSE updated_at END
WHERE typeof(created_at) = 'text' OR typeof(updated_at) = 'text';
-- +goose StatementBegin
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit trail is append-only');
END;
-- +goose StatementEnd
DROP TABLE time_text;

-- +goose Down
-- Back to the driver's text form, in UTC with six fractional digits.
DROP TRIGGER audit_events_no_update;
UPDATE organizations SET
    created_at = CASE WHEN typeof(created_at) = 'integer' THEN datetime(created_at / 1000000, 'unixepoch') || '.' || printf('%06d', created_at % 1000000) || '+00:00' ELSE created_at END
WHERE typeof(created_at) = 'integer';
UPDATE users SET
    created_at = CASE WHEN typeof(created_at) = 'integer' THEN datetime(created_at / 1000000, 'unixepoch') || '.' || printf('%06d', created_at % 1000000) || '+00:00' ELSE created_at END,
    password_changed_at = CASE WHEN typeof(password_changed_at) = 'integer' THEN datetime(password_changed_at / 1000000, 'unixepoch') || '.' || printf('%06d', password_changed_at % 1000000) || '+00:00' ELSE password_changed_at END,
    sessions_valid_since = CASE WHEN typeof(sessions_valid_since) = 'integer' THEN datetime(sessions_valid_since / 1000000, 'unixepoch') || '.' || printf('%06d', sessions_valid_since % 1000000) || '+00:00' ELSE sessions_valid_since END,
    totp_enabled_at = CASE WHEN typeof(totp_enabled_at) = 'integer' THEN datetime(totp_enabled_at / 1000000, 'unixepoch') || '.' || printf('%06d', totp_enabled_at % 1000000) || '+00:00' ELSE totp_enabled_at END
WHERE typeof(created_at) = 'integer' OR typeof(password_changed_at) = 'integer' OR typeof(sessions_valid_since) = 'integer' OR typeof(totp_enabled_at) = 'integer';
UPDATE memberships SET
    created_at = CASE WHEN typeof(created_at) = 'integer' THEN datetime(created_at / 1000000, 'unixepoch') || '.' || printf('%06d', created_at % 1000000) || '+00:00' ELSE created_at END
WHERE typeof(created_at) = 'integer';
UPDATE api_tokens SET
    created_at = CASE WHEN typeof(created_at) = 'integer' THEN datetime(created_at / 1000000, 'unixepoch') || '.' || printf('%06d', created_at % 1000000) || '+00:00' ELSE created_at END,
    last_used_at = CASE WHEN typeof(last_used_at) = 'integer' THEN datetime(last_used_at / 1000000, 'unixepoch') || '.' || printf('%06d', last_used_at % 1000000) || '+00:00' ELSE last_used_at END,
    revoked_at = CASE WHEN typeof(revoked_at) = 'integer' THEN datetime(revoked_at / 1000000, 'unixepoch') || '.' || printf('%06d', revoked_at % 1000000) || '+00:00' ELSE revoked_at END,
    expires_at = CASE WHEN typeof(expires_at) = 'integer' THEN datetime(expires_at / 1000000, 'unixepoch') || '.' || printf('%06d', expires_at % 1000000) || '+00:00' ELSE expires_at END,
    denied_at = CASE WHEN typeof(denied_at) = 'integer' THEN datetime(denied_at / 1000000, 'unixepoch') || '.' || printf('%06d', denied_at % 1000000) || '+00:00' ELSE denied_at END
WHERE typeof(created_at) = 'integer' OR typeof(last_used_at) = 'integer' OR typeof(revoked_at) = 'integer' OR typeof(expires_at) = 'integer' OR typeof(denied_at) = 'integer';
UPDATE audit_events SET
    at = CASE WHEN typeof(at) = 'integer' THEN datetime(at / 1000000, 'unixepoch') || '.' || printf('%06d', at % 1000000) || '+00:00' ELSE at END
WHERE typeof(at) = 'integer';
UPDATE imports SET
    at = CASE WHEN typeof(at) = 'integer' THEN datetime(at / 1000000, 'unixepoch') || '.' || printf('%06d', at % 1000000) || '+00:00' ELSE at END
WHERE typeof(at) = 'integer';
UPDATE rec_access_removals SET
    employment_ended_at = CASE WHEN typeof(employment_ended_at) = 'integer' THEN datetime(employment_ended_at / 1000000, 'unixepoch') || '.' || printf('%06d', employment_ended_at % 1000000) || '+00:00' ELSE employment_ended_at END,
    access_removed_at = CASE WHEN typeof(access_removed_at) = 'integer' THEN datetime(access_removed_at / 1000000, 'unixepoch') || '.' || printf('%06d', access_removed_at % 1000000) || '+00:00' ELSE access_removed_at END,
    created_at = CASE WHEN typeof(created_at) = 'integer' THEN datetime(created_at / 1000000, 'unixepoch') || '.' || printf('%06d', created_at % 1000000) || '+00:00' ELSE created_at END,
    updated_at = CASE WHEN typeof(updated_at) = 'integer' THEN datetime(updated_at / 1000000, 'unixepoch') || '.' || printf('%06d', updated_at % 1000000) || '+00:00' ELSE updated_at END
WHERE typeof(employment_ended_at) = 'integer' OR typeof(access_removed_at) = 'integer' OR typeof(created_at) = 'integer' OR typeof(updated_at) = 'integer';
UPDATE rec_incidents SET
    detected_at = CASE WHEN typeof(detected_at) = 'integer' THEN datetime(detected_at / 1000000, 'unixepoch') || '.' || printf('%06d', detected_at % 1000000) || '+00:00' ELSE detected_at END,
    action_started_at = CASE WHEN typeof(action_started_at) = 'integer' THEN datetime(action_started_at / 1000000, 'unixepoch') || '.' || printf('%06d', action_started_at % 1000000) || '+00:00' ELSE action_started_at END,
    resolved_at = CASE WHEN typeof(resolved_at) = 'integer' THEN datetime(resolved_at / 1000000, 'unixepoch') || '.' || printf('%06d', resolved_at % 1000000) || '+00:00' ELSE resolved_at END,
    created_at = CASE WHEN typeof(created_at) = 'integer' THEN datetime(created_at / 1000000, 'unixepoch') || '.' || printf('%06d', created_at % 1000000) || '+00:00' ELSE created_at END,
    updated_at = CASE WHEN typeof(updated_at) = 'integer' THEN datetime(updated_at / 1000000, 'unixepoch') || '.' || printf('%06d', updated_at % 1000000) || '+00:00' ELSE updated_at END
WHERE typeof(detected_at) = 'integer' OR typeof(action_started_at) = 'integer' OR typeof(resolved_at) = 'integer' OR typeof(created_at) = 'integer' OR typeof(updated_at) = 'integer';
UPDATE rec_restore_tests SET
    tested_at = CASE WHEN typeof(tested_at) = 'integer' THEN datetime(tested_at / 1000000, 'unixepoch') || '.' || printf('%06d', tested_at % 1000000) || '+00:00' ELSE tested_at END,
    created_at = CASE WHEN typeof(created_at) = 'integer' THEN datetime(created_at / 1000000, 'unixepoch') || '.' || printf('%06d', created_at % 1000000) || '+00:00' ELSE created_at END,
    updated_at = CASE WHEN typeof(updated_at) = 'integer' THEN datetime(updated_at / 1000000, 'unixepoch') || '.' || printf('%06d', updated_at % 1000000) || '+00:00' ELSE updated_at END
WHERE typeof(tested_at) = 'integer' OR typeof(created_at) = 'integer' OR typeof(updated_at) = 'integer';
UPDATE rec_suppliers SET
    created_at = CASE WHEN typeof(created_at) = 'integer' THEN datetime(created_at / 1000000, 'unixepoch') || '.' || printf('%06d', created_at % 1000000) || '+00:00' ELSE created_at END,
    updated_at = CASE WHEN typeof(updated_at) = 'integer' THEN datetime(updated_at / 1000000, 'unixepoch') || '.' || printf('%06d', updated_at % 1000000) || '+00:00' ELSE updated_at END
WHERE typeof(created_at) = 'integer' OR typeof(updated_at) = 'integer';
UPDATE rec_supplier_assessments SET
    assessed_at = CASE WHEN typeof(assessed_at) = 'integer' THEN datetime(assessed_at / 1000000, 'unixepoch') || '.' || printf('%06d', assessed_at % 1000000) || '+00:00' ELSE assessed_at END,
    created_at = CASE WHEN typeof(created_at) = 'integer' THEN datetime(created_at / 1000000, 'unixepoch') || '.' || printf('%06d', created_at % 1000000) || '+00:00' ELSE created_at END,
    updated_at = CASE WHEN typeof(updated_at) = 'integer' THEN datetime(updated_at / 1000000, 'unixepoch') || '.' || printf('%06d', updated_at % 1000000) || '+00:00' ELSE updated_at END
WHERE typeof(assessed_at) = 'integer' OR typeof(created_at) = 'integer' OR typeof(updated_at) = 'integer';
UPDATE rec_changes SET
    implemented_at = CASE WHEN typeof(implemented_at) = 'integer' THEN datetime(implemented_at / 1000000, 'unixepoch') || '.' || printf('%06d', implemented_at % 1000000) || '+00:00' ELSE implemented_at END,
    created_at = CASE WHEN typeof(created_at) = 'integer' THEN datetime(created_at / 1000000, 'unixepoch') || '.' || printf('%06d', created_at % 1000000) || '+00:00' ELSE created_at END,
    updated_at = CASE WHEN typeof(updated_at) = 'integer' THEN datetime(updated_at / 1000000, 'unixepoch') || '.' || printf('%06d', updated_at % 1000000) || '+00:00' ELSE updated_at END
WHERE typeof(implemented_at) = 'integer' OR typeof(created_at) = 'integer' OR typeof(updated_at) = 'integer';
UPDATE rec_vulnerabilities SET
    found_at = CASE WHEN typeof(found_at) = 'integer' THEN datetime(found_at / 1000000, 'unixepoch') || '.' || printf('%06d', found_at % 1000000) || '+00:00' ELSE found_at END,
    fixed_at = CASE WHEN typeof(fixed_at) = 'integer' THEN datetime(fixed_at / 1000000, 'unixepoch') || '.' || printf('%06d', fixed_at % 1000000) || '+00:00' ELSE fixed_at END,
    created_at = CASE WHEN typeof(created_at) = 'integer' THEN datetime(created_at / 1000000, 'unixepoch') || '.' || printf('%06d', created_at % 1000000) || '+00:00' ELSE created_at END,
    updated_at = CASE WHEN typeof(updated_at) = 'integer' THEN datetime(updated_at / 1000000, 'unixepoch') || '.' || printf('%06d', updated_at % 1000000) || '+00:00' ELSE updated_at END
WHERE typeof(found_at) = 'integer' OR typeof(fixed_at) = 'integer' OR typeof(created_at) = 'integer' OR typeof(updated_at) = 'integer';
UPDATE rec_training SET
    due_at = CASE WHEN typeof(due_at) = 'integer' THEN datetime(due_at / 1000000, 'unixepoch') || '.' || printf('%06d', due_at % 1000000) || '+00:00' ELSE due_at END,
    completed_at = CASE WHEN typeof(completed_at) = 'integer' THEN datetime(completed_at / 1000000, 'unixepoch') || '.' || printf('%06d', completed_at % 1000000) || '+00:00' ELSE completed_at END,
    created_at = CASE WHEN typeof(created_at) = 'integer' THEN datetime(created_at / 1000000, 'unixepoch') || '.' || printf('%06d', created_at % 1000000) || '+00:00' ELSE created_at END,
    updated_at = CASE WHEN typeof(updated_at) = 'integer' THEN datetime(updated_at / 1000000, 'unixepoch') || '.' || printf('%06d', updated_at % 1000000) || '+00:00' ELSE updated_at END
WHERE typeof(due_at) = 'integer' OR typeof(completed_at) = 'integer' OR typeof(created_at) = 'integer' OR typeof(updated_at) = 'integer';
UPDATE rec_deviations SET
    detected_at = CASE WHEN typeof(detected_at) = 'integer' THEN datetime(detected_at / 1000000, 'unixepoch') || '.' || printf('%06d', detected_at % 1000000) || '+00:00' ELSE detected_at END,
    closed_at = CASE WHEN typeof(closed_at) = 'integer' THEN datetime(closed_at / 1000000, 'unixepoch') || '.' || printf('%06d', closed_at % 1000000) || '+00:00' ELSE closed_at END,
    created_at = CASE WHEN typeof(created_at) = 'integer' THEN datetime(created_at / 1000000, 'unixepoch') || '.' || printf('%06d', created_at % 1000000) || '+00:00' ELSE created_at END,
    updated_at = CASE WHEN typeof(updated_at) = 'integer' THEN datetime(updated_at / 1000000, 'unixepoch') || '.' || printf('%06d', updated_at % 1000000) || '+00:00' ELSE updated_at END
WHERE typeof(detected_at) = 'integer' OR typeof(closed_at) = 'integer' OR typeof(created_at) = 'integer' OR typeof(updated_at) = 'integer';
UPDATE rec_audit_findings SET
    raised_at = CASE WHEN typeof(raised_at) = 'integer' THEN datetime(raised_at / 1000000, 'unixepoch') || '.' || printf('%06d', raised_at % 1000000) || '+00:00' ELSE raised_at END,
    closed_at = CASE WHEN typeof(closed_at) = 'integer' THEN datetime(closed_at / 1000000, 'unixepoch') || '.' || printf('%06d', closed_at % 1000000) || '+00:00' ELSE closed_at END,
    created_at = CASE WHEN typeof(created_at) = 'integer' THEN datetime(created_at / 1000000, 'unixepoch') || '.' || printf('%06d', created_at % 1000000) || '+00:00' ELSE created_at END,
    updated_at = CASE WHEN typeof(updated_at) = 'integer' THEN datetime(updated_at / 1000000, 'unixepoch') || '.' || printf('%06d', updated_at % 1000000) || '+00:00' ELSE updated_at END
WHERE typeof(raised_at) = 'integer' OR typeof(closed_at) = 'integer' OR typeof(created_at) = 'integer' OR typeof(updated_at) = 'integer';
UPDATE metric_definitions SET
    created_at = CASE WHEN typeof(created_at) = 'integer' THEN datetime(created_at / 1000000, 'unixepoch') || '.' || printf('%06d', created_at % 1000000) || '+00:00' ELSE created_at END
WHERE typeof(created_at) = 'integer';
UPDATE manual_values SET
    at = CASE WHEN typeof(at) = 'integer' THEN datetime(at / 1000000, 'unixepoch') || '.' || printf('%06d', at % 1000000) || '+00:00' ELSE at END
WHERE typeof(at) = 'integer';
UPDATE measurements SET
    as_of = CASE WHEN typeof(as_of) = 'integer' THEN datetime(as_of / 1000000, 'unixepoch') || '.' || printf('%06d', as_of % 1000000) || '+00:00' ELSE as_of END,
    computed_at = CASE WHEN typeof(computed_at) = 'integer' THEN datetime(computed_at / 1000000, 'unixepoch') || '.' || printf('%06d', computed_at % 1000000) || '+00:00' ELSE computed_at END
WHERE typeof(as_of) = 'integer' OR typeof(computed_at) = 'integer';
UPDATE processes SET
    created_at = CASE WHEN typeof(created_at) = 'integer' THEN datetime(created_at / 1000000, 'unixepoch') || '.' || printf('%06d', created_at % 1000000) || '+00:00' ELSE created_at END,
    updated_at = CASE WHEN typeof(updated_at) = 'integer' THEN datetime(updated_at / 1000000, 'unixepoch') || '.' || printf('%06d', updated_at % 1000000) || '+00:00' ELSE updated_at END
WHERE typeof(created_at) = 'integer' OR typeof(updated_at) = 'integer';
UPDATE cycles SET
    starts_on = CASE WHEN typeof(starts_on) = 'integer' THEN datetime(starts_on / 1000000, 'unixepoch') || '.' || printf('%06d', starts_on % 1000000) || '+00:00' ELSE starts_on END,
    ends_on = CASE WHEN typeof(ends_on) = 'integer' THEN datetime(ends_on / 1000000, 'unixepoch') || '.' || printf('%06d', ends_on % 1000000) || '+00:00' ELSE ends_on END,
    created_at = CASE WHEN typeof(created_at) = 'integer' THEN datetime(created_at / 1000000, 'unixepoch') || '.' || printf('%06d', created_at % 1000000) || '+00:00' ELSE created_at END
WHERE typeof(starts_on) = 'integer' OR typeof(ends_on) = 'integer' OR typeof(created_at) = 'integer';
UPDATE internal_audits SET
    planned_on = CASE WHEN typeof(planned_on) = 'integer' THEN datetime(planned_on / 1000000, 'unixepoch') || '.' || printf('%06d', planned_on % 1000000) || '+00:00' ELSE planned_on END,
    actual_on = CASE WHEN typeof(actual_on) = 'integer' THEN datetime(actual_on / 1000000, 'unixepoch') || '.' || printf('%06d', actual_on % 1000000) || '+00:00' ELSE actual_on END,
    created_at = CASE WHEN typeof(created_at) = 'integer' THEN datetime(created_at / 1000000, 'unixepoch') || '.' || printf('%06d', created_at % 1000000) || '+00:00' ELSE created_at END,
    updated_at = CASE WHEN typeof(updated_at) = 'integer' THEN datetime(updated_at / 1000000, 'unixepoch') || '.' || printf('%06d', updated_at % 1000000) || '+00:00' ELSE updated_at END
WHERE typeof(planned_on) = 'integer' OR typeof(actual_on) = 'integer' OR typeof(created_at) = 'integer' OR typeof(updated_at) = 'integer';
UPDATE deviations SET
    detected_at = CASE WHEN typeof(detected_at) = 'integer' THEN datetime(detected_at / 1000000, 'unixepoch') || '.' || printf('%06d', detected_at % 1000000) || '+00:00' ELSE detected_at END,
    due_at = CASE WHEN typeof(due_at) = 'integer' THEN datetime(due_at / 1000000, 'unixepoch') || '.' || printf('%06d', due_at % 1000000) || '+00:00' ELSE due_at END,
    correction_at = CASE WHEN typeof(correction_at) = 'integer' THEN datetime(correction_at / 1000000, 'unixepoch') || '.' || printf('%06d', correction_at % 1000000) || '+00:00' ELSE correction_at END,
    check_due_at = CASE WHEN typeof(check_due_at) = 'integer' THEN datetime(check_due_at / 1000000, 'unixepoch') || '.' || printf('%06d', check_due_at % 1000000) || '+00:00' ELSE check_due_at END,
    closed_at = CASE WHEN typeof(closed_at) = 'integer' THEN datetime(closed_at / 1000000, 'unixepoch') || '.' || printf('%06d', closed_at % 1000000) || '+00:00' ELSE closed_at END,
    created_at = CASE WHEN typeof(created_at) = 'integer' THEN datetime(created_at / 1000000, 'unixepoch') || '.' || printf('%06d', created_at % 1000000) || '+00:00' ELSE created_at END,
    updated_at = CASE WHEN typeof(updated_at) = 'integer' THEN datetime(updated_at / 1000000, 'unixepoch') || '.' || printf('%06d', updated_at % 1000000) || '+00:00' ELSE updated_at END
WHERE typeof(detected_at) = 'integer' OR typeof(due_at) = 'integer' OR typeof(correction_at) = 'integer' OR typeof(check_due_at) = 'integer' OR typeof(closed_at) = 'integer' OR typeof(created_at) = 'integer' OR typeof(updated_at) = 'integer';
UPDATE corrective_actions SET
    due_at = CASE WHEN typeof(due_at) = 'integer' THEN datetime(due_at / 1000000, 'unixepoch') || '.' || printf('%06d', due_at % 1000000) || '+00:00' ELSE due_at END,
    done_at = CASE WHEN typeof(done_at) = 'integer' THEN datetime(done_at / 1000000, 'unixepoch') || '.' || printf('%06d', done_at % 1000000) || '+00:00' ELSE done_at END,
    created_at = CASE WHEN typeof(created_at) = 'integer' THEN datetime(created_at / 1000000, 'unixepoch') || '.' || printf('%06d', created_at % 1000000) || '+00:00' ELSE created_at END
WHERE typeof(due_at) = 'integer' OR typeof(done_at) = 'integer' OR typeof(created_at) = 'integer';
UPDATE effectiveness_checks SET
    checked_at = CASE WHEN typeof(checked_at) = 'integer' THEN datetime(checked_at / 1000000, 'unixepoch') || '.' || printf('%06d', checked_at % 1000000) || '+00:00' ELSE checked_at END
WHERE typeof(checked_at) = 'integer';
UPDATE audit_findings SET
    raised_at = CASE WHEN typeof(raised_at) = 'integer' THEN datetime(raised_at / 1000000, 'unixepoch') || '.' || printf('%06d', raised_at % 1000000) || '+00:00' ELSE raised_at END,
    closed_at = CASE WHEN typeof(closed_at) = 'integer' THEN datetime(closed_at / 1000000, 'unixepoch') || '.' || printf('%06d', closed_at % 1000000) || '+00:00' ELSE closed_at END
WHERE typeof(raised_at) = 'integer' OR typeof(closed_at) = 'integer';
UPDATE action_evidence SET
    created_at = CASE WHEN typeof(created_at) = 'integer' THEN datetime(created_at / 1000000, 'unixepoch') || '.' || printf('%06d', created_at % 1000000) || '+00:00' ELSE created_at END
WHERE typeof(created_at) = 'integer';
UPDATE risks SET
    assessed_at = CASE WHEN typeof(assessed_at) = 'integer' THEN datetime(assessed_at / 1000000, 'unixepoch') || '.' || printf('%06d', assessed_at % 1000000) || '+00:00' ELSE assessed_at END,
    next_review = CASE WHEN typeof(next_review) = 'integer' THEN datetime(next_review / 1000000, 'unixepoch') || '.' || printf('%06d', next_review % 1000000) || '+00:00' ELSE next_review END,
    created_at = CASE WHEN typeof(created_at) = 'integer' THEN datetime(created_at / 1000000, 'unixepoch') || '.' || printf('%06d', created_at % 1000000) || '+00:00' ELSE created_at END,
    updated_at = CASE WHEN typeof(updated_at) = 'integer' THEN datetime(updated_at / 1000000, 'unixepoch') || '.' || printf('%06d', updated_at % 1000000) || '+00:00' ELSE updated_at END
WHERE typeof(assessed_at) = 'integer' OR typeof(next_review) = 'integer' OR typeof(created_at) = 'integer' OR typeof(updated_at) = 'integer';
UPDATE risk_assessments SET
    assessed_at = CASE WHEN typeof(assessed_at) = 'integer' THEN datetime(assessed_at / 1000000, 'unixepoch') || '.' || printf('%06d', assessed_at % 1000000) || '+00:00' ELSE assessed_at END
WHERE typeof(assessed_at) = 'integer';
UPDATE risk_settings SET
    updated_at = CASE WHEN typeof(updated_at) = 'integer' THEN datetime(updated_at / 1000000, 'unixepoch') || '.' || printf('%06d', updated_at % 1000000) || '+00:00' ELSE updated_at END
WHERE typeof(updated_at) = 'integer';
UPDATE soa_entries SET
    updated_at = CASE WHEN typeof(updated_at) = 'integer' THEN datetime(updated_at / 1000000, 'unixepoch') || '.' || printf('%06d', updated_at % 1000000) || '+00:00' ELSE updated_at END
WHERE typeof(updated_at) = 'integer';
UPDATE notification_prefs SET
    paused_until = CASE WHEN typeof(paused_until) = 'integer' THEN datetime(paused_until / 1000000, 'unixepoch') || '.' || printf('%06d', paused_until % 1000000) || '+00:00' ELSE paused_until END
WHERE typeof(paused_until) = 'integer';
UPDATE reminders_sent SET
    sent_at = CASE WHEN typeof(sent_at) = 'integer' THEN datetime(sent_at / 1000000, 'unixepoch') || '.' || printf('%06d', sent_at % 1000000) || '+00:00' ELSE sent_at END
WHERE typeof(sent_at) = 'integer';
UPDATE deliveries SET
    created_at = CASE WHEN typeof(created_at) = 'integer' THEN datetime(created_at / 1000000, 'unixepoch') || '.' || printf('%06d', created_at % 1000000) || '+00:00' ELSE created_at END,
    sent_at = CASE WHEN typeof(sent_at) = 'integer' THEN datetime(sent_at / 1000000, 'unixepoch') || '.' || printf('%06d', sent_at % 1000000) || '+00:00' ELSE sent_at END
WHERE typeof(created_at) = 'integer' OR typeof(sent_at) = 'integer';
UPDATE reviews SET
    held_on = CASE WHEN typeof(held_on) = 'integer' THEN datetime(held_on / 1000000, 'unixepoch') || '.' || printf('%06d', held_on % 1000000) || '+00:00' ELSE held_on END,
    signed_at = CASE WHEN typeof(signed_at) = 'integer' THEN datetime(signed_at / 1000000, 'unixepoch') || '.' || printf('%06d', signed_at % 1000000) || '+00:00' ELSE signed_at END,
    created_at = CASE WHEN typeof(created_at) = 'integer' THEN datetime(created_at / 1000000, 'unixepoch') || '.' || printf('%06d', created_at % 1000000) || '+00:00' ELSE created_at END,
    updated_at = CASE WHEN typeof(updated_at) = 'integer' THEN datetime(updated_at / 1000000, 'unixepoch') || '.' || printf('%06d', updated_at % 1000000) || '+00:00' ELSE updated_at END
WHERE typeof(held_on) = 'integer' OR typeof(signed_at) = 'integer' OR typeof(created_at) = 'integer' OR typeof(updated_at) = 'integer';
UPDATE review_actions SET
    deadline = CASE WHEN typeof(deadline) = 'integer' THEN datetime(deadline / 1000000, 'unixepoch') || '.' || printf('%06d', deadline % 1000000) || '+00:00' ELSE deadline END,
    done_at = CASE WHEN typeof(done_at) = 'integer' THEN datetime(done_at / 1000000, 'unixepoch') || '.' || printf('%06d', done_at % 1000000) || '+00:00' ELSE done_at END,
    created_at = CASE WHEN typeof(created_at) = 'integer' THEN datetime(created_at / 1000000, 'unixepoch') || '.' || printf('%06d', created_at % 1000000) || '+00:00' ELSE created_at END
WHERE typeof(deadline) = 'integer' OR typeof(done_at) = 'integer' OR typeof(created_at) = 'integer';
UPDATE metric_recomputes SET
    recomputed_at = CASE WHEN typeof(recomputed_at) = 'integer' THEN datetime(recomputed_at / 1000000, 'unixepoch') || '.' || printf('%06d', recomputed_at % 1000000) || '+00:00' ELSE recomputed_at END
WHERE typeof(recomputed_at) = 'integer';
UPDATE recovery_codes SET
    created_at = CASE WHEN typeof(created_at) = 'integer' THEN datetime(created_at / 1000000, 'unixepoch') || '.' || printf('%06d', created_at % 1000000) || '+00:00' ELSE created_at END,
    used_at = CASE WHEN typeof(used_at) = 'integer' THEN datetime(used_at / 1000000, 'unixepoch') || '.' || printf('%06d', used_at % 1000000) || '+00:00' ELSE used_at END
WHERE typeof(created_at) = 'integer' OR typeof(used_at) = 'integer';
UPDATE signin_throttle SET
    window_start = CASE WHEN typeof(window_start) = 'integer' THEN datetime(window_start / 1000000, 'unixepoch') || '.' || printf('%06d', window_start % 1000000) || '+00:00' ELSE window_start END,
    last_at = CASE WHEN typeof(last_at) = 'integer' THEN datetime(last_at / 1000000, 'unixepoch') || '.' || printf('%06d', last_at % 1000000) || '+00:00' ELSE last_at END
WHERE typeof(window_start) = 'integer' OR typeof(last_at) = 'integer';
UPDATE invitations SET
    created_at = CASE WHEN typeof(created_at) = 'integer' THEN datetime(created_at / 1000000, 'unixepoch') || '.' || printf('%06d', created_at % 1000000) || '+00:00' ELSE created_at END,
    expires_at = CASE WHEN typeof(expires_at) = 'integer' THEN datetime(expires_at / 1000000, 'unixepoch') || '.' || printf('%06d', expires_at % 1000000) || '+00:00' ELSE expires_at END
WHERE typeof(created_at) = 'integer' OR typeof(expires_at) = 'integer';
UPDATE audit_checkpoints SET
    taken_at = CASE WHEN typeof(taken_at) = 'integer' THEN datetime(taken_at / 1000000, 'unixepoch') || '.' || printf('%06d', taken_at % 1000000) || '+00:00' ELSE taken_at END
WHERE typeof(taken_at) = 'integer';
UPDATE user_passkeys SET
    created_at = CASE WHEN typeof(created_at) = 'integer' THEN datetime(created_at / 1000000, 'unixepoch') || '.' || printf('%06d', created_at % 1000000) || '+00:00' ELSE created_at END,
    last_used_at = CASE WHEN typeof(last_used_at) = 'integer' THEN datetime(last_used_at / 1000000, 'unixepoch') || '.' || printf('%06d', last_used_at % 1000000) || '+00:00' ELSE last_used_at END
WHERE typeof(created_at) = 'integer' OR typeof(last_used_at) = 'integer';
UPDATE import_pending SET
    touched_at = CASE WHEN typeof(touched_at) = 'integer' THEN datetime(touched_at / 1000000, 'unixepoch') || '.' || printf('%06d', touched_at % 1000000) || '+00:00' ELSE touched_at END
WHERE typeof(touched_at) = 'integer';
UPDATE incident_report_links SET
    created_at = CASE WHEN typeof(created_at) = 'integer' THEN datetime(created_at / 1000000, 'unixepoch') || '.' || printf('%06d', created_at % 1000000) || '+00:00' ELSE created_at END
WHERE typeof(created_at) = 'integer';
UPDATE import_profiles SET
    created_at = CASE WHEN typeof(created_at) = 'integer' THEN datetime(created_at / 1000000, 'unixepoch') || '.' || printf('%06d', created_at % 1000000) || '+00:00' ELSE created_at END,
    updated_at = CASE WHEN typeof(updated_at) = 'integer' THEN datetime(updated_at / 1000000, 'unixepoch') || '.' || printf('%06d', updated_at % 1000000) || '+00:00' ELSE updated_at END
WHERE typeof(created_at) = 'integer' OR typeof(updated_at) = 'integer';
-- +goose StatementBegin
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit trail is append-only');
END;
-- +goose StatementEnd