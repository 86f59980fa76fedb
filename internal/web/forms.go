package web

import (
	"bytes"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

// Forms and errors (docs/ui.md). A form post that fails validation does
// not leave the page: the handler calls formError with the page the form
// is on, which is rendered again as for a GET, and then
//
//   - the form the post came from (its action is the post's path) shows
//     the values as posted (never a password or a file),
//   - the message is beside the field it names, the control marked
//     aria-invalid and described by the message, and focused,
//   - or, when the message names no field of the form, it stands at the
//     top of the form (at the top of the page if the form is not there).
//
// isms messages are written "field: what is wrong; how to fix": the field
// is the part before the first colon, matched against each control's
// name, id, label and data-field attribute (a template names the words of
// a message a control answers with data-field="due date" when neither its
// name nor its label says them).
//
// The page templates need nothing for this, so every form works the same
// way and a new form gets it by calling formError on its error path.

// formError answers a failed post of an organisation's form: page renders
// the page the form is on.
func (s *Server) formError(w http.ResponseWriter, r *http.Request, m *app.Member, err error, page func(http.ResponseWriter, *http.Request, *app.Member)) {
	s.formAgain(w, r, err, func(w http.ResponseWriter, r *http.Request) { page(w, r, m) })
}

// accountFormError is formError for the forms of the account pages.
func (s *Server) accountFormError(w http.ResponseWriter, r *http.Request, p app.Principal, err error, page func(http.ResponseWriter, *http.Request, app.Principal)) {
	s.formAgain(w, r, err, func(w http.ResponseWriter, r *http.Request) { page(w, r, p) })
}

// formAgain renders page and puts the post and the problem into it. Only
// an invalid or conflicting post, or a wrong password, stays on the page; any other error (not
// found, forbidden, too many attempts, internal) gets the error page.
func (s *Server) formAgain(w http.ResponseWriter, r *http.Request, err error, page func(http.ResponseWriter, *http.Request)) {
	if !formProblemCode(err) {
		s.pageError(w, r, err)
		return
	}
	if r.PostForm == nil {
		_ = r.ParseForm()
	}
	rec := &pageRecorder{header: http.Header{}}
	page(rec, r)
	if rec.status != 0 && rec.status != http.StatusOK {
		// The page itself is not there (another organisation's deviation):
		// its answer, not the form's.
		rec.send(w)
		return
	}
	out, perr := keepForm(rec.body.Bytes(), r.URL.Path, r.PostForm, s.errorMessage(r, err))
	if perr != nil {
		s.pageError(w, r, err)
		return
	}
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.WriteHeader(ErrorStatus(err))
	_, _ = w.Write(out)
}

// formProblemCode reports whether err is about what was typed into a
// form: invalid, conflicting with the current state, or a wrong password
// or code. Only those stay on the form's page.
func formProblemCode(err error) bool {
	switch isms.ErrorCode(err) {
	case isms.EINVALID, isms.ECONFLICT, isms.EUNAUTHORIZED:
		return true
	}
	return false
}

// pageRecorder keeps a page rendered for formAgain.
type pageRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (p *pageRecorder) Header() http.Header { return p.header }

func (p *pageRecorder) send(w http.ResponseWriter) {
	for k, v := range p.header {
		w.Header()[k] = v
	}
	w.WriteHeader(p.status)
	_, _ = p.body.WriteTo(w)
}
func (p *pageRecorder) WriteHeader(st int) {
	if p.status == 0 {
		p.status = st
	}
}
func (p *pageRecorder) Write(b []byte) (int, error) {
	if p.status == 0 {
		p.status = http.StatusOK
	}
	return p.body.Write(b)
}

// formProblem is a validation message split into the field it concerns
// (as written, before the first colon) and the rest.
type formProblem struct{ Field, Rest, Message string }

func problemOf(msg string) formProblem {
	p := formProblem{Message: msg}
	if f, rest, ok := strings.Cut(msg, ": "); ok {
		// `expires "10y": at most 5 years ahead` is about the field expires.
		// Beside the field the message needs not repeat the field's name,
		// but keeps the value it quotes.
		p.Rest = rest
		if m := quotedValue.FindStringSubmatch(f); m != nil {
			f, p.Rest = m[1], msg
		}
		p.Field = normField(f)
	}
	return p
}

// quotedValue is a field's name followed by the value given, quoted.
var quotedValue = regexp.MustCompile(`^(.*?)\s+"[^"]*"$`)

// normField puts a field's name, id, label or message prefix in one form:
// lower case, words separated by one space ("due_at", "Due date:" →
// "due at", "due date").
func normField(s string) string {
	s = strings.ToLower(s)
	if i := strings.IndexByte(s, '('); i > 0 {
		s = s[:i]
	}
	s = strings.Map(func(c rune) rune {
		switch c {
		case '_', '-', ':', '*', '.', '?':
			return ' '
		}
		return c
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// control is a field of a form with the words it answers to.
type control struct {
	n     *html.Node
	names []string // name, id, label, data-field; normalised
}

// keepForm returns page with the form posted to path showing posted and
// msg beside its field.
func keepForm(page []byte, path string, posted url.Values, msg string) ([]byte, error) {
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return nil, err
	}
	var forms, all []*html.Node
	labels := map[string]string{}
	ids := map[string]bool{}
	walk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		all = append(all, n)
		if id := attr(n, "id"); id != "" {
			ids[id] = true
		}
		switch n.DataAtom {
		case atom.Form:
			if u, err := url.Parse(attr(n, "action")); err == nil && u.Path == path && strings.EqualFold(attr(n, "method"), "post") {
				forms = append(forms, n)
			}
		case atom.Label:
			if f := attr(n, "for"); f != "" {
				labels[f] = text(n)
			}
		}
	})
	// Only one element of the page is focused: the problem.
	for _, n := range all {
		delAttr(n, "autofocus")
	}
	p := problemOf(msg)
	form := pickForm(forms, posted)
	if form == nil {
		main := find(doc, func(n *html.Node) bool { return n.DataAtom == atom.Main })
		if main == nil {
			main = find(doc, func(n *html.Node) bool { return n.DataAtom == atom.Body })
		}
		if main == nil {
			return page, nil
		}
		summary(main, msg)
		return render(doc)
	}
	ctls := controls(form, labels)
	keepValues(ctls, posted)
	if len(ctls) == 0 {
		// A button (mark as held) refused for what another form holds
		// (the meeting date): the message goes beside that field.
		for _, f := range allForms(doc) {
			if f != form {
				ctls = append(ctls, controls(f, labels)...)
			}
		}
	}
	if c, exact := matchField(ctls, p.Field); c != nil {
		shown := msg
		if exact {
			shown = p.Rest
		}
		markInvalid(c.n, shown, ids)
	} else {
		summary(form, msg)
	}
	return render(doc)
}

// allForms returns the post forms of the page.
func allForms(doc *html.Node) []*html.Node {
	var out []*html.Node
	walk(doc, func(n *html.Node) {
		if n.Type == html.ElementNode && n.DataAtom == atom.Form && strings.EqualFold(attr(n, "method"), "post") {
			out = append(out, n)
		}
	})
	return out
}

// pickForm returns the form among forms whose fields were posted most.
func pickForm(forms []*html.Node, posted url.Values) *html.Node {
	var best *html.Node
	score := -1
	for _, f := range forms {
		n := 0
		walk(f, func(c *html.Node) {
			if name := attr(c, "name"); name != "" && isControl(c) {
				if _, ok := posted[name]; ok {
					n++
				}
			}
		})
		if n > score {
			best, score = f, n
		}
	}
	return best
}

func isControl(n *html.Node) bool {
	return n.Type == html.ElementNode && (n.DataAtom == atom.Input || n.DataAtom == atom.Select || n.DataAtom == atom.Textarea)
}

// controls lists the fields of a form a person fills in, with the words
// each answers to.
func controls(form *html.Node, labels map[string]string) []control {
	var out []control
	walk(form, func(n *html.Node) {
		if !isControl(n) {
			return
		}
		if n.DataAtom == atom.Input {
			switch strings.ToLower(attr(n, "type")) {
			case "hidden", "submit", "button", "reset", "image":
				return
			}
		}
		c := control{n: n}
		for _, f := range strings.Split(attr(n, "data-field"), ";") {
			c.names = append(c.names, normField(f))
		}
		c.names = append(c.names, normField(attr(n, "name")), normField(attr(n, "id")))
		if l, ok := labels[attr(n, "id")]; ok {
			c.names = append(c.names, normField(l))
		}
		for p := n.Parent; p != nil && p != form; p = p.Parent {
			if p.DataAtom == atom.Label {
				c.names = append(c.names, normField(text(p)))
			}
		}
		out = append(out, c)
	})
	return out
}

// matchField returns the control a message's field names: one answering
// to the field exactly (exact), else one whose words contain it ("date"
// in "meeting date"), else one answering to the field's first word.
func matchField(ctls []control, field string) (c *control, exact bool) {
	if field == "" {
		return nil, false
	}
	for _, try := range []func(string) bool{
		func(n string) bool { return n == field },
		func(n string) bool { return containsWords(n, field) },
	} {
		for i := range ctls {
			for _, n := range ctls[i].names {
				if n != "" && try(n) {
					return &ctls[i], true
				}
			}
		}
	}
	if first, _, ok := strings.Cut(field, " "); ok {
		for i := range ctls {
			for _, n := range ctls[i].names {
				if n == first {
					return &ctls[i], false
				}
			}
		}
	}
	return nil, false
}

// containsWords reports whether the words of sub appear in s together.
func containsWords(s, sub string) bool {
	return strings.Contains(" "+s+" ", " "+sub+" ")
}

// keepValues puts the posted values into the controls: the n-th value of
// a name into its n-th text field, ticks and choices as posted. Passwords
// and files are never sent back.
func keepValues(ctls []control, posted url.Values) {
	if len(posted) == 0 {
		return
	}
	seen := map[string]int{}
	for _, c := range ctls {
		n := c.n
		name := attr(n, "name")
		vals, ok := posted[name]
		if name == "" {
			continue
		}
		switch n.DataAtom {
		case atom.Input:
			switch typ := strings.ToLower(attr(n, "type")); typ {
			case "password", "file":
			case "checkbox", "radio":
				if typ == "radio" && !ok {
					continue
				}
				v := attr(n, "value")
				if v == "" {
					v = "on"
				}
				setBool(n, "checked", contains(vals, v))
			default:
				if !ok {
					continue
				}
				i := seen[name]
				seen[name]++
				if i < len(vals) {
					setAttr(n, "value", vals[i])
				}
			}
		case atom.Textarea:
			if !ok {
				continue
			}
			i := seen[name]
			seen[name]++
			if i < len(vals) {
				for n.FirstChild != nil {
					n.RemoveChild(n.FirstChild)
				}
				n.AppendChild(&html.Node{Type: html.TextNode, Data: vals[i]})
			}
		case atom.Select:
			if !ok {
				continue
			}
			walk(n, func(o *html.Node) {
				if o.Type == html.ElementNode && o.DataAtom == atom.Option {
					v, has := attrOK(o, "value")
					if !has {
						v = strings.TrimSpace(text(o))
					}
					setBool(o, "selected", contains(vals, v))
				}
			})
		}
	}
}

// markInvalid puts msg beside the control and marks it invalid.
func markInvalid(n *html.Node, msg string, ids map[string]bool) {
	id := attr(n, "id")
	if id == "" {
		base := "f-" + strings.Map(func(c rune) rune {
			if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' {
				return c
			}
			return '-'
		}, attr(n, "name"))
		id = base
		for i := 2; ids[id]; i++ {
			id = base + "-" + strconv.Itoa(i)
		}
		setAttr(n, "id", id)
	}
	errID := id + "-error"
	setAttr(n, "aria-invalid", "true")
	setAttr(n, "aria-describedby", strings.TrimSpace(errID+" "+attr(n, "aria-describedby")))
	setBool(n, "autofocus", true)
	p := &html.Node{Type: html.ElementNode, Data: "p", DataAtom: atom.P,
		Attr: []html.Attribute{{Key: "class", Val: "error"}, {Key: "id", Val: errID}}}
	p.AppendChild(&html.Node{Type: html.TextNode, Data: msg})
	// Beside the control: after it, or after the label that wraps it.
	at := n
	for q := n.Parent; q != nil; q = q.Parent {
		if q.DataAtom == atom.Label {
			at = q
			break
		}
		if q.DataAtom == atom.Form {
			break
		}
	}
	at.Parent.InsertBefore(p, at.NextSibling)
}

// summary puts msg first in parent, focused.
func summary(parent *html.Node, msg string) {
	p := &html.Node{Type: html.ElementNode, Data: "p", DataAtom: atom.P,
		Attr: []html.Attribute{{Key: "class", Val: "error form-problem"}, {Key: "role", Val: "alert"}, {Key: "id", Val: "form-problem"}, {Key: "tabindex", Val: "-1"}, {Key: "autofocus"}}}
	p.AppendChild(&html.Node{Type: html.TextNode, Data: msg})
	parent.InsertBefore(p, parent.FirstChild)
}

func render(doc *html.Node) ([]byte, error) {
	var buf bytes.Buffer
	if err := html.Render(&buf, doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func walk(n *html.Node, f func(*html.Node)) {
	f(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, f)
	}
}

func find(n *html.Node, ok func(*html.Node) bool) *html.Node {
	var found *html.Node
	walk(n, func(c *html.Node) {
		if found == nil && c.Type == html.ElementNode && ok(c) {
			found = c
		}
	})
	return found
}

func text(n *html.Node) string {
	var b strings.Builder
	walk(n, func(c *html.Node) {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	})
	return b.String()
}

func attr(n *html.Node, key string) string {
	v, _ := attrOK(n, key)
	return v
}

func attrOK(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func setAttr(n *html.Node, key, val string) {
	for i := range n.Attr {
		if n.Attr[i].Key == key {
			n.Attr[i].Val = val
			return
		}
	}
	n.Attr = append(n.Attr, html.Attribute{Key: key, Val: val})
}

func delAttr(n *html.Node, key string) {
	out := n.Attr[:0]
	for _, a := range n.Attr {
		if a.Key != key {
			out = append(out, a)
		}
	}
	n.Attr = out
}

func setBool(n *html.Node, key string, on bool) {
	delAttr(n, key)
	if on {
		n.Attr = append(n.Attr, html.Attribute{Key: key})
	}
}

func contains(vals []string, v string) bool {
	for _, x := range vals {
		if x == v {
			return true
		}
	}
	return false
}
