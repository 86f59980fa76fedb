package web

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

// Template functions that put pdca's identifiers into words people read:
// the one dictionary is isms.Label.
//
//	{{label "employment_ended_at"}}   Employment ended
//	{{lower .Status}}                 actions planned (mid-sentence)
//	{{plural 1 "row"}}                1 row
//	{{person .OwnerName .OwnerEmail}} the name, with the email on hover
//	{{recordName "incidents" .Key}}   Incident INC-2026-103
func init() {
	funcs["label"] = func(id any) string { return isms.Label(fmt.Sprint(id)) }
	funcs["lower"] = func(id any) string { return isms.Lower(fmt.Sprint(id)) }
	funcs["plural"] = func(n any, noun string, plural ...string) string { return isms.Plural(count(n), noun, plural...) }
	funcs["person"] = person
	funcs["term"] = term
	// shown is a record's field as text (the "field" function), with an
	// identifier among its values ("audit_finding") in words.
	funcs["shown"] = func(loc *time.Location, r isms.Record, name string) string {
		if name == "grade" { // "minor nonconformity", "opportunity for improvement"
			return isms.GradeWords(r.Texts[name])
		}
		return term(funcs["field"].(func(*time.Location, isms.Record, string) string)(loc, r, name))
	}
	funcs["entityLabel"] = isms.EntityLabel
	funcs["eventLabel"] = isms.EventLabel
	funcs["recordName"] = func(kind any, key string) string {
		return isms.KindSingular(isms.RecordKind(fmt.Sprint(kind))) + " " + key
	}
	// devWords was the deviation pages' own humaniser; it reads from the
	// dictionary now, mid-sentence form.
	funcs["devWords"] = func(s any) string { return isms.Lower(strings.TrimSpace(fmt.Sprint(s))) }
}

// person shows a person by name with the email on hover; by email when
// the name is unknown (a person who never set one).
func person(name, email string) template.HTML {
	name, email = strings.TrimSpace(name), strings.TrimSpace(email)
	if name == "" {
		return template.HTML(`<span class="person">` + template.HTMLEscapeString(email) + `</span>`)
	}
	if email == "" {
		return template.HTML(`<span class="person">` + template.HTMLEscapeString(name) + `</span>`)
	}
	return template.HTML(`<span class="person" title="` + template.HTMLEscapeString(email) + `">` + template.HTMLEscapeString(name) + `</span>`)
}

// term returns a value as people read it: an identifier of the dictionary
// ("audit_finding") in words, any other text as it is.
func term(v any) string {
	s := fmt.Sprint(v)
	if strings.Contains(s, "_") && isms.HasLabel(s) {
		return isms.Label(s)
	}
	return s
}

// count reads a count of any integer type (template values are typed).
func count(n any) int {
	switch v := n.(type) {
	case int:
		return v
	case int64:
		return int(v)
	case int32:
		return int(v)
	}
	var i int
	_, _ = fmt.Sscan(fmt.Sprint(n), &i)
	return i
}
