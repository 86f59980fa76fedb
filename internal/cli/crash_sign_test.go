package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

const (
	signerEmail    = "board@acme.example"
	signerPassword = "a long enough password"
	reviewsToSign  = 40
	signers        = 8
)

// TestKilledReviewSigningIsAllOrNothing kills pdca serve with SIGKILL while
// eight clients sign management reviews over HTTP, as soon as the first
// signing is acknowledged. Afterwards the database passes its integrity
// check, the audit trail verifies, and every review is either signed (its
// snapshot verifies, exactly one sign event carries its hash) or untouched
// (held, no snapshot, no sign event); every acknowledged signing is kept.
// A restarted server then signs a review that was left unsigned.
func TestKilledReviewSigningIsAllOrNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("runs pdca serve in a child process and kills it")
	}
	eachEngine(t, func(t *testing.T, dsn string) {
		ids, spare := prepareSignReviews(t, dsn)

		srv := startServeChild(t, dsn, "error")
		srv.waitURL(t)
		acked, inFlight, notStarted := signUntilKilled(t, srv, ids)
		t.Logf("at the kill: %d acknowledged, %d in flight, %d not started", len(acked), inFlight, notStarted)

		signed, unsigned := checkSignings(t, dsn, ids, acked)
		t.Logf("after the crash: %d signed, %d unsigned", len(signed), len(unsigned))
		if t.Failed() {
			t.FailNow() // the restart below would only repeat the findings
		}
		if code, out, errs := run(t, dsn, "", "audit", "verify"); code != 0 || !strings.Contains(out, "audit trail intact") {
			t.Fatalf("audit verify after the crash: %d %q %q", code, out, errs)
		}

		// The database works after the crash: a new server signs a review
		// the killed one left unsigned (one that may have been in flight).
		next := spare
		if len(unsigned) > 0 {
			next = unsigned[0]
		}
		srv2 := startServeChild(t, dsn, "error")
		srv2.waitURL(t)
		c := signInSigner(t, srv2.url)
		if code, err := postSign(c, srv2.url, next); err != nil || code != http.StatusSeeOther {
			t.Fatalf("sign review %d after the restart: %d %v\n%s", next, code, err, srv2.logTail())
		}
		srv2.kill(t)
		after, _ := checkSignings(t, dsn, append(ids, spare), map[int64]bool{next: true})
		if len(after) != len(signed)+1 {
			t.Fatalf("after signing review %d again: %d signed, want %d", next, len(after), len(signed)+1)
		}
		if code, out, errs := run(t, dsn, "", "audit", "verify"); code != 0 {
			t.Fatalf("audit verify after the restart: %d %q %q", code, out, errs)
		}
	})
}

// prepareSignReviews creates the organisation, a management member with a
// password, and reviews held and ready to sign; it returns the ids to
// sign and one spare, never sent before the crash.
func prepareSignReviews(t *testing.T, dsn string) (ids []int64, spare int64) {
	t.Helper()
	if code, _, errs := run(t, dsn, "", "org", "create", "--slug", "acme", "--name", "Acme"); code != 0 {
		t.Fatal(errs)
	}
	pw := write(t, "password", signerPassword+"\n")
	if code, out, errs := run(t, dsn, "", "user", "create", "--email", signerEmail, "--name", "Board", "--password-file", pw,
		"--org", "acme", "--role", string(isms.RoleManagement)); code != 0 || !strings.Contains(out, "added to acme as management") {
		t.Fatalf("user create: %d %q %q", code, out, errs)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a := app.New(db, nil)
	members, err := a.Members(ctx, app.System, "acme")
	if err != nil || len(members) != 1 || members[0].Role != isms.RoleManagement {
		t.Fatalf("members: %v %v", members, err)
	}
	for i := range reviewsToSign + 1 {
		r := &isms.Review{Period: fmt.Sprintf("%d-%02d", 2024+i/12, i%12+1), HeldOn: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i),
			Attendees: "Board, ISMS manager", ChairID: members[0].UserID}
		if err := a.CreateReview(ctx, app.System, "acme", r); err != nil {
			t.Fatal(err)
		}
		if _, err := a.MoveReview(ctx, app.System, "acme", r.ID, isms.ReviewHeld); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	return ids[:reviewsToSign], ids[reviewsToSign]
}

// signUntilKilled sends the sign requests from several clients and kills
// the server at the first acknowledgement. It returns the acknowledged
// reviews, how many requests got no answer (in flight at the kill) and how
// many were never sent.
func signUntilKilled(t *testing.T, srv *serveChild, ids []int64) (acked map[int64]bool, inFlight, notStarted int) {
	t.Helper()
	c := signInSigner(t, srv.url)
	queue := make(chan int64, len(ids))
	for _, id := range ids {
		queue <- id
	}
	close(queue)
	var (
		mu       sync.Mutex
		killing  atomic.Bool
		firstAck = make(chan struct{})
		once     sync.Once
		wg       sync.WaitGroup
	)
	acked = map[int64]bool{}
	for range signers {
		wg.Go(func() {
			for id := range queue {
				if killing.Load() {
					mu.Lock()
					notStarted++
					mu.Unlock()
					continue
				}
				code, err := postSign(c, srv.url, id)
				mu.Lock()
				switch {
				case err != nil:
					inFlight++
				case code == http.StatusSeeOther:
					acked[id] = true
					once.Do(func() { close(firstAck) })
				default:
					t.Errorf("sign review %d before the kill: status %d", id, code)
				}
				mu.Unlock()
			}
		})
	}
	allDone := make(chan struct{})
	go func() { wg.Wait(); close(allDone) }()
	select {
	case <-firstAck:
	case <-allDone:
	case <-time.After(60 * time.Second):
	}
	killing.Store(true)
	srv.kill(t)
	<-allDone
	if len(acked) == 0 {
		t.Fatalf("no signing was acknowledged before the kill\n%s", srv.logTail())
	}
	return acked, inFlight, notStarted
}

// checkSignings opens the database after the server died and checks every
// review is wholly signed or wholly unsigned; each review in mustBeSigned
// must be signed. It returns the signed and unsigned ids.
func checkSignings(t *testing.T, dsn string, ids []int64, mustBeSigned map[int64]bool) (signed, unsigned []int64) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.Engine == store.SQLite {
		var res string
		if err := db.Reader().QueryRow(`PRAGMA integrity_check`).Scan(&res); err != nil || res != "ok" {
			t.Fatalf("integrity_check: %q %v", res, err)
		}
	}
	a := app.New(db, nil)
	m, err := a.Org(ctx, app.System, "acme")
	if err != nil {
		t.Fatal(err)
	}
	all, err := a.Reviews(ctx, app.System, "acme")
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int64]*isms.Review{}
	for _, r := range all {
		byID[r.ID] = r
	}
	for _, id := range ids {
		r := byID[id]
		if r == nil {
			t.Fatalf("review %d is gone", id)
		}
		hashes := signEvents(t, db, m.Org.ID, id)
		switch r.Status {
		case isms.ReviewSigned:
			signed = append(signed, id)
			if !app.VerifyReviewSnapshot(r) || r.SignedAt == nil || r.SignedBy != signerEmail || !strings.Contains(r.Snapshot, `"inputs"`) {
				t.Errorf("review %d is signed but its snapshot does not verify: sha %q, signed %v by %q, %d bytes",
					id, r.SnapshotSHA256, r.SignedAt, r.SignedBy, len(r.Snapshot))
			}
			if len(hashes) != 1 || hashes[0] != r.SnapshotSHA256 {
				t.Errorf("review %d is signed with hash %s; its sign events carry %v, want exactly that one", id, r.SnapshotSHA256, hashes)
			}
		case isms.ReviewHeld:
			unsigned = append(unsigned, id)
			if r.Snapshot != "" || r.SnapshotSHA256 != "" || r.SignedAt != nil || r.SignedBy != "" || len(hashes) != 0 {
				t.Errorf("review %d is not signed but half of a signing is stored: snapshot %d bytes, sha %q, signed %v by %q, %d sign events",
					id, len(r.Snapshot), r.SnapshotSHA256, r.SignedAt, r.SignedBy, len(hashes))
			}
			if mustBeSigned[id] {
				t.Errorf("review %d: its signing was acknowledged but it is not signed", id)
			}
		default:
			t.Errorf("review %d is %s, want held or signed", id, r.Status)
		}
	}
	return signed, unsigned
}

// signEvents returns the snapshot hash each review.signed audit event of
// the review carries.
func signEvents(t *testing.T, db *store.DB, orgID, id int64) []string {
	t.Helper()
	rows, err := db.Reader().Query(`SELECT after_json FROM audit_events WHERE org_id = $1 AND action = $2 AND entity = $3 AND entity_id = $4 ORDER BY seq`,
		orgID, "review."+string(isms.ReviewSigned), "review", strconv.FormatInt(id, 10))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var after string
		if err := rows.Scan(&after); err != nil {
			t.Fatal(err)
		}
		var v struct {
			SHA string `json:"snapshot_sha256"`
		}
		if err := json.Unmarshal([]byte(after), &v); err != nil {
			t.Fatalf("sign event of review %d: %v: %s", id, err, after)
		}
		out = append(out, v.SHA)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// signInSigner returns a client holding the signer's session; it does not
// follow redirects, so a 303 is seen as the acknowledgement it is.
func signInSigner(t *testing.T, base string) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		Transport:     &http.Transport{MaxIdleConnsPerHost: signers},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	t.Cleanup(c.CloseIdleConnections)
	resp, err := c.PostForm(base+"/signin", url.Values{"email": {signerEmail}, "password": {signerPassword}, "next": {"/"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || len(jar.Cookies(resp.Request.URL)) == 0 {
		t.Fatalf("sign in: status %d, cookies %v", resp.StatusCode, jar.Cookies(resp.Request.URL))
	}
	return c
}

// postSign submits the review's sign form and returns the status.
func postSign(c *http.Client, base string, id int64) (int, error) {
	resp, err := c.PostForm(base+"/o/acme/reviews/"+strconv.FormatInt(id, 10)+"/sign", url.Values{})
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return resp.StatusCode, nil
}
