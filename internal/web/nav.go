package web

import (
	"net/http"
	"strings"
)

// The navigation in the layout marks where the page is (aria-current):
// the link to the page itself, the link above a page under it, and the
// group (Plan, Do, Check, Act, Admin) that holds either. docs/ui.md.
func init() {
	funcs["current"] = navCurrent
	funcs["currentIn"] = navCurrentIn
}

// navCurrent returns the aria-current value of a menu link to href on the
// page at path: "page" on that page, "true" on a page under it (a risk
// under the risk register), "" elsewhere.
func navCurrent(path, href string) string {
	switch {
	case path == href:
		return "page"
	case strings.HasPrefix(path, strings.TrimSuffix(href, "/")+"/") && !strings.HasSuffix(href, "/"):
		return "true"
	}
	return ""
}

// navCurrentIn reports whether the page at path is one of the sections
// (first path segments under base, the organisation's /o/{slug}) or under
// one of them.
func navCurrentIn(path, base string, sections ...string) bool {
	for _, s := range sections {
		if navCurrent(path, base+"/"+s) != "" {
			return true
		}
	}
	return false
}

// handleFavicon sends browsers that ask for /favicon.ico to the icon the
// layout links.
func (s *Server) handleFavicon(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/static/favicon.svg", http.StatusMovedPermanently)
}
