package isms

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// labels is the one dictionary of the words people read for pdca's
// identifiers: record fields, roles, permissions, statuses, sources,
// measures and rule kinds. Pages show Label(id), never id; files and the
// API keep the identifiers (docs/records-and-metrics.md, "Display
// labels"). One id has one label wherever it appears, so a field shared
// by kinds (closed_at) reads the same in every register.
var labels = map[string]string{
	// Record fields, every kind (a test checks each field of Kinds()).
	"person": "Person", "system": "System", "employment_ended_at": "Employment ended",
	"access_removed_at": "Access removed", "ref": "Reference", "title": "Title",
	"severity": "Severity", "detected_at": "Detected", "action_started_at": "Action started",
	"resolved_at": "Resolved", "root_cause": "Root cause", "tested_at": "Tested",
	"result": "Result", "notes": "Notes", "name": "Name", "critical": "Critical",
	"supplier": "Supplier", "assessed_at": "Assessed", "implemented_at": "Implemented",
	"documented": "Documented", "approved": "Approved", "asset": "Asset",
	"found_at": "Found", "fixed_at": "Fixed", "course": "Course", "due_at": "Due",
	"completed_at": "Completed", "source": "Source", "closed_at": "Closed",
	"audit": "Audit", "raised_at": "Raised", "grade": "Grade",
	// Other fields people read (audit trail changes).
	"email": "Email", "role": "Role", "status": "Status", "kind": "Kind", "sha256": "SHA-256",
	// Record kinds.
	"access_removals": "Access removals", "incidents": "Incidents", "restore_tests": "Restore tests",
	"suppliers": "Suppliers", "supplier_assessments": "Supplier assessments", "changes": "Changes",
	"vulnerabilities": "Vulnerabilities", "training": "Training assignments",
	"deviations": "Deviations", "audit_findings": "Audit findings",
	// Roles.
	"admin": "Admin", "isms_manager": "ISMS manager", "process_owner": "Process owner",
	"management": "Management", "auditor": "Auditor", "viewer": "Viewer",
	// Permissions.
	"read": "Read", "read_audit": "Read the audit trail", "manage_members": "Manage members",
	"manage_org": "Manage the organisation", "manage_tokens": "Manage API tokens",
	"import": "Import records", "manage_metrics": "Manage metrics",
	"write_records": "Write records", "decide": "Decide", "report_incident": "Report an incident",
	// Deviation statuses, kinds, sources, causes; action statuses; verdicts.
	"open": "Open", "analysing": "Analysing", "actions_planned": "Actions planned",
	"in_progress": "In progress", "verifying": "Verifying", "closed": "Closed",
	"major": "Major nonconformity", "minor": "Minor nonconformity", "observation": "Observation",
	"opportunity": "Opportunity for improvement",
	"metric":      "Metric", "incident": "Incident", "audit_finding": "Audit finding", "complaint": "Complaint",
	"people": "People", "process": "Process", "technology": "Technology", "external": "External",
	"planned": "Planned", "done": "Done", "effective": "Effective", "not_effective": "Not effective",
	// Severities and results.
	"high": "High", "medium": "Medium", "low": "Low", "negligible": "Negligible", "unknown": "Unknown",
	"pass": "Pass", "fail": "Fail",
	// SoA implementation statuses.
	"not_started": "Not started", "partial": "Partial", "implemented": "Implemented",
	// Review statuses and decision kinds.
	"draft": "Draft", "held": "Held", "signed": "Signed",
	"action": "Action", "isms_change": "Change to the ISMS",
	// Metric measures, rule kinds and ratings.
	"share_within": "Share within a time limit", "count": "Count", "percentage": "Percentage",
	"percentile_duration": "Percentile of durations", "stock_count": "Open at period end",
	"stock_aged_count": "Open longer than a limit", "coverage": "Coverage", "manual": "Typed in",
	"at_least": "At least", "at_most": "At most", "not_rising": "Not rising",
	"green": "Green", "yellow": "Yellow", "red": "Red", "grey": "No data",
	// Issue 18: acknowledgement of policies.
	"requested_at": "Requested", "acknowledged_at": "Acknowledged", "document": "Document", "version": "Version",
	"acknowledgements": "Acknowledgement requests", "overdue": "Overdue", "withdrawn": "Withdrawn",
}

// Label returns the words people read for an identifier of pdca's
// vocabulary ("employment_ended_at" → "Employment ended", "isms_manager" →
// "ISMS manager"). An id not in the dictionary reads as its words with a
// capital first letter, so no page shows an underscore even for a column
// a file brought along.
func Label(id string) string {
	if l, ok := labels[id]; ok {
		return l
	}
	return Humanize(id)
}

// HasLabel reports whether the dictionary has an entry for id.
func HasLabel(id string) bool {
	_, ok := labels[id]
	return ok
}

// Humanize turns an identifier into words: underscores become spaces and
// the first letter a capital ("cost_centre" → "Cost centre").
func Humanize(id string) string {
	s := strings.TrimSpace(strings.ReplaceAll(id, "_", " "))
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// Lower returns Label(id) for the middle of a sentence: "is now actions
// planned" reads "is now actions planned", but "ISMS manager" keeps its
// capitals.
func Lower(id string) string {
	l := Label(id)
	r, n := utf8.DecodeRuneInString(l)
	if n == 0 || (len(l) > n && unicode.IsUpper(rune(l[n]))) {
		return l
	}
	return string(unicode.ToLower(r)) + l[n:]
}

// singular names one record of each kind, for "Incident INC-2026-103".
var singular = map[RecordKind]string{
	KindAccessRemovals: "Access removal", KindIncidents: "Incident", KindRestoreTests: "Restore test",
	KindSuppliers: "Supplier", KindSupplierAssessments: "Supplier assessment", KindChanges: "Change",
	KindVulnerabilities: "Vulnerability", KindTraining: "Training assignment",
	KindDeviations: "Deviation", KindAuditFindings: "Audit finding",
}

// KindSingular returns the name of one record of kind k ("Incident").
func KindSingular(k RecordKind) string {
	if s, ok := singular[k]; ok {
		return s
	}
	return Humanize(string(k))
}

// Plural returns "1 row", "2 rows", "0 rows": n and the noun, in the
// plural unless n is 1. A noun whose plural is not noun+"s" gives it as
// the optional third argument ("1 entry", "2 entries").
func Plural(n int, noun string, plural ...string) string {
	w := noun
	if n != 1 {
		if len(plural) > 0 {
			w = plural[0]
		} else {
			w = noun + "s"
		}
	}
	return strconv.Itoa(n) + " " + w
}

// entities names what an audit event changed ("membership" → "Membership").
var entities = map[string]string{
	"organization": "Organisation", "membership": "Membership", "invitation": "Invitation",
	"user": "Person", "token": "API token", "metric": "Metric", "record": "Record",
	"import": "Import", "process": "Process", "cycle": "Improvement cycle",
	"deviation": "Deviation", "internal_audit": "Internal audit", "audit_finding": "Audit finding",
	"audit_checkpoint": "Audit checkpoint", "risk": "Risk", "control": "SoA control",
	"review": "Management review", "review_action": "Review decision", "export": "Export",
	"reminder": "Reminder", "delivery": "Delivery", "reminder_settings": "Reminder settings",
	"notification_prefs": "Notification preferences", "report_link": "Public report link",
	// Events out (issue 17).
	"webhook": "Webhook", "webhook_delivery": "Webhook delivery",
	// Issue 18: acknowledgement of policies.
	"acknowledgement": "Acknowledgement request",
	// Issue 18: My work.
	"calendar_feed": "Calendar feed",
}

// EntityLabel returns the name of an audit event's entity type, or of a
// record kind (record changes name their kind as the entity).
func EntityLabel(entity string) string {
	if l, ok := entities[entity]; ok {
		return l
	}
	if _, ok := LookupKind(entity); ok {
		return KindSingular(RecordKind(entity))
	}
	return Label(entity)
}

// EntityTypes lists the entity types of the audit trail (record kinds
// included), for a filter.
func EntityTypes() []string {
	out := make([]string, 0, len(entities)+len(Kinds()))
	for e := range entities {
		out = append(out, e)
	}
	for _, k := range Kinds() {
		out = append(out, string(k.Kind))
	}
	slices.SortFunc(out, func(a, b string) int { return strings.Compare(EntityLabel(a), EntityLabel(b)) })
	return out
}

// events says what an audit event's action did, in words.
var events = map[string]string{
	"org.create": "Created the organisation", "org.require_mfa": "Changed the second-factor rule",
	"member.add": "Added a member", "member.role": "Changed a member's role", "member.remove": "Removed a member",
	"member.invite": "Invited a member", "invitation.accept": "Accepted an invitation",
	"invitation.decline": "Declined an invitation", "user.create": "Created an account",
	"user.password": "Changed a password", "user.mfa_enable": "Turned on the second factor",
	"user.mfa_disable": "Turned off the second factor", "user.signin": "Signed in",
	"user.signin_failed": "Failed to sign in", "user.signout": "Signed out",
	"user.oidc_link": "Linked single sign-on", "user.invitation_accept": "Accepted an invitation",
	"user.invitation_decline": "Declined an invitation",
	"token.create":            "Created an API token", "token.revoke": "Revoked an API token", "token.denied": "Refused an API token",
	"metric.create": "Created a metric", "metric.update": "Changed a metric", "metric.value": "Entered a metric value",
	"records.import": "Imported records", "record.update": "Changed a record",
	"process.create": "Created a process", "process.update": "Changed a process", "cycle.create": "Started an improvement cycle",
	"deviation.open": "Opened a deviation", "deviation.assign": "Assigned a deviation",
	"deviation.correction": "Recorded the correction", "deviation.root_cause": "Recorded the root cause",
	"deviation.analyse": "Started the analysis", "deviation.plan": "Planned the actions",
	"deviation.start": "Started the actions", "deviation.verify": "Started the effectiveness check",
	"deviation.close": "Closed a deviation", "deviation.reopen": "Reopened a deviation",
	"deviation.close-observation": "Closed an observation", "deviation.action_add": "Added a corrective action",
	"deviation.action_done": "Completed a corrective action", "deviation.check_passed": "Passed the effectiveness check",
	"deviation.check_failed": "Failed the effectiveness check", "deviation.settings": "Changed the deviation settings",
	"audit.plan": "Planned an internal audit", "audit.held": "Held an internal audit",
	"audit.finding": "Raised an audit finding", "audit.finding_close": "Closed an audit finding",
	"audit.checkpoint": "Signed an audit checkpoint",
	"risk.create":      "Added a risk", "risk.update": "Changed a risk", "risk.reassess": "Reassessed a risk",
	"risk.intervals": "Changed the reassessment intervals", "soa.update": "Changed the Statement of Applicability",
	"review.create": "Prepared a management review", "review.update": "Changed a management review",
	"review.held": "Marked a review as held", "review.draft": "Returned a review to draft",
	"review.signed": "Signed a management review", "review.decision": "Recorded a review decision",
	"review.decision_done": "Completed a review decision",
	"export.download":      "Downloaded an export", "reminder.send": "Sent a reminder",
	"reminder_settings.update":  "Changed the reminder settings",
	"notification_prefs.update": "Changed notification preferences",
	"delivery.sent":             "Delivered a message", "delivery.failed": "Failed to deliver a message",
	// Records entered by hand and incident reports (issue 15).
	"record.create": "Added a record", "record.delete": "Deleted a record", "record.report": "Reported an incident",
	"report_link.enable": "Turned on the public report link", "report_link.rotate": "Rotated the public report link",
	"report_link.disable": "Turned off the public report link",
	// Events out (issue 17).
	"webhook.create": "Added a webhook", "webhook.enable": "Enabled a webhook", "webhook.disable": "Disabled a webhook",
	"webhook.delete": "Deleted a webhook", "webhook.redeliver": "Asked to redeliver a webhook event",
	"webhook_delivery.sent": "Delivered a webhook event", "webhook_delivery.failed": "Failed to deliver a webhook event",
	// Issue 18: acknowledgement of policies.
	"document.publish": "Published a document version", "document.acknowledge": "Acknowledged a document version",
	"acknowledgement.request": "Asked a new member to acknowledge a document", "acknowledgement.withdraw": "Withdrew a leaver's acknowledgement requests",
	// Issue 18: My work.
	"calendar_feed.create": "Created a calendar feed", "calendar_feed.rotate": "Rotated a calendar feed",
	"calendar_feed.revoke": "Revoked a calendar feed",
	// Issue 19: importing frameworks and mappings.
	"framework.import": "Imported a framework", "framework.map": "Imported framework mappings",
	// Issue 19: standards as tags.
	"standards.set": "Changed the standards an entry serves",
}

// Issue 19: standards as tags. standardLabels names the management-system
// standards (keys in standard.go); StandardLabel reads a key.
var standardLabels = map[string]string{
	StdISO27001: "ISO/IEC 27001", StdISO9001: "ISO 9001", StdISO42001: "ISO/IEC 42001",
	StdISO22301: "ISO 22301", StdISO27701: "ISO/IEC 27701",
}

// StandardLabel returns a standard's name ("iso9001" → "ISO 9001"); an
// unknown key reads as itself.
func StandardLabel(key string) string {
	if l, ok := standardLabels[key]; ok {
		return l
	}
	return key
}

// EventLabel says in words what an audit event's action did
// ("member.role" → "Changed a member's role").
func EventLabel(action string) string {
	if l, ok := events[action]; ok {
		return l
	}
	return Humanize(strings.NewReplacer(".", " ", "-", " ").Replace(action))
}
