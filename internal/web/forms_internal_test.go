package web

import (
	"net/url"
	"strings"
	"testing"
)

// A page with the forms keepForm meets: fields named and labelled in
// different ways, a select, a checkbox, a password, repeated names, and a
// form posting elsewhere.
const formPage = `<!doctype html><html><head><title>t</title></head><body><main id="main">
<form method="get" action="/o/a/risks"><input name="q"></form>
<form method="post" action="/o/a/risks" class="stack">
<label for="r-due">Due date (optional)</label><input id="r-due" name="due" type="date" value="2026-01-01">
<label for="r-lead">Lead time (days)</label><input id="r-lead" name="lead_days" aria-describedby="r-lead-hint"><p id="r-lead-hint">hint</p>
<input id="r-exp" name="expires">
<select id="r-kind" name="kind"><option value="a" selected>A</option><option value="b">B</option></select>
<label><input type="checkbox" name="digest" checked> Weekly digest</label>
<input id="r-pw" name="password" type="password">
<input name="why"><input name="why">
<textarea id="r-note" name="note">old</textarea>
<input id="r-owner" name="owner_email" data-field="owner;responsible">
<button type="submit">Save</button>
</form>
<form method="post" action="/o/a/risks/1/hold"><button>Hold</button></form>
</main></body></html>`

func TestKeepForm(t *testing.T) {
	posted := url.Values{"due": {"2026-13-40"}, "lead_days": {"soon"}, "kind": {"b"}, "password": {"secret"}, "why": {"one", "two"},
		"note": {"</textarea><script>alert(1)</script>"}, "expires": {"soon"}}
	for _, tt := range []struct {
		name, path, msg string
		want, not       []string
	}{
		{"exact field by label", "/o/a/risks", "due date: give a date like 2026-12-31",
			[]string{`name="due" type="date" value="2026-13-40" aria-invalid="true" aria-describedby="r-due-error" autofocus=""/><p class="error" id="r-due-error">give a date like 2026-12-31</p>`},
			[]string{"due date: give"}},
		{"by name, keeping the hint", "/o/a/risks", "lead time: give a whole number of days",
			[]string{`aria-describedby="r-lead-error r-lead-hint"`, `value="soon"`}, nil},
		{"a quoted value keeps the whole message", "/o/a/risks", `expires "soon": use 30d`,
			[]string{`<p class="error" id="r-exp-error">expires &#34;soon&#34;: use 30d</p>`}, nil},
		{"data-field", "/o/a/risks", "responsible: no member with that email",
			[]string{`id="r-owner" name="owner_email" data-field="owner;responsible" aria-invalid="true"`}, nil},
		{"first word", "/o/a/risks", "why 3: say why",
			[]string{`<p class="error" id="f-why-error">why 3: say why</p>`}, nil},
		{"values kept, never a password, text escaped", "/o/a/risks", "nothing: x",
			[]string{`<option value="b" selected="">`, `<input name="why" value="one"/><input name="why" value="two"/>`,
				`&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;</textarea>`, `<p class="error form-problem" role="alert" id="form-problem" tabindex="-1" autofocus="">nothing: x</p>`},
			[]string{"secret", `<option value="a" selected`, `name="digest" checked`, "<script>"}},
		{"a button: beside the page's field", "/o/a/risks/1/hold", "due date: the meeting is after today",
			[]string{`id="r-due-error">the meeting is after today`}, []string{"form-problem", `value="2026-13-40"`}},
		{"no form: top of the page", "/o/a/elsewhere", "cannot: do that",
			[]string{`<main id="main"><p class="error form-problem" role="alert"`}, []string{"aria-invalid"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := keepForm([]byte(formPage), tt.path, posted, tt.msg)
			if err != nil {
				t.Fatal(err)
			}
			s := string(out)
			for _, w := range tt.want {
				if !strings.Contains(s, w) {
					t.Errorf("lacks %s:\n%s", w, s)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(s, w) {
					t.Errorf("has %s:\n%s", w, s)
				}
			}
			if n := strings.Count(s, "autofocus"); n != 1 {
				t.Errorf("%d elements focused, want 1", n)
			}
		})
	}
}
