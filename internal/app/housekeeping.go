package app

import (
	"context"

	"github.com/pdca/pdca/internal/store"
)

// HousekeepingResult says what a housekeeping run removed.
type HousekeepingResult struct {
	ExpiredSessions int64
	OldSigninFails  int64
}

// Housekeeping deletes expired sessions and sign-in failures older than a
// day. It changes no business data, so it writes no audit event.
func (a *App) Housekeeping(ctx context.Context) (HousekeepingResult, error) {
	var r HousekeepingResult
	err := a.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		if r.ExpiredSessions, err = tx.DeleteExpiredSessions(ctx); err != nil {
			return err
		}
		r.OldSigninFails, err = tx.PruneSigninFailures(ctx, tx.Now.AddDate(0, 0, -1))
		return err
	})
	return r, err
}
