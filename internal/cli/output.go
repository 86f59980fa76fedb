package cli

import (
	"encoding/json"
	"io"
	"time"
)

// Output is the --output flag of the list commands. Commands that had a
// --json flag keep it as an alias of --output json.
type Output struct {
	Output string `name:"output" enum:"table,json" default:"table" help:"Output format: table (for people) or json (an array, for scripts)."`
}

// asJSON reports whether JSON was asked for, by --output json or by the
// command's older --json alias.
func (o Output) asJSON(alias bool) bool { return alias || o.Output == "json" }

// writeJSON prints v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// OrgJSON is one element of pdca org list --output json.
type OrgJSON struct {
	ID   int64  `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// TokenJSON is one element of pdca user token list --output json (times
// in UTC RFC 3339; null when not set).
type TokenJSON struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Scope      string     `json:"scope"`
	UserID     int64      `json:"user_id"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
