package isms

import "time"

// InvitationLifetime is how long an invitation can be accepted.
const InvitationLifetime = 14 * 24 * time.Hour

// Invitation offers the person with an email a role in an organisation.
// An admin records it without learning whether a pdca account with that
// email exists; the person accepts or declines it after signing in.
type Invitation struct {
	ID        int64
	OrgID     int64
	Email     string
	Role      Role
	InvitedBy string // the inviter's email, or "cli"
	CreatedAt time.Time
	ExpiresAt time.Time
	// Joined for display.
	OrgSlug, OrgName string
}
