package isms

import "unicode/utf8"

// Field length limits, in characters (Unicode code points). Every Validate
// of an aggregate that takes text checks its fields against one of these
// (docs/security.md lists them per field); the API schemas declare the
// same numbers as maxLength.
const (
	MaxName  = 200    // titles, names, short labels
	MaxShort = 100    // references, keys, codes, categories
	MaxText  = 20_000 // free text: descriptions, notes, steps, comments
	MaxEmail = 254    // RFC 5321's limit on a forward path
	MaxSlug  = 40     // an organisation's slug (also its pattern's limit)
	MaxURL   = 2_000  // links (webhooks, evidence)
)

// CheckLength returns EINVALID naming the field and the limit when s is
// longer than max characters.
func CheckLength(field, s string, max int) error {
	if len(s) <= max { // bytes >= characters: the common case costs nothing
		return nil
	}
	if n := utf8.RuneCountInString(s); n > max {
		return Errorf(EINVALID, "%s: at most %d characters (this one has %d)", field, max, n)
	}
	return nil
}

// Limit is one text field and its limit, for CheckLengths.
type Limit struct {
	Name  string
	Value string
	Max   int
}

// CheckLengths checks fields in order and returns the first error.
func CheckLengths(fields ...Limit) error {
	for _, f := range fields {
		if err := CheckLength(f.Name, f.Value, f.Max); err != nil {
			return err
		}
	}
	return nil
}
