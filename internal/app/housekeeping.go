package app

import (
	"context"
	"os"
	"path/filepath"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// HousekeepingResult says what a housekeeping run removed.
type HousekeepingResult struct {
	ExpiredSessions int64
	OldSigninFails  int64
	// ExpiredInvitations counts invitations removed a day after expiry.
	ExpiredInvitations int64
	StaleUploads       int
	// AbandonedImports counts imports whose process died while writing
	// their rows ahead; their hidden rows are removed (PendingStaleAfter).
	AbandonedImports int
}

// UploadMaxAge is how long an uploaded file waits for confirmation.
const UploadMaxAge = 24 * time.Hour

// Housekeeping deletes expired sessions, sign-in failures older than a
// day, invitations expired for a day, the hidden rows of imports whose
// process died while writing them, and uploads left unconfirmed for
// UploadMaxAge. It changes no
// business data, so it writes no audit event.
func (a *App) Housekeeping(ctx context.Context) (HousekeepingResult, error) {
	var r HousekeepingResult
	err := a.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		if r.ExpiredSessions, err = tx.DeleteExpiredSessions(ctx); err != nil {
			return err
		}
		if r.OldSigninFails, err = tx.PruneSigninFailures(ctx, tx.Now.AddDate(0, 0, -1)); err != nil {
			return err
		}
		if r.ExpiredInvitations, err = tx.PruneInvitations(ctx, tx.Now.AddDate(0, 0, -1)); err != nil {
			return err
		}
		// Issue 18: spent invitation links are remembered for a lifetime
		// of an invitation (to say why they no longer work), password
		// reset links for a day after they expire.
		if _, err = tx.PruneSpentLinks(ctx, tx.Now.Add(-isms.InvitationLifetime)); err != nil {
			return err
		}
		_, err = tx.PrunePasswordResets(ctx, tx.Now.AddDate(0, 0, -1))
		return err
	})
	if err != nil {
		return r, err
	}
	if r.AbandonedImports, err = a.SweepPending(ctx); err != nil {
		return r, err
	}
	r.StaleUploads, err = a.removeStaleUploads(time.Now().Add(-UploadMaxAge))
	return r, err
}

// NewUploadDir makes a private directory for one upload under UploadDir.
func (a *App) NewUploadDir() (string, error) {
	if err := os.MkdirAll(a.UploadDir, 0o700); err != nil {
		return "", err
	}
	return os.MkdirTemp(a.UploadDir, "upload-")
}

func (a *App) removeStaleUploads(before time.Time) (int, error) {
	entries, err := os.ReadDir(a.UploadDir)
	if os.IsNotExist(err) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !info.ModTime().Before(before) {
			continue
		}
		if err := os.RemoveAll(filepath.Join(a.UploadDir, e.Name())); err == nil {
			n++
		}
	}
	return n, nil
}
