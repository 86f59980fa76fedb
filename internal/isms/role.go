package isms

import "slices"

// Role is a member's role in one organisation.
type Role string

// The roles, from most to least powerful.
const (
	RoleAdmin        Role = "admin"
	RoleISMSManager  Role = "isms_manager"
	RoleProcessOwner Role = "process_owner"
	RoleManagement   Role = "management"
	RoleAuditor      Role = "auditor"
	RoleViewer       Role = "viewer"
)

// Roles lists every role in display order.
func Roles() []Role {
	return []Role{RoleAdmin, RoleISMSManager, RoleProcessOwner, RoleManagement, RoleAuditor, RoleViewer}
}

// Validate returns EINVALID unless r is a known role.
func (r Role) Validate() error {
	if slices.Contains(Roles(), r) {
		return nil
	}
	return Errorf(EINVALID, "role: %q is not a role; use one of admin, isms_manager, process_owner, management, auditor, viewer", string(r))
}

// Action is something a member may be allowed to do in an organisation.
type Action string

// The actions the permission table knows.
const (
	ActRead          Action = "read"           // read the organisation's registers
	ActReadAudit     Action = "read_audit"     // read and export the audit trail and history
	ActManageMembers Action = "manage_members" // invite members, change roles
	ActManageOrg     Action = "manage_org"     // change the organisation's settings
	ActManageTokens  Action = "manage_tokens"  // create and revoke own API tokens
	ActImport        Action = "import"         // import operational records
	ActManageMetrics Action = "manage_metrics" // change metric definitions and targets
	ActWriteRecords  Action = "write_records"  // create and change records, deviations, actions
	ActDecide        Action = "decide"         // record management decisions
	// ActReportIncident: report a suspected incident (issue 15). Every
	// member may: anyone who notices something must be able to say so.
	ActReportIncident Action = "report_incident"
)

// Actions lists every action, for matrix tests and documentation.
func Actions() []Action {
	return []Action{ActRead, ActReadAudit, ActManageMembers, ActManageOrg, ActManageTokens, ActImport, ActManageMetrics, ActWriteRecords, ActDecide, ActReportIncident}
}

// permissions is the one source of truth of who may do what.
var permissions = map[Role][]Action{
	RoleAdmin:        {ActRead, ActReadAudit, ActManageMembers, ActManageOrg, ActManageTokens, ActImport, ActManageMetrics, ActWriteRecords, ActDecide, ActReportIncident},
	RoleISMSManager:  {ActRead, ActReadAudit, ActManageTokens, ActImport, ActManageMetrics, ActWriteRecords, ActDecide, ActReportIncident},
	RoleProcessOwner: {ActRead, ActManageTokens, ActImport, ActWriteRecords, ActReportIncident},
	RoleManagement:   {ActRead, ActDecide, ActReportIncident},
	RoleAuditor:      {ActRead, ActReadAudit, ActReportIncident},
	RoleViewer:       {ActRead, ActReportIncident},
}

// Can reports whether role r may perform action a.
func (r Role) Can(a Action) bool {
	return slices.Contains(permissions[r], a)
}

// Authorize returns EFORBIDDEN unless role r may perform action a.
func Authorize(r Role, a Action) error {
	if r.Can(a) {
		return nil
	}
	return Errorf(EFORBIDDEN, "your role (%s) does not allow this (%s)", r, a)
}
