package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestTimeArgumentGuard checks that a time passed to SQL without tx.ts
// fails a test on SQLite instead of being bound as text.
func TestTimeArgumentGuard(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Read(ctx, func(tx *Tx) error {
		var n int64
		if err := tx.queryRow(ctx, `SELECT $1`, tx.ts(time.Unix(1, 5000))).Scan(&n); err != nil || n != 1000005 {
			t.Errorf("tx.ts argument read back as %d, %v; want 1000005", n, err)
		}
		defer func() {
			if p := recover(); p == nil || !strings.Contains(p.(string), "pass times through tx.ts") {
				t.Errorf("recovered %v, want the guard's panic", p)
			}
		}()
		_ = tx.queryRow(ctx, `SELECT $1`, time.Now())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
