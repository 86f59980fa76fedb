package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// listFixture is two organisations: acme with 120 members (roles in
// turn, names out of order), 130 tokens of two of them (every third
// revoked, every fifth of the rest expired) and 140 deliveries (statuses
// and channels in turn); other with one of each, which no list of acme
// may show.
type listFixture struct {
	acme, other      int64
	users            []int64 // acme's members, in creation order
	stranger         int64   // other's member
	now              time.Time
	revoked, expired int
}

func seedLists(t testing.TB, db *store.DB, members, tokens, deliveries int) *listFixture {
	t.Helper()
	ctx := context.Background()
	f := &listFixture{}
	err := db.Write(ctx, func(tx *store.Tx) error {
		f.now = tx.Now
		acme := &isms.Organization{Slug: "acme", Name: "Acme", TimeZone: "UTC"}
		other := &isms.Organization{Slug: "other", Name: "Other", TimeZone: "UTC"}
		for _, o := range []*isms.Organization{acme, other} {
			if err := tx.CreateOrg(ctx, o); err != nil {
				return err
			}
		}
		f.acme, f.other = acme.ID, other.ID
		roles := isms.Roles()
		for i := range members {
			// Names out of creation order: person 7 sorts before person 70.
			u := &isms.User{Email: fmt.Sprintf("p%06d@acme.test", i), Name: fmt.Sprintf("Person %d", (i*7919)%members)}
			if err := tx.CreateUser(ctx, u, ""); err != nil {
				return err
			}
			if err := tx.AddMembership(ctx, &isms.Membership{OrgID: acme.ID, UserID: u.ID, Role: roles[i%len(roles)]}); err != nil {
				return err
			}
			f.users = append(f.users, u.ID)
		}
		stranger := &isms.User{Email: "stranger@other.test", Name: "A Stranger"}
		if err := tx.CreateUser(ctx, stranger, ""); err != nil {
			return err
		}
		if err := tx.AddMembership(ctx, &isms.Membership{OrgID: other.ID, UserID: stranger.ID, Role: isms.RoleAdmin}); err != nil {
			return err
		}
		f.stranger = stranger.ID
		past, future := tx.Now.Add(-time.Hour), tx.Now.Add(time.Hour)
		for i := range tokens {
			tok := &isms.Token{OrgID: acme.ID, UserID: f.users[i%2], Name: fmt.Sprintf("token %d", i), Scope: isms.ScopeRead}
			switch {
			case i%3 == 0:
			case i%5 == 0:
				tok.ExpiresAt = &past
				f.expired++
			default:
				tok.ExpiresAt = &future
			}
			if err := tx.CreateToken(ctx, tok, fmt.Sprintf("hash-%d", i)); err != nil {
				return err
			}
			if i%3 == 0 {
				if err := tx.RevokeToken(ctx, acme.ID, tok.ID); err != nil {
					return err
				}
				f.revoked++
			}
		}
		if err := tx.CreateToken(ctx, &isms.Token{OrgID: other.ID, UserID: stranger.ID, Name: "theirs", Scope: isms.ScopeRead}, "hash-other"); err != nil {
			return err
		}
		statuses := []string{isms.DeliveryPending, isms.DeliverySent, isms.DeliveryFailed}
		for i := range deliveries {
			d := &store.Delivery{OrgID: acme.ID, UserID: f.users[i%len(f.users)], Channel: isms.ChannelEmail, Target: "x@acme.test", Subject: fmt.Sprintf("d%d", i)}
			if i%2 == 1 {
				d.Channel, d.Kind, d.Target = isms.ChannelWebhook, "json", "https://hooks.example/x"
			}
			if err := tx.AddDelivery(ctx, d); err != nil {
				return err
			}
			if st := statuses[i%3]; st != isms.DeliveryPending {
				if err := tx.RecordDeliveryAttempt(ctx, acme.ID, d.ID, st, ""); err != nil {
					return err
				}
			}
		}
		return tx.AddDelivery(ctx, &store.Delivery{OrgID: other.ID, UserID: stranger.ID, Channel: isms.ChannelEmail, Target: "s@other.test", Subject: "theirs"})
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// pageThrough reads a whole list a page at a time and checks each page
// against the next: full pages until the last, More exactly when another
// page follows, the same count on every page.
func pageThrough[T any](t *testing.T, limit int, read func(store.PageSpec) (*store.Page[T], error)) (all []T, total int) {
	t.Helper()
	for off := 0; ; off += limit {
		pg, err := read(store.PageSpec{Limit: limit, Offset: off, Count: true})
		if err != nil {
			t.Fatal(err)
		}
		if off == 0 {
			total = pg.Total
		} else if pg.Total != total {
			t.Fatalf("offset %d counts %d, the first page %d", off, pg.Total, total)
		}
		all = append(all, pg.Items...)
		if !pg.More {
			if len(all) != total {
				t.Fatalf("paged %d rows, counted %d", len(all), total)
			}
			return all, total
		}
		if len(pg.Items) != limit {
			t.Fatalf("offset %d: %d rows and more follow; want a full page of %d", off, len(pg.Items), limit)
		}
	}
}

func TestMemberPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := seedLists(t, db, 120, 0, 0)
		read := func(mf store.MemberFilter) func(store.PageSpec) (*store.Page[isms.Membership], error) {
			return func(p store.PageSpec) (out *store.Page[isms.Membership], err error) {
				mf.PageSpec = p
				err = db.Read(ctx, func(tx *store.Tx) error { out, err = tx.MemberPage(ctx, f.acme, mf); return err })
				return out, err
			}
		}
		all, total := pageThrough(t, 50, read(store.MemberFilter{}))
		if total != 120 {
			t.Fatalf("%d members, want 120", total)
		}
		seen := map[int64]bool{}
		for i, m := range all {
			if m.OrgID != f.acme || seen[m.UserID] {
				t.Fatalf("row %d: %+v another organisation's or seen before", i, m)
			}
			seen[m.UserID] = true
			if i > 0 && all[i-1].Name > m.Name {
				t.Fatalf("row %d: %q after %q: not by name", i, m.Name, all[i-1].Name)
			}
		}
		// Compare with the whole list as read before paging (by name).
		var whole []isms.Membership
		if err := db.Read(ctx, func(tx *store.Tx) (err error) { whole, err = tx.Members(ctx, f.acme); return err }); err != nil {
			t.Fatal(err)
		}
		for i := range whole {
			if whole[i].UserID != all[i].UserID {
				t.Fatalf("row %d: paged %d, whole list %d", i, all[i].UserID, whole[i].UserID)
			}
		}
		auditors, n := pageThrough(t, 7, read(store.MemberFilter{Role: isms.RoleAuditor}))
		if n != 20 {
			t.Fatalf("%d auditors, want 20 (every sixth)", n)
		}
		for _, m := range auditors {
			if m.Role != isms.RoleAuditor {
				t.Fatalf("%s is %s", m.Email, m.Role)
			}
		}
		// Part of the email or the name, any case.
		if _, n := pageThrough(t, 50, read(store.MemberFilter{Query: "P00011"})); n != 10 {
			t.Fatalf("q=P00011 matched %d, want 10 (p000110–p000119)", n)
		}
		if got, n := pageThrough(t, 50, read(store.MemberFilter{Query: "person 7", Role: isms.RoleAdmin})); n == 0 || n >= 20 {
			t.Fatalf("q=person 7 and admin matched %d", n)
		} else {
			for _, m := range got {
				if m.Role != isms.RoleAdmin {
					t.Fatalf("%s is %s", m.Email, m.Role)
				}
			}
		}
		// Not counted unless asked.
		pg, err := read(store.MemberFilter{})(store.PageSpec{Limit: 10})
		if err != nil || pg.Total != -1 || len(pg.Items) != 10 || !pg.More {
			t.Fatalf("uncounted page: total %d, %d rows, more %v, err %v", pg.Total, len(pg.Items), pg.More, err)
		}
		// The last page tells the total itself (pageThrough checked it
		// equals the count); a page past the end cannot, and is counted.
		for _, c := range []struct{ limit, offset, rows int }{{500, 0, 120}, {100, 100, 20}, {10, 500, 0}, {10, 120, 0}} {
			pg, err := read(store.MemberFilter{})(store.PageSpec{Limit: c.limit, Offset: c.offset, Count: true})
			if err != nil || pg.Total != 120 || len(pg.Items) != c.rows || pg.More {
				t.Fatalf("limit %d offset %d: total %d, %d rows, more %v, err %v; want 120, %d rows", c.limit, c.offset, pg.Total, len(pg.Items), pg.More, err, c.rows)
			}
		}
	})
}

func TestTokenPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := seedLists(t, db, 2, 130, 0)
		read := func(tf store.TokenFilter) func(store.PageSpec) (*store.Page[*isms.Token], error) {
			return func(p store.PageSpec) (out *store.Page[*isms.Token], err error) {
				tf.PageSpec, tf.Now = p, f.now
				err = db.Read(ctx, func(tx *store.Tx) error { out, err = tx.TokenPage(ctx, f.acme, tf); return err })
				return out, err
			}
		}
		all, total := pageThrough(t, 50, read(store.TokenFilter{}))
		if total != 130 {
			t.Fatalf("%d tokens, want 130", total)
		}
		for i, tok := range all {
			if tok.OrgID != f.acme || (i > 0 && all[i-1].ID >= tok.ID) {
				t.Fatalf("row %d: token %d (org %d) after %d: not in creation order or not acme's", i, tok.ID, tok.OrgID, all[i-1].ID)
			}
		}
		states := map[string]int{store.TokenRevoked: f.revoked, store.TokenExpired: f.expired, store.TokenActive: 130 - f.revoked - f.expired}
		for state, want := range states {
			got, n := pageThrough(t, 20, read(store.TokenFilter{State: state}))
			if n != want {
				t.Fatalf("%s: %d, want %d", state, n, want)
			}
			for _, tok := range got {
				if (tok.RevokedAt != nil) != (state == store.TokenRevoked) || tok.Expired(f.now) != (state == store.TokenExpired) {
					t.Fatalf("%s list has token %d (revoked %v, expires %v)", state, tok.ID, tok.RevokedAt, tok.ExpiresAt)
				}
			}
		}
		mine, n := pageThrough(t, 50, read(store.TokenFilter{UserID: f.users[1]}))
		if n != 65 {
			t.Fatalf("one person's tokens: %d, want 65", n)
		}
		for _, tok := range mine {
			if tok.UserID != f.users[1] {
				t.Fatalf("token %d is user %d's", tok.ID, tok.UserID)
			}
		}
	})
}

func TestDeliveryPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := seedLists(t, db, 3, 0, 140)
		read := func(df store.DeliveryFilter) func(store.PageSpec) (*store.Page[*store.Delivery], error) {
			return func(p store.PageSpec) (out *store.Page[*store.Delivery], err error) {
				df.PageSpec = p
				err = db.Read(ctx, func(tx *store.Tx) error { out, err = tx.DeliveryPage(ctx, f.acme, df); return err })
				return out, err
			}
		}
		all, total := pageThrough(t, 50, read(store.DeliveryFilter{}))
		if total != 140 {
			t.Fatalf("%d deliveries, want 140", total)
		}
		for i, d := range all {
			if d.OrgID != f.acme || d.UserEmail == "" || (i > 0 && all[i-1].ID <= d.ID) {
				t.Fatalf("row %d: delivery %d (org %d, to %q): not newest first or not acme's", i, d.ID, d.OrgID, d.UserEmail)
			}
		}
		if all[0].Subject != "d139" {
			t.Fatalf("first is %q, want the newest, d139", all[0].Subject)
		}
		for _, c := range []struct {
			status, channel string
			want            int
		}{
			{isms.DeliveryFailed, "", 46}, {"", isms.ChannelWebhook, 70}, {isms.DeliverySent, isms.ChannelEmail, 23},
		} {
			got, n := pageThrough(t, 20, read(store.DeliveryFilter{Status: c.status, Channel: c.channel}))
			if n != c.want {
				t.Fatalf("status %q channel %q: %d, want %d", c.status, c.channel, n, c.want)
			}
			for _, d := range got {
				if (c.status != "" && d.Status != c.status) || (c.channel != "" && d.Channel != c.channel) {
					t.Fatalf("status %q channel %q list has %+v", c.status, c.channel, d)
				}
			}
			// A keyset walk (AfterID) gives what the offset walk gave.
			if keyed := keysetThrough(t, 7, read(store.DeliveryFilter{Status: c.status, Channel: c.channel})); !slices.Equal(deliveryIDs(keyed), deliveryIDs(got)) {
				t.Fatalf("status %q channel %q: keyset walk %v, offset walk %v", c.status, c.channel, deliveryIDs(keyed), deliveryIDs(got))
			}
		}
		if keyed := keysetThrough(t, 50, read(store.DeliveryFilter{})); !slices.Equal(deliveryIDs(keyed), deliveryIDs(all)) {
			t.Fatalf("keyset walk %v, offset walk %v", deliveryIDs(keyed), deliveryIDs(all))
		}
	})
}

// keysetThrough reads a list ordered by id page by page, each after the
// last id of the one before (PageSpec.AfterID).
func keysetThrough(t *testing.T, limit int, read func(store.PageSpec) (*store.Page[*store.Delivery], error)) []*store.Delivery {
	t.Helper()
	var all []*store.Delivery
	for after := int64(0); ; {
		pg, err := read(store.PageSpec{Limit: limit, AfterID: after})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, pg.Items...)
		if !pg.More {
			return all
		}
		if len(pg.Items) != limit {
			t.Fatalf("after %d: %d rows and more follow; want a full page of %d", after, len(pg.Items), limit)
		}
		after = pg.Items[len(pg.Items)-1].ID
	}
}

func deliveryIDs(ds []*store.Delivery) []int64 {
	ids := make([]int64, len(ds))
	for i, d := range ds {
		ids[i] = d.ID
	}
	return ids
}

// TestPagedListPlans: on SQLite a page of tokens, deliveries or processes
// is read in order through the indexes of migration 0031, without sorting
// the organisation's rows, and a page's process metrics by the primary
// key, not through the organisation's every link.
func TestPagedListPlans(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if db.Engine != store.SQLite {
			return // PostgreSQL plans by statistics; the queries are the same
		}
		for i, q := range store.PagedListQueries {
			args := []any{int64(1)}
			for range strings.Count(q, "$") - 1 {
				args = append(args, int64(7))
			}
			got := queryPlan(t, db, q, args...)
			want := []string{"api_tokens_org_id_idx", "deliveries_org_id_idx", "sqlite_autoindex_process_metrics", "processes_priority_idx", "deliveries_org_id_idx"}[i]
			if !strings.Contains(got, want) || strings.Contains(got, "TEMP B-TREE") {
				t.Errorf("plan of %.60s…: %s; want %s and no sort", q, got, want)
			}
		}
	})
}

// Processes are listed highest priority first (impact × recurrence ×
// risk), then by name; each page carries its own processes' metrics
// (read for the page's ids only), the same as the whole list has.
func TestProcessPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := seedLists(t, db, 3, 0, 0)
		err := db.Write(ctx, func(tx *store.Tx) error {
			for i := range 120 {
				p := &isms.Process{OrgID: f.acme, Name: fmt.Sprintf("Process %03d", (i*37)%120), OwnerID: f.users[i%3],
					Impact: 1 + i%5, Recurrence: 1 + (i/5)%5, Risk: 1 + (i/25)%5, Metrics: []string{fmt.Sprintf("m%d", i)}}
				if i%4 == 0 {
					p.Metrics = append(p.Metrics, "shared")
				}
				if err := tx.CreateProcess(ctx, p); err != nil {
					return err
				}
			}
			return tx.CreateProcess(ctx, &isms.Process{OrgID: f.other, Name: "Process 000", OwnerID: f.stranger, Impact: 5, Recurrence: 5, Risk: 5, Metrics: []string{"theirs"}})
		})
		if err != nil {
			t.Fatal(err)
		}
		read := func(pf store.ProcessFilter) func(store.PageSpec) (*store.Page[*isms.Process], error) {
			return func(p store.PageSpec) (out *store.Page[*isms.Process], err error) {
				pf.PageSpec = p
				err = db.Read(ctx, func(tx *store.Tx) error { out, err = tx.ProcessPage(ctx, f.acme, pf); return err })
				return out, err
			}
		}
		all, total := pageThrough(t, 50, read(store.ProcessFilter{}))
		if total != 120 {
			t.Fatalf("%d processes, want 120", total)
		}
		var whole []*isms.Process
		if err := db.Read(ctx, func(tx *store.Tx) (err error) { whole, err = tx.Processes(ctx, f.acme); return err }); err != nil {
			t.Fatal(err)
		}
		for i, p := range all {
			if p.OrgID != f.acme {
				t.Fatalf("row %d is another organisation's", i)
			}
			if i > 0 {
				prev := all[i-1]
				if prev.Score() < p.Score() || (prev.Score() == p.Score() && prev.Name >= p.Name) {
					t.Fatalf("row %d: %s (%d) after %s (%d): not highest priority first, then by name", i, p.Name, p.Score(), prev.Name, prev.Score())
				}
			}
			if whole[i].ID != p.ID || strings.Join(whole[i].Metrics, ",") != strings.Join(p.Metrics, ",") || len(p.Metrics) == 0 {
				t.Fatalf("row %d: paged %s %v, whole list %s %v", i, p.Name, p.Metrics, whole[i].Name, whole[i].Metrics)
			}
		}
		owned, n := pageThrough(t, 15, read(store.ProcessFilter{Owner: "P000001@ACME.TEST"}))
		if n != 40 {
			t.Fatalf("owner's processes: %d, want 40", n)
		}
		for _, p := range owned {
			if p.OwnerID != f.users[1] {
				t.Fatalf("%s is owned by %d", p.Name, p.OwnerID)
			}
		}
		if _, n := pageThrough(t, 50, read(store.ProcessFilter{Query: "process 11"})); n != 10 {
			t.Fatalf("q=process 11: %d, want 10 (110–119)", n)
		}
	})
}

// Reviews are listed newest meeting first (ties by id), without their
// snapshots but with the snapshot's hash; audits by planned date, for a
// year or every year.
func TestReviewAndAuditPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := seedLists(t, db, 2, 0, 0)
		day := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
		statuses := []isms.ReviewStatus{isms.ReviewDraft, isms.ReviewHeld, isms.ReviewSigned}
		err := db.Write(ctx, func(tx *store.Tx) error {
			for i := range 110 {
				r := &isms.Review{OrgID: f.acme, Period: fmt.Sprintf("P%d", i), HeldOn: day.AddDate(0, 0, (i*37)%100), Status: statuses[i%3], ChairID: f.users[0]}
				if err := tx.CreateReview(ctx, r); err != nil {
					return err
				}
				if r.Status == isms.ReviewSigned {
					r.Snapshot, r.SnapshotSHA256 = `{"big":"json"}`, fmt.Sprintf("sha-%d", i)
					if err := tx.UpdateReview(ctx, r); err != nil {
						return err
					}
				}
				a := &isms.InternalAudit{OrgID: f.acme, Year: 2020 + i%2, Title: fmt.Sprintf("Audit %d", i), PlannedOn: day.AddDate(0, 0, (i*53)%90), LeadID: f.users[1]}
				if err := tx.InsertInternalAudit(ctx, a); err != nil {
					return err
				}
			}
			if err := tx.CreateReview(ctx, &isms.Review{OrgID: f.other, Period: "theirs", HeldOn: day, Status: isms.ReviewDraft}); err != nil {
				return err
			}
			return tx.InsertInternalAudit(ctx, &isms.InternalAudit{OrgID: f.other, Year: 2020, Title: "theirs", PlannedOn: day, LeadID: f.stranger})
		})
		if err != nil {
			t.Fatal(err)
		}
		reviews := func(rf store.ReviewFilter) func(store.PageSpec) (*store.Page[*isms.Review], error) {
			return func(p store.PageSpec) (out *store.Page[*isms.Review], err error) {
				rf.PageSpec = p
				err = db.Read(ctx, func(tx *store.Tx) error { out, err = tx.ReviewPage(ctx, f.acme, rf); return err })
				return out, err
			}
		}
		all, total := pageThrough(t, 50, reviews(store.ReviewFilter{}))
		if total != 110 {
			t.Fatalf("%d reviews, want 110", total)
		}
		for i, r := range all {
			if r.OrgID != f.acme || r.Snapshot != "" || (r.Status == isms.ReviewSigned) != (r.SnapshotSHA256 != "") {
				t.Fatalf("row %d: %s org %d snapshot %q sha %q", i, r.Period, r.OrgID, r.Snapshot, r.SnapshotSHA256)
			}
			if i > 0 && (all[i-1].HeldOn.Before(r.HeldOn) || (all[i-1].HeldOn.Equal(r.HeldOn) && all[i-1].ID <= r.ID)) {
				t.Fatalf("row %d: %s after %s: not newest meeting first", i, r.Period, all[i-1].Period)
			}
		}
		signed, n := pageThrough(t, 20, reviews(store.ReviewFilter{Status: isms.ReviewSigned}))
		if n != 36 {
			t.Fatalf("%d signed, want 36", n)
		}
		for _, r := range signed {
			if r.Status != isms.ReviewSigned {
				t.Fatalf("%s is %s", r.Period, r.Status)
			}
		}
		audits := func(year int) func(store.PageSpec) (*store.Page[isms.InternalAudit], error) {
			return func(p store.PageSpec) (out *store.Page[isms.InternalAudit], err error) {
				err = db.Read(ctx, func(tx *store.Tx) error { out, err = tx.InternalAuditPage(ctx, f.acme, year, p); return err })
				return out, err
			}
		}
		for year, want := range map[int]int{0: 110, 2020: 55, 2021: 55, 2022: 0} {
			as, n := pageThrough(t, 25, audits(year))
			if n != want {
				t.Fatalf("year %d: %d audits, want %d", year, n, want)
			}
			for i, a := range as {
				if a.OrgID != f.acme || (year != 0 && a.Year != year) || a.LeadEmail == "" {
					t.Fatalf("year %d row %d: %+v", year, i, a)
				}
				if i > 0 && (as[i-1].PlannedOn.After(a.PlannedOn) || (as[i-1].PlannedOn.Equal(a.PlannedOn) && as[i-1].ID >= a.ID)) {
					t.Fatalf("year %d row %d: %s after %s: not by planned date", year, i, a.Title, as[i-1].Title)
				}
			}
		}
	})
}

// TestRegisterSubtreePlan: on SQLite the group filter of a framework
// register finds each requirement's children on (framework_id,
// parent_id) (migration 0045), not by reading the framework's every
// requirement for each one.
func TestRegisterSubtreePlan(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if db.Engine != store.SQLite {
			return // PostgreSQL plans by statistics (BenchmarkFrameworkRegister measures both)
		}
		// $1 and $2 are the organisation and the key in the register's statement; unused here.
		plan := queryPlan(t, db, store.RegisterSubtreeQuery, int64(1), "", int64(1), "G-1")
		if !strings.Contains(plan, "framework_requirements_parent (framework_id=? AND parent_id=?)") {
			t.Errorf("subtree plan: %s; want each level sought on (framework_id, parent_id)", plan)
		}
	})
}
