package web

import (
	"net/url"
	"strconv"

	"github.com/pdca/pdca/internal/isms"
)

func init() {
	funcs["thousands"] = func(n any) string { return thousands(count(n)) }
}

// thousands writes n with a comma between groups of three digits
// ("1,234"), as the lists count.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}

// showing says which part of a list a page shows, in words:
// "1–50 of 1,234 records", "1 record", "no records". plural is the
// noun's plural when it is not noun+"s".
func showing(offset, shown, total int, noun string, plural ...string) string {
	many := noun + "s"
	if len(plural) > 0 {
		many = plural[0]
	}
	switch {
	case total == 0 || shown == 0:
		return "no " + many
	case shown == total:
		return isms.Plural(total, noun, many)
	}
	return thousands(offset+1) + "–" + thousands(offset+shown) + " of " + thousands(total) + " " + many
}

// listFilters are the filters common to the lists (records, deviations,
// risks, findings), as typed in the query string.
type listFilters struct {
	Query, Period, Status, Severity, Owner string
}

// readListFilters reads the filter bar's fields.
func readListFilters(q url.Values) listFilters {
	return listFilters{Query: q.Get("q"), Period: q.Get("period"), Status: q.Get("status"), Severity: q.Get("severity"), Owner: q.Get("owner")}
}

// Active reports whether any filter is set, for "clear filters".
func (f listFilters) Active() bool { return f != listFilters{} }

// pageURL returns the query string of the same list with mod applied to
// a copy of its parameters.
func pageURL(q url.Values, mod func(url.Values)) string {
	v := url.Values{}
	for k, vs := range q {
		v[k] = vs
	}
	mod(v)
	if len(v) == 0 {
		return "?"
	}
	return "?" + v.Encode()
}
