package web

import (
	"net/http"
	"sort"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/store"
)

func (s *Server) handleRoot(w http.ResponseWriter, r *http.Request) {
	p, ok := principalFrom(r)
	if !ok {
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return
	}
	orgs, err := s.app.Orgs(r.Context(), p)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if len(orgs) == 1 {
		http.Redirect(w, r, "/o/"+orgs[0].OrgSlug+"/", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/orgs", http.StatusSeeOther)
}

type orgsPage struct {
	Page
}

func (s *Server) handleOrgs(w http.ResponseWriter, r *http.Request, p app.Principal) {
	s.render(w, r, "orgs", &orgsPage{Page: s.page(r, nil, "Your organisations")})
}

type homePage struct {
	Page
	Members   int
	Counts    map[string]int // metrics by status, last complete period
	Attention []store.Measurement
	Names     map[string]string
	Records   int
}

// handleHome shows where the organisation stands: how many metrics are
// green, yellow, red or grey in their last complete period, and which
// need attention.
func (s *Server) handleHome(w http.ResponseWriter, r *http.Request, m *app.Member) {
	ctx := r.Context()
	members, err := s.app.Members(ctx, m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	metrics, err := s.app.Metrics(ctx, m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	stored, err := s.app.StoredMeasurements(ctx, m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	counts, err := s.app.RecordCounts(ctx, m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &homePage{Page: s.page(r, m, m.Org.Name), Members: len(members), Counts: map[string]int{}, Names: map[string]string{}}
	pg.Nav = "home"
	for _, n := range counts {
		pg.Records += n
	}
	byKey := map[string][]store.Measurement{}
	for _, sm := range stored {
		byKey[sm.Key] = append(byKey[sm.Key], sm)
	}
	for _, md := range metrics {
		pg.Names[md.Key] = md.Name
		ms := byKey[md.Key]
		if len(ms) < 2 {
			continue
		}
		sort.Slice(ms, func(i, j int) bool { return ms[i].Period < ms[j].Period })
		last := ms[len(ms)-2] // the last complete period
		pg.Counts[last.Status]++
		if last.Status == "red" || last.Status == "yellow" {
			pg.Attention = append(pg.Attention, last)
		}
	}
	sort.SliceStable(pg.Attention, func(i, j int) bool { return pg.Attention[i].Status == "red" && pg.Attention[j].Status != "red" })
	s.render(w, r, "home", pg)
}
