package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestFrameworkStorage: migrating writes the built-in catalogues once and
// enables Annex A in every organisation; an organisation's own import is
// invisible to another; a new version of a catalogue replaces its
// requirements under the same key; mappings read from either end.
func TestFrameworkStorage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		var acme, other isms.Organization
		must(db.Write(ctx, func(tx *store.Tx) error {
			acme, other = isms.Organization{Slug: "acme", Name: "Acme", TimeZone: "UTC"}, isms.Organization{Slug: "other", Name: "Other", TimeZone: "UTC"}
			must(tx.CreateOrg(ctx, &acme))
			return tx.CreateOrg(ctx, &other)
		}))
		// Migrating again changes nothing.
		must(db.Migrate(ctx, nil))
		soc2 := &isms.FrameworkCatalogue{Framework: isms.Framework{OrgID: acme.ID, Key: "soc2-tsc-2017", Title: "SOC 2", Version: "2017", Source: isms.SourceCSV, ImportedBy: "a@acme.example"},
			Items: []isms.Requirement{{ID: "CC1", Kind: isms.KindGroup, Title: "Control environment"}, {ID: "CC1.1", ParentID: "CC1", Kind: isms.KindControl, Title: "Integrity and ethical values"}}}
		must(soc2.Validate())
		must(db.Write(ctx, func(tx *store.Tx) error {
			replaced, err := tx.SaveFramework(ctx, soc2)
			if err != nil || replaced {
				t.Fatalf("first save: replaced %v, %v", replaced, err)
			}
			return tx.EnableFramework(ctx, acme.ID, soc2.ID, "a@acme.example")
		}))
		must(db.Read(ctx, func(tx *store.Tx) error {
			fws, err := tx.Frameworks(ctx, acme.ID)
			if err != nil {
				return err
			}
			got := map[string]*store.FrameworkRow{}
			for _, f := range fws {
				got[f.Key] = f
			}
			if len(fws) != 3 || got[isms.FrameworkAnnexA] == nil || !got[isms.FrameworkAnnexA].Enabled || got[isms.FrameworkAnnexA].Requirements != 93 ||
				got[isms.FrameworkCSF2] == nil || got[isms.FrameworkCSF2].Enabled || got[isms.FrameworkCSF2].Requirements != 128 ||
				got["soc2-tsc-2017"] == nil || !got["soc2-tsc-2017"].Enabled {
				t.Errorf("acme sees %+v", fws)
			}
			if fws[0].Key != isms.FrameworkAnnexA && fws[0].Key != isms.FrameworkCSF2 {
				t.Errorf("built-in frameworks come first, got %s", fws[0].Key)
			}
			theirs, err := tx.Frameworks(ctx, other.ID)
			if err != nil {
				return err
			}
			if len(theirs) != 2 {
				t.Errorf("other sees %d frameworks, want the 2 built-in ones", len(theirs))
			}
			if _, err := tx.FrameworkByKey(ctx, other.ID, "soc2-tsc-2017"); isms.ErrorCode(err) != isms.ENOTFOUND {
				t.Errorf("other reads acme's framework: %v", err)
			}
			csf, err := tx.FrameworkByKey(ctx, acme.ID, isms.FrameworkCSF2)
			if err != nil {
				return err
			}
			reqs, err := tx.FrameworkRequirements(ctx, csf.ID)
			if err != nil {
				return err
			}
			if len(reqs) != 6+128+91 || reqs[0].ID != "GV" || reqs[0].Kind != isms.KindGroup {
				t.Errorf("CSF: %d nodes, first %+v", len(reqs), reqs[0])
			}
			r, err := tx.FrameworkRequirement(ctx, csf.ID, "PR.AA-05")
			if err != nil || r.ParentID != "PR.AA" || r.Kind != isms.KindEnhancement || r.Statement == "" {
				t.Errorf("PR.AA-05 = %+v, %v", r, err)
			}
			return nil
		}))
		// A new version replaces the requirements, the key stays.
		soc2v2 := *soc2
		soc2v2.Version = "2022"
		soc2v2.Items = append(append([]isms.Requirement(nil), soc2.Items...), isms.Requirement{ID: "CC1.2", ParentID: "CC1", Kind: isms.KindControl, Title: "Board independence"})
		must(soc2v2.Validate())
		must(db.Write(ctx, func(tx *store.Tx) error {
			replaced, err := tx.SaveFramework(ctx, &soc2v2)
			if err != nil || !replaced || soc2v2.ID != soc2.ID {
				t.Fatalf("second save: replaced %v, id %d (first %d), %v", replaced, soc2v2.ID, soc2.ID, err)
			}
			annex, err := tx.FrameworkByKey(ctx, acme.ID, isms.FrameworkAnnexA)
			if err != nil {
				return err
			}
			n, err := tx.SaveMappings(ctx, acme.ID, []store.Mapping{{SourceFrameworkID: soc2.ID, SourceReq: "CC1.1", TargetFrameworkID: annex.ID, TargetReq: "A.5.4",
				Relation: isms.RelationSubset, Origin: "test"}})
			if err != nil || n != 1 {
				t.Fatalf("mappings: %d, %v", n, err)
			}
			if n, _ := tx.SaveMappings(ctx, acme.ID, []store.Mapping{{SourceFrameworkID: soc2.ID, SourceReq: "CC1.1", TargetFrameworkID: annex.ID, TargetReq: "A.5.4",
				Relation: isms.RelationSubset}}); n != 0 {
				t.Errorf("the same mapping stored twice")
			}
			ms, err := tx.MappingsOf(ctx, acme.ID, annex.ID, "A.5.4")
			if err != nil {
				return err
			}
			if len(ms) != 1 || ms[0].SourceReq != "A.5.4" || ms[0].TargetKey != "soc2-tsc-2017" || ms[0].Relation != isms.RelationSuperset {
				t.Errorf("mappings of A.5.4 = %+v", ms)
			}
			if ms, _ := tx.MappingsOf(ctx, other.ID, annex.ID, "A.5.4"); len(ms) != 0 {
				t.Errorf("other sees acme's mappings: %+v", ms)
			}
			return nil
		}))
		must(db.Read(ctx, func(tx *store.Tx) error {
			f, err := tx.FrameworkByKey(ctx, acme.ID, "soc2-tsc-2017")
			if err != nil || f.Version != "2022" || f.Requirements != 2 {
				t.Errorf("after replacing: %+v, %v", f, err)
			}
			reqs, _ := tx.FrameworkRequirements(ctx, f.ID)
			if len(reqs) != 3 {
				t.Errorf("after replacing: %d requirements", len(reqs))
			}
			return nil
		}))
	})
}

// TestFrameworksMigrationKeepsSoA: an organisation with Statement of
// Applicability decisions made before frameworks existed (schema 0038)
// finds, after migrating, Annex A enabled and every decision under the
// same key, readable through the framework's requirements.
func TestFrameworksMigrationKeepsSoA(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			db, err := store.Open(ctx, storetest.DSN(t, engine))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.MigrateTo(ctx, 38); err != nil {
				t.Fatal(err)
			}
			at := any(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
			if engine == store.SQLite {
				at = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).UnixMicro()
			}
			var orgID int64
			if err := db.Writer().QueryRowContext(ctx, `INSERT INTO organizations (slug, name, time_zone, created_at) VALUES ('old', 'Old', 'UTC', $1) RETURNING id`, at).Scan(&orgID); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Writer().ExecContext(ctx, `INSERT INTO soa_entries (org_id, catalogue, control_id, applicable, justification, status, updated_by, updated_at)
				VALUES ($1, 'iso27001-2022-annex-a', 'A.5.1', $2, 'Risk R-1', 'implemented', 'a@old.example', $3)`, orgID, true, at); err != nil {
				t.Fatal(err)
			}
			if err := db.Migrate(ctx, nil); err != nil {
				t.Fatal(err)
			}
			err = db.Read(ctx, func(tx *store.Tx) error {
				f, err := tx.FrameworkByKey(ctx, orgID, isms.FrameworkAnnexA)
				if err != nil {
					return err
				}
				if !f.Enabled || f.Requirements != 93 {
					t.Errorf("Annex A after migrating: enabled %v, %d requirements", f.Enabled, f.Requirements)
				}
				if _, err := tx.FrameworkRequirement(ctx, f.ID, "A.5.1"); err != nil {
					t.Errorf("A.5.1: %v", err)
				}
				es, err := tx.SoAEntries(ctx, orgID, f.Key)
				if err != nil {
					return err
				}
				if e := es["A.5.1"]; e == nil || !e.Applicable || e.Justification != "Risk R-1" || e.Status != isms.StatusImplemented || e.UpdatedBy != "a@old.example" {
					t.Errorf("A.5.1's decision after migrating: %+v", e)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestBuiltinFrameworksRewrittenWhenChanged: a start compares the stored
// hashes of the built-in catalogues with the binary's before parsing
// anything; a catalogue whose hash differs (a release changed its text)
// is written again, the other is left as it is.
func TestBuiltinFrameworksRewrittenWhenChanged(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			db := storetest.Open(t, engine)
			if _, err := db.Writer().ExecContext(ctx, `UPDATE frameworks SET sha256 = 'old', title = 'An older title' WHERE key = $1 AND org_id IS NULL`, isms.FrameworkCSF2); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Writer().ExecContext(ctx, `UPDATE frameworks SET title = 'Kept: its hash is current' WHERE key = $1 AND org_id IS NULL`, isms.FrameworkAnnexA); err != nil {
				t.Fatal(err)
			}
			if err := db.Migrate(ctx, nil); err != nil {
				t.Fatal(err)
			}
			want := map[string]string{}
			for _, s := range isms.BuiltinFrameworkSums() {
				want[s.Key] = s.SHA256
			}
			for key, title := range map[string]string{isms.FrameworkCSF2: "NIST Cybersecurity Framework 2.0", isms.FrameworkAnnexA: "Kept: its hash is current"} {
				var sum, got string
				if err := db.Writer().QueryRowContext(ctx, `SELECT sha256, title FROM frameworks WHERE key = $1 AND org_id IS NULL`, key).Scan(&sum, &got); err != nil {
					t.Fatal(err)
				}
				if sum != want[key] || got != title {
					t.Errorf("%s after a start: sha256 %s title %q; want %s %q", key, sum, got, want[key], title)
				}
			}
		})
	}
}
