package isms

import (
	"regexp"
	"strings"
	"sync"
	"time"
)

// Organization is a tenant: every record belongs to exactly one.
type Organization struct {
	ID       int64
	Slug     string
	Name     string
	TimeZone string
	// DateOrder is how imports read slashed dates (05/10/2026): "dmy"
	// (day first), "mdy" (month first) or "" (they are refused unless the
	// import says).
	DateOrder string
	CreatedAt time.Time
}

var slugRE = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$`)

// Validate returns EINVALID with a message saying how to fix the first
// problem found.
func (o *Organization) Validate() error {
	if err := CheckLengths(Limit{"slug", o.Slug, MaxSlug}, Limit{"name", o.Name, MaxName}, Limit{"time_zone", o.TimeZone, MaxShort}); err != nil {
		return err
	}
	o.Slug = strings.TrimSpace(o.Slug)
	o.Name = strings.TrimSpace(o.Name)
	if !slugRE.MatchString(o.Slug) {
		return Errorf(EINVALID, "slug %q: use 1 to 40 lower-case letters, digits and inner hyphens, e.g. acme", o.Slug)
	}
	if o.Name == "" {
		return Errorf(EINVALID, "name: give the organisation a name, e.g. \"Acme Oy\"")
	}
	if o.TimeZone == "" {
		o.TimeZone = "UTC"
	}
	return CheckTimeZone(o.TimeZone)
}

// CheckDateOrder returns EINVALID unless order is one of DateOrders.
func CheckDateOrder(order string) error {
	switch order {
	case "", "dmy", "mdy":
		return nil
	}
	return Errorf(EINVALID, "date order %q: use dmy (05/10/2026 is 5 October), mdy (May 10) or nothing (slashed dates are refused)", order)
}

// CheckTimeZone returns EINVALID unless name is a zone of the IANA time
// zone database (e.g. Europe/Helsinki, UTC). "Local", the server's own
// zone, is not one: it would change with the machine pdca runs on.
func CheckTimeZone(name string) error {
	if _, err := time.LoadLocation(name); err != nil || name == "" || name == "Local" {
		return Errorf(EINVALID, "time zone %q: not an IANA zone name; use e.g. Europe/Helsinki or UTC", name)
	}
	return nil
}

// Location returns the organisation's time zone (UTC if unset or unknown).
func (o *Organization) Location() *time.Location {
	return Location(o.TimeZone)
}

// locations caches loaded time zones by name: time.LoadLocation reads
// and parses the zone file on every call, and a zone's rules do not change
// while the process runs.
var locations sync.Map // string -> *time.Location

// Location returns the time zone with the IANA name, UTC if unknown.
func Location(name string) *time.Location {
	if loc, ok := locations.Load(name); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC // not cached: an unknown name stays rare
	}
	locations.Store(name, loc)
	return loc
}
