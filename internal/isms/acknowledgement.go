package isms

import (
	"slices"
	"strings"
	"time"
)

// Acknowledgement of policies (issue 18, item 3; docs/acknowledgements.md).

// AckWithin is how long a person has to acknowledge a version published to
// them: the request is due this long after it was made.
const AckWithin = 14 * 24 * time.Hour

// The audiences a version can be published to.
const (
	AudienceAll    = "all"    // every member
	AudienceRoles  = "roles"  // the members of some roles
	AudiencePeople = "people" // named members
)

// The states of an acknowledgement request at a moment.
const (
	AckDone    = "done"
	AckOpen    = "open"
	AckOverdue = "overdue"
)

// Audience says who a publication asks to acknowledge a version.
type Audience struct {
	Kind   string
	Roles  []Role
	People []int64
}

// Validate returns EINVALID unless the audience names who it is.
func (a Audience) Validate() error {
	switch a.Kind {
	case AudienceAll:
		return nil
	case AudienceRoles:
		if len(a.Roles) == 0 {
			return Errorf(EINVALID, "audience: choose at least one role")
		}
		for _, r := range a.Roles {
			if err := r.Validate(); err != nil {
				return err
			}
		}
		return nil
	case AudiencePeople:
		if len(a.People) == 0 {
			return Errorf(EINVALID, "audience: choose at least one person")
		}
		return nil
	}
	return Errorf(EINVALID, "audience: %q is not an audience; use all, roles or people", a.Kind)
}

// Includes reports whether a member of the role with the user id belongs to
// the audience.
func (a Audience) Includes(role Role, userID int64) bool {
	switch a.Kind {
	case AudienceAll:
		return true
	case AudienceRoles:
		return slices.Contains(a.Roles, role)
	case AudiencePeople:
		return slices.Contains(a.People, userID)
	}
	return false
}

// RolesText is the roles as stored (comma-separated).
func (a Audience) RolesText() string {
	s := make([]string, len(a.Roles))
	for i, r := range a.Roles {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}

// ParseRoles reads RolesText.
func ParseRoles(s string) []Role {
	var out []Role
	for _, r := range strings.Split(s, ",") {
		if r = strings.TrimSpace(r); r != "" {
			out = append(out, Role(r))
		}
	}
	return out
}

// CanPublish says whether a version of the given status, of a document
// retired or not, may be published: only an approved version of a live
// document. EINVALID otherwise.
func CanPublish(status string, retired bool) error {
	if retired {
		return Errorf(EINVALID, "the document is retired: a retired document is no longer published")
	}
	if status != "approved" {
		return Errorf(EINVALID, "only an approved version can be published (this one is %s); approve it first", status)
	}
	return nil
}

// AckRequest is one person's request to acknowledge one version, as the
// rules see it.
type AckRequest struct {
	ID           int64
	UserID       int64
	VersionID    int64
	Major, Minor int
	RequestedAt  time.Time
	DueAt        time.Time
	Acknowledged *time.Time
	Dropped      *time.Time
}

// Open reports whether the request still waits for its answer.
func (r AckRequest) Open() bool { return r.Acknowledged == nil && r.Dropped == nil }

// State is done, open or overdue at now (a dropped request is neither
// and reads "withdrawn").
func (r AckRequest) State(now time.Time) string {
	switch {
	case r.Acknowledged != nil:
		return AckDone
	case r.Dropped != nil:
		return "withdrawn"
	case now.After(r.DueAt):
		return AckOverdue
	}
	return AckOpen
}

// Counts reports whether the request counts in the policy acknowledgement
// rate: every request does, except one withdrawn before its due date (its
// person left, or a new major version replaced it, while there was still
// time to answer). One withdrawn after its due date was missed.
func (r AckRequest) Counts() bool {
	return r.Dropped == nil || r.Acknowledged != nil || r.Dropped.After(r.DueAt)
}

// PublishPlan is what publishing a version does to the requests of its
// document.
type PublishPlan struct {
	Create   []int64 // people asked for the first time for this version
	Retarget []int64 // open requests of an earlier minor version of the same major, moved to it
	Drop     []int64 // open requests of an earlier major version, withdrawn
}

// PlanPublish decides, for publishing version major.minor (id versionID) to
// the people in audience (user ids), given every request of the document
// so far: a person already asked for this version is left alone; a person
// who acknowledged a version of the same major is not asked again (a minor
// version keeps the meaning: its acknowledgements stay valid); a person
// with an open request of the same major has it moved to this version,
// keeping its dates; anyone else is asked. Open requests of an earlier
// major are withdrawn, audience or not: that version can no longer be
// acknowledged.
func PlanPublish(versionID int64, major, minor int, audience []int64, existing []AckRequest) PublishPlan {
	var p PublishPlan
	byUser := map[int64][]AckRequest{}
	for _, r := range existing {
		byUser[r.UserID] = append(byUser[r.UserID], r)
		if r.Open() && r.Major < major {
			p.Drop = append(p.Drop, r.ID)
		}
	}
	for _, u := range audience {
		action, id := "create", int64(0)
		for _, r := range byUser[u] {
			switch {
			case r.VersionID == versionID:
				action = "none"
			case r.Major == major && r.Acknowledged != nil && action != "none":
				action = "none"
			case r.Major == major && r.Open() && r.Minor < minor && action == "create":
				action, id = "retarget", r.ID
			}
		}
		switch action {
		case "create":
			p.Create = append(p.Create, u)
		case "retarget":
			p.Retarget = append(p.Retarget, id)
		}
	}
	return p
}

// CheckAcknowledge returns an error unless the request can be acknowledged
// now: it is open and no version of a later major has been approved since
// (ECONFLICT: acknowledge the current version instead).
func CheckAcknowledge(r AckRequest, currentMajor, currentMinor int) error {
	if r.Acknowledged != nil {
		return Errorf(ECONFLICT, "you already acknowledged version %d.%d", r.Major, r.Minor)
	}
	if r.Dropped != nil {
		return Errorf(ECONFLICT, "this request was withdrawn; nothing is asked of you for version %d.%d", r.Major, r.Minor)
	}
	if currentMajor > r.Major {
		return Errorf(ECONFLICT, "version %d.%d was replaced by version %d.%d; acknowledge the current version once it is published to you", r.Major, r.Minor, currentMajor, currentMinor)
	}
	return nil
}
