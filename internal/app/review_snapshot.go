package app

import (
	"context"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// ReviewSnapshotDownload returns a signed review with its frozen snapshot
// (the JSON whose SHA-256 the review and the audit trail hold, byte for
// byte as hashed) and records the download in the audit trail as an
// export. Requires read. ENOTFOUND; ECONFLICT while the review is not
// signed (it has no snapshot yet).
func (a *App) ReviewSnapshotDownload(ctx context.Context, p Principal, slug string, id int64) (*isms.Review, error) {
	var r *isms.Review
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		var err error
		r, err = tx.Review(ctx, m.Org.ID, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if r.Status != isms.ReviewSigned || r.Snapshot == "" {
		return nil, isms.Errorf(isms.ECONFLICT, "review %s is %s: it has a snapshot once signed", r.Period, r.Status)
	}
	x := ExportInfo{Kind: "review-snapshot", Format: "json", Filters: map[string]string{"review_id": itoa(id)},
		Bytes: int64(len(r.Snapshot)), SHA256: sum([]byte(r.Snapshot))}
	if err := a.RecordExport(ctx, p, slug, x); err != nil {
		return nil, err
	}
	return r, nil
}
