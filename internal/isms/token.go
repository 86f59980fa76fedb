package isms

import (
	"strconv"
	"strings"
	"time"
)

// MaxTokenLifetime is the longest expiry a token may be given.
const MaxTokenLifetime = 5 * 366 * 24 * time.Hour

// ParseTokenExpiry reads when a new token should expire, relative to now:
// "" (never), a duration in hours or days ("12h", "30d", "90d"), a date
// ("2026-12-31": the token works through that day, UTC) or an RFC 3339
// moment. The result must lie after now and within MaxTokenLifetime.
// EINVALID names the field "expires" and the accepted forms.
func ParseTokenExpiry(s string, now time.Time) (*time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "never" {
		return nil, nil
	}
	const forms = "use e.g. 12h, 30d, 90d, a date like 2026-12-31 or an RFC 3339 time, or leave it empty for no expiry"
	var at time.Time
	if n, unit := s[:len(s)-1], s[len(s)-1]; (unit == 'h' || unit == 'd') && n != "" && allDigits(n) {
		v, err := strconv.Atoi(n)
		if err != nil || v <= 0 || v > 5*366*24 {
			return nil, Errorf(EINVALID, "expires %q: %s", s, forms)
		}
		d := time.Duration(v) * time.Hour
		if unit == 'd' {
			d *= 24
		}
		at = now.Add(d)
	} else if d, err := time.Parse(time.DateOnly, s); err == nil {
		at = d.AddDate(0, 0, 1)
	} else if t, err := time.Parse(time.RFC3339, s); err == nil {
		at = t
	} else {
		return nil, Errorf(EINVALID, "expires %q: %s", s, forms)
	}
	at = at.UTC().Truncate(time.Second)
	if !at.After(now) {
		return nil, Errorf(EINVALID, "expires %q: the moment has passed; give a later one", s)
	}
	if at.Sub(now) > MaxTokenLifetime {
		return nil, Errorf(EINVALID, "expires %q: at most 5 years ahead", s)
	}
	return &at, nil
}

func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}
