package app_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestBundleAuditTrailRecomputes follows the evidence bundle's README
// alone: from registers/audit-trail.csv (with its org_id column, one
// leading ' removed) every event's hash and the chain recompute, also
// for an event whose content needs escaping (a file name with a formula,
// <, > and &).
func TestBundleAuditTrailRecomputes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, "acme")
		if _, err := f.app.Import(ctx, f.members[isms.RoleAdmin], app.ImportRequest{Org: "acme", Kind: isms.KindRestoreTests, Format: importer.FormatCSV,
			FileName: `=cmd "x" <b>&\.csv`, File: strings.NewReader("system,tested_at,result\nerp,2026-10-01T00:00:00Z,pass\n")}); err != nil {
			t.Fatal(err)
		}
		var zipped bytes.Buffer
		if _, err := f.app.EvidenceBundle(ctx, f.members[isms.RoleAuditor], "acme", &zipped); err != nil {
			t.Fatal(err)
		}
		zr, err := zip.NewReader(bytes.NewReader(zipped.Bytes()), int64(zipped.Len()))
		if err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{}
		for _, zf := range zr.File {
			rc, _ := zf.Open()
			files[zf.Name], _ = io.ReadAll(rc)
			rc.Close()
		}
		if !bytes.Contains(files["README.txt"], []byte("[org_id, seq, actor_id, actor, action, entity, entity_id, before, after, at, prev_hash]")) {
			t.Fatalf("README does not state the hash input:\n%s", files["README.txt"])
		}
		rows, err := csv.NewReader(bytes.NewReader(files["registers/audit-trail.csv"])).ReadAll()
		if err != nil || len(rows) < 3 {
			t.Fatalf("audit-trail.csv: %d rows, %v", len(rows), err)
		}
		col := map[string]int{}
		for i, name := range rows[0] {
			col[name] = i
		}
		if _, ok := col["org_id"]; !ok {
			t.Fatalf("audit-trail.csv has no org_id column: %v", rows[0])
		}
		num := func(row []string, name string) int64 {
			n, err := strconv.ParseInt(row[col[name]], 10, 64)
			if err != nil {
				t.Fatalf("%s %q: %v", name, row[col[name]], err)
			}
			return n
		}
		prev, escaped := "", false
		for _, row := range rows[1:] {
			for i, v := range row {
				row[i] = strings.TrimPrefix(v, "'")
			}
			if strings.Contains(row[col["after"]], `=cmd`) {
				escaped = true
			}
			b, _ := json.Marshal([]any{num(row, "org_id"), num(row, "seq"), num(row, "actor_id"), row[col["actor"]], row[col["action"]], row[col["entity"]],
				row[col["entity_id"]], row[col["before"]], row[col["after"]], row[col["at"]], row[col["prev_hash"]]})
			sum := sha256.Sum256(b)
			if got := hex.EncodeToString(sum[:]); got != row[col["hash"]] || row[col["prev_hash"]] != prev || num(row, "org_id") != f.org.ID {
				t.Fatalf("event %s does not recompute from the CSV: hash %s, want %s (prev %s, want %s)", row[col["seq"]], got, row[col["hash"]], row[col["prev_hash"]], prev)
			}
			prev = row[col["hash"]]
		}
		if !escaped {
			t.Error("no event held the file name that needs escaping")
		}
	})
}
