package web

import (
	"sync"
	"testing"
)

// TestEveryPageParses parses every page template with the layout: pages
// are parsed on first use (pageSet), so a broken template would otherwise
// surface only when someone opens that page.
func TestEveryPageParses(t *testing.T) {
	pages, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) < 70 {
		t.Fatalf("%d pages parsed, want the 70 and more of templates/pages", len(pages))
	}
	for name, p := range pages {
		if p.Lookup("layout.html") == nil {
			t.Errorf("page %s has no layout", name)
		}
	}
}

// TestPageSetParsesOnce checks that a page is parsed on its first use only,
// that concurrent first uses agree, and that an unknown page is reported
// as such rather than as a parse error.
func TestPageSetParsesOnce(t *testing.T) {
	ps, err := newPageSet()
	if err != nil {
		t.Fatal(err)
	}
	if len(ps.pages) != 0 {
		t.Fatalf("%d pages parsed before any use", len(ps.pages))
	}
	var wg sync.WaitGroup
	got := make([]any, 8)
	for i := range got {
		wg.Go(func() {
			p, ok, err := ps.get("risks")
			if !ok || err != nil {
				t.Errorf("get(risks) = %v, %v", ok, err)
			}
			got[i] = p
		})
	}
	wg.Wait()
	for i := range got {
		if got[i] != got[0] {
			t.Fatalf("concurrent first uses returned different templates")
		}
	}
	if len(ps.pages) != 1 {
		t.Errorf("%d pages parsed after using one", len(ps.pages))
	}
	if p, ok, err := ps.get("no-such-page"); ok || err != nil || p != nil {
		t.Errorf("get(no-such-page) = %v, %v, %v; want not ok", p, ok, err)
	}
}
