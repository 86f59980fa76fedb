package web

import (
	"strconv"

	"bytes"
	"embed"
	"fmt"
	"github.com/pdca/pdca/internal/measure"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

//go:embed templates
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Page is what every page template gets: the layout's data.
type Page struct {
	Title  string
	User   *isms.User
	Member *app.Member // nil outside an organisation
	Orgs   []isms.Membership
	// Switch is the start of Orgs, for the organisation switcher;
	// SwitchMore counts the organisations it leaves to the /orgs page.
	Switch     []isms.Membership
	SwitchMore int
	Flash      string
	Error      string
	Version    string
	Nav        string // which menu entry is current
	Path       string // the request's path, for the menu (nav.go)
	// Zone is the zone every time on the page is shown in (timefmt.go).
	Zone *time.Location
	// Issue 19: the standards the page's entity serves (nil: none shown).
	Standards *StandardsBox
}

var funcs = template.FuncMap{
	"rfc3339": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"short":   func(s string) string { return s[:min(12, len(s))] },
	"can": func(m *app.Member, a string) bool {
		return m != nil && m.Role.Can(isms.Action(a))
	},
	"roles": isms.Roles,
	// Issue 19: standards as tags.
	"standardLabel": isms.StandardLabel,
	"standardKeys":  func() []string { return isms.StandardKeys },
	"eq":            func(a, b any) bool { return fmt.Sprint(a) == fmt.Sprint(b) },
}

// pageSet holds the page templates. Each page is parsed with the layout
// on its first use, not at start: the 77 parse trees (layout copies
// included) were 5–6 MB of an idle server's heap, and most servers render
// a handful of pages (issue 16 item 5). A broken template therefore fails
// on its first render; TestEveryPageParses parses them all, so it fails
// CI first.
type pageSet struct {
	names []string // the page names, from the embedded files

	mu     sync.Mutex
	layout *template.Template // parsed once, never executed: only cloned
	pages  map[string]*template.Template
}

// newPageSet lists the page templates without parsing them.
func newPageSet() (*pageSet, error) {
	files, err := fs.Glob(templateFS, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	ps := &pageSet{pages: map[string]*template.Template{}}
	for _, f := range files {
		ps.names = append(ps.names, strings.TrimSuffix(path.Base(f), ".html"))
	}
	return ps, nil
}

// get returns the named page, parsing it (and the layout) on first use;
// ok is false when there is no such page.
func (ps *pageSet) get(name string) (t *template.Template, ok bool, err error) {
	if !slices.Contains(ps.names, name) {
		return nil, false, nil
	}
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if t := ps.pages[name]; t != nil {
		return t, true, nil
	}
	if ps.layout == nil {
		l, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
		if err != nil {
			return nil, true, fmt.Errorf("parse layout: %w", err)
		}
		ps.layout = l
	}
	l, err := ps.layout.Clone()
	if err != nil {
		return nil, true, fmt.Errorf("clone layout: %w", err)
	}
	t, err = l.ParseFS(templateFS, "templates/pages/"+name+".html")
	if err != nil {
		return nil, true, fmt.Errorf("parse page %s: %w", name, err)
	}
	ps.pages[name] = t
	return t, true, nil
}

// parsePages parses every page template with the layout, for tests and
// benchmarks that want them all.
func parsePages() (map[string]*template.Template, error) {
	ps, err := newPageSet()
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, n := range ps.names {
		t, _, err := ps.get(n)
		if err != nil {
			return nil, err
		}
		out[n] = t
	}
	return out, nil
}

// PageNames lists the page templates, for the test that renders each.
func (s *Server) PageNames() []string {
	return slices.Clone(s.pages.names)
}

// page returns the layout data for a request, inside an organisation when
// m is not nil.
func (s *Server) page(r *http.Request, m *app.Member, title string) Page {
	p := Page{Title: title, Member: m, Version: s.cfg.Version, Path: r.URL.Path, Zone: s.zone(r, m)}
	if v := viewerFrom(r); v != nil {
		p.User, p.Orgs = v.User, v.Orgs
	} else if pr, ok := principalFrom(r); ok && !pr.System {
		p.User = &isms.User{ID: pr.UserID, Email: pr.Label}
		p.Orgs, _ = s.app.Orgs(r.Context(), pr)
	}
	n := min(len(p.Orgs), switcherSize)
	p.Switch, p.SwitchMore = p.Orgs[:n], len(p.Orgs)-n
	p.Flash = s.sessions.PopString(r.Context(), "flash")
	return p
}

// switcherSize is how many organisations the switcher in the header
// lists; a consultant's hundreds would make every page slow to render and
// the list useless, so the rest are on /orgs.
const switcherSize = 12

func (s *Server) render(w http.ResponseWriter, r *http.Request, name string, data any) {
	s.renderStatus(w, r, http.StatusOK, name, data)
}

// renderStatus renders into a buffer first, so a template error becomes a
// clean 500 instead of half a page.
func (s *Server) renderStatus(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	t, ok, err := s.pages.get(name)
	if !ok {
		http.Error(w, "internal error: no page "+name, http.StatusInternalServerError)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", data); err != nil {
		s.log.Error("render", "request_id", requestID(r.Context()), "page", name, "err", err.Error())
		http.Error(w, "internal error (request id "+requestID(r.Context())+")", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// flash stores a one-time message shown on the next page.
func (s *Server) flash(r *http.Request, msg string) {
	s.sessions.Put(r.Context(), "flash", msg)
}

// formatting helpers for figures.
func init() {
	funcs["value"] = func(v *float64, unit string) string {
		if v == nil {
			return "no data"
		}
		s := strconv.FormatFloat(measure.Round2(*v), 'f', -1, 64)
		switch unit {
		case "%":
			return s + " %"
		case "days":
			return s + " days"
		}
		return s
	}
	funcs["field"] = func(loc *time.Location, r isms.Record, name string) string {
		if t, ok := r.Times[name]; ok {
			return showDateTime(loc, t)
		}
		if b, ok := r.Bools[name]; ok {
			if b {
				return "yes"
			}
			return "no"
		}
		return r.Texts[name]
	}
}

// renderSplit renders a page and splits it at progressMark, for pages
// that stream progress between their top and the rest.
func (s *Server) renderSplit(r *http.Request, name string, data any) (head, tail string, ok bool) {
	t, _, err := s.pages.get(name)
	if err == nil && t == nil {
		err = fmt.Errorf("no page %s", name)
	}
	if err != nil {
		s.log.Error("render", "request_id", requestID(r.Context()), "page", name, "err", err.Error())
		return "", "", false
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", data); err != nil {
		s.log.Error("render", "request_id", requestID(r.Context()), "page", name, "err", err.Error())
		return "", "", false
	}
	head, tail, _ = strings.Cut(buf.String(), progressMark)
	return head, tail, true
}

func init() {
	funcs["deref"] = func(v any) any {
		switch p := v.(type) {
		case *float64:
			if p == nil {
				return 0.0
			}
			return *p
		case *bool:
			return p != nil && *p
		}
		return v
	}
}
