package web

import (
	"testing"
	"time"

	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestSessionStoreSkipsTouches checks that a commit that only moves a
// session's expiry a little is not written, and that every other commit
// is.
func TestSessionStoreSkipsTouches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSessionStore(db)
		stored := func() (string, time.Time) {
			t.Helper()
			var data []byte
			var expiry time.Time
			q := `SELECT data, expiry FROM sessions WHERE token = $1`
			if db.Engine == store.SQLite {
				q = `SELECT data, strftime('%Y-%m-%dT%H:%M:%fZ', expiry) FROM sessions WHERE token = $1`
			}
			var raw any
			if err := db.Reader().QueryRow(q, storedToken("tok")).Scan(&data, &raw); err != nil {
				t.Fatal(err)
			}
			switch v := raw.(type) {
			case time.Time:
				expiry = v
			case string:
				var err error
				if expiry, err = time.Parse("2006-01-02T15:04:05.000Z", v); err != nil {
					t.Fatal(err)
				}
			}
			return string(data), expiry.UTC()
		}
		t0 := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
		if err := s.Commit("tok", []byte("a"), t0); err != nil {
			t.Fatal(err)
		}
		if b, found, err := s.Find("tok"); err != nil || !found || string(b) != "a" {
			t.Fatalf("find after commit: %q %v %v", b, found, err)
		}
		// A touch within sessionTouchEvery: not written.
		if err := s.Commit("tok", []byte("a"), t0.Add(10*time.Second)); err != nil {
			t.Fatal(err)
		}
		if _, exp := stored(); !exp.Equal(t0) {
			t.Errorf("expiry %v after a small touch, want %v unchanged", exp, t0)
		}
		// A touch past it: written.
		t1 := t0.Add(sessionTouchEvery + time.Second)
		if err := s.Commit("tok", []byte("a"), t1); err != nil {
			t.Fatal(err)
		}
		if _, exp := stored(); !exp.Equal(t1) {
			t.Errorf("expiry %v after a large touch, want %v", exp, t1)
		}
		// Changed data: always written, even with the same expiry.
		if err := s.Commit("tok", []byte("b"), t1); err != nil {
			t.Fatal(err)
		}
		if data, _ := stored(); data != "b" {
			t.Errorf("data %q after a change, want b", data)
		}
		// A store in another process has not written the session: its
		// first commit is written.
		s2 := newSessionStore(db)
		t2 := t1.Add(time.Second)
		if err := s2.Commit("tok", []byte("b"), t2); err != nil {
			t.Fatal(err)
		}
		if _, exp := stored(); !exp.Equal(t2) {
			t.Errorf("expiry %v after another process's first commit, want %v", exp, t2)
		}
		// Delete removes it; a later commit of the same token is written.
		if err := s.Delete("tok"); err != nil {
			t.Fatal(err)
		}
		if _, found, _ := s.Find("tok"); found {
			t.Error("session found after delete")
		}
		if err := s.Commit("tok", []byte("b"), t1); err != nil {
			t.Fatal(err)
		}
		if _, found, _ := s.Find("tok"); !found {
			t.Error("a commit after delete was skipped")
		}
		// The table holds the token's SHA-256, never the token (issue 13).
		var plain, hashed int
		if err := db.Reader().QueryRow(`SELECT COUNT(*) FROM sessions WHERE token = $1`, "tok").Scan(&plain); err != nil {
			t.Fatal(err)
		}
		if err := db.Reader().QueryRow(`SELECT COUNT(*) FROM sessions WHERE token = $1`,
			"1a7674eb4ee78df7e1ac439a93c3fa8e3c945784d4dec9fd8e3011738b2f1d62").Scan(&hashed); err != nil {
			t.Fatal(err)
		}
		if plain != 0 || hashed != 1 {
			t.Errorf("sessions table: %d rows keyed by the plain token, %d by its SHA-256; want 0 and 1", plain, hashed)
		}
	})
}
