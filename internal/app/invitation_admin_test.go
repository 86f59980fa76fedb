package app_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestInvitationListAndRevoke pages the pending invitations in SQL,
// keeps other organisations' and expired ones out, and revokes one with
// an audit event; only admins may, and only in their organisation.
func TestInvitationListAndRevoke(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		f := mustFixture(t, db, "acme")
		other := mustFixture(t, db, "beta")
		admin := f.members[isms.RoleAdmin]
		var ids []int64
		for _, e := range []string{"c@example.org", "a@example.org", "b@example.org"} {
			inv, err := f.app.Invite(ctx, admin, "acme", e, isms.RoleViewer)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, inv.ID)
		}
		foreign, err := other.app.Invite(ctx, other.members[isms.RoleAdmin], "beta", "x@example.org", isms.RoleViewer)
		if err != nil {
			t.Fatal(err)
		}

		pg, err := f.app.InvitationList(ctx, admin, "acme", app.Page{Limit: 2, Count: true})
		if err != nil || pg.Total != 3 || !pg.More || len(pg.Items) != 2 || pg.Items[0].Email != "a@example.org" || pg.Items[1].Email != "b@example.org" {
			t.Fatalf("first page: %+v, %v", pg, err)
		}
		pg, err = f.app.InvitationList(ctx, admin, "acme", app.Page{Limit: 2, Offset: 2})
		if err != nil || pg.More || len(pg.Items) != 1 || pg.Items[0].Email != "c@example.org" || pg.Total != -1 {
			t.Fatalf("second page: %+v, %v", pg, err)
		}
		if _, err := f.app.InvitationList(ctx, f.members[isms.RoleISMSManager], "acme", app.Page{}); isms.ErrorCode(err) != isms.EFORBIDDEN {
			t.Errorf("an ISMS manager lists invitations: %v", err)
		}
		if _, err := f.app.InvitationList(ctx, admin, "acme", app.Page{Limit: 501}); isms.ErrorCode(err) != isms.EINVALID {
			t.Errorf("a page of 501: %v", err)
		}

		// Another organisation's invitation is not found, read or revoked.
		if _, err := f.app.OrgInvitation(ctx, admin, "acme", foreign.ID); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("read beta's invitation through acme: %v", err)
		}
		if err := f.app.RevokeInvitation(ctx, admin, "acme", foreign.ID); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("revoke beta's invitation through acme: %v", err)
		}
		if err := f.app.RevokeInvitation(ctx, f.members[isms.RoleISMSManager], "acme", ids[0]); isms.ErrorCode(err) != isms.EFORBIDDEN {
			t.Errorf("an ISMS manager revokes: %v", err)
		}
		if err := f.app.RevokeInvitation(ctx, admin, "acme", ids[0]); err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.OrgInvitation(ctx, admin, "acme", ids[0]); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("a revoked invitation is still read: %v", err)
		}
		if err := f.app.RevokeInvitation(ctx, admin, "acme", ids[0]); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("revoked twice: %v", err)
		}
		es, err := f.app.Events(ctx, app.System, "acme", store.EventFilter{Action: "member.invitation_revoke", Limit: 5})
		if err != nil || len(es) != 1 || !strings.Contains(es[0].Before, "c@example.org") || !strings.HasPrefix(es[0].Actor, admin.Label) {
			t.Errorf("revocation events: %+v, %v", es, err)
		}
		if inv, err := other.app.OrgInvitation(ctx, other.members[isms.RoleAdmin], "beta", foreign.ID); err != nil || inv.Email != "x@example.org" {
			t.Errorf("beta's invitation: %+v, %v", inv, err)
		}

		// Expired invitations are not listed or read.
		now = now.Add(isms.InvitationLifetime + time.Hour)
		pg, err = f.app.InvitationList(ctx, admin, "acme", app.Page{Count: true})
		if err != nil || pg.Total != 0 || len(pg.Items) != 0 {
			t.Errorf("after expiry: %+v, %v", pg, err)
		}
		if _, err := f.app.OrgInvitation(ctx, admin, "acme", ids[1]); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("an expired invitation is read: %v", err)
		}
	})
}

// TestReviewSnapshotDownload hands out a signed review's snapshot as
// hashed and records the download; before signing there is none.
func TestReviewSnapshotDownload(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		db.Now = func() time.Time { return time.Date(2027, 1, 20, 9, 0, 0, 0, time.UTC) }
		ctx := context.Background()
		f := mustFixture(t, db, "acme")
		other := mustFixture(t, db, "beta")
		mgr, boss, viewer := f.members[isms.RoleISMSManager], f.members[isms.RoleManagement], f.members[isms.RoleViewer]
		r := &isms.Review{Period: "2026-Q4", HeldOn: time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC), ChairID: boss.UserID, Attendees: "CEO"}
		if err := f.app.CreateReview(ctx, mgr, "acme", r); err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.ReviewSnapshotDownload(ctx, viewer, "acme", r.ID); isms.ErrorCode(err) != isms.ECONFLICT {
			t.Errorf("snapshot of a draft: %v", err)
		}
		if _, err := f.app.MoveReview(ctx, mgr, "acme", r.ID, isms.ReviewHeld); err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.MoveReview(ctx, boss, "acme", r.ID, isms.ReviewSigned); err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.ReviewSnapshotDownload(ctx, other.members[isms.RoleAdmin], "acme", r.ID); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("another organisation's admin: %v", err)
		}
		got, err := f.app.ReviewSnapshotDownload(ctx, viewer, "acme", r.ID)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(got.Snapshot))
		if hex.EncodeToString(sum[:]) != got.SnapshotSHA256 || got.Snapshot == "" {
			t.Errorf("snapshot hashes to %x, review says %s", sum, got.SnapshotSHA256)
		}
		es, err := f.app.Events(ctx, app.System, "acme", store.EventFilter{Action: "export.download", Limit: 1})
		if err != nil || len(es) != 1 || !strings.Contains(es[0].After, `"kind":"review-snapshot"`) || !strings.Contains(es[0].After, got.SnapshotSHA256) {
			t.Errorf("download event: %+v, %v", es, err)
		}
	})
}
