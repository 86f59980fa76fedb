package app_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// recordEvents returns the audit events of one record, newest first.
func recordEvents(t *testing.T, a *app.App, kind isms.RecordKind, id int64) []isms.Event {
	t.Helper()
	evs, err := a.Events(context.Background(), app.System, "acme", store.EventFilter{Entity: string(kind), EntityID: strconv.FormatInt(id, 10)})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func TestRecordEntryCreateEditDelete(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := mustFixture(t, db, "acme")
		var jobs []app.Job
		f.app.Enqueue = func(_ context.Context, _ *store.Tx, j app.Job) error { jobs = append(jobs, j); return nil }
		ctx := context.Background()
		owner := f.members[isms.RoleProcessOwner]
		in := app.RecordValues{Values: map[string]string{"ref": "INC-1", "title": "Phishing", "severity": "HIGH",
			"detected_at": "2026-10-01 09:00", "action_started_at": "", "resolved_at": "", "root_cause": ""}}
		rec, err := f.app.CreateRecord(ctx, owner, "acme", isms.KindIncidents, in)
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		// Read as an import reads it: in the organisation's zone (Helsinki,
		// +03:00 in October), the severity lower-case.
		if got := rec.Times["detected_at"]; !got.Equal(time.Date(2026, 10, 1, 6, 0, 0, 0, time.UTC)) {
			t.Errorf("detected_at = %v, want 06:00 UTC", got)
		}
		if rec.Texts["severity"] != "high" || rec.Key != "INC-1" {
			t.Errorf("record = %+v", rec)
		}
		if len(jobs) != 1 || jobs[0].Kind != app.JobRecomputeMetrics {
			t.Errorf("create enqueued %v, want one recompute", jobs)
		}
		// A person's own zone, when given, decides instead.
		in2 := app.RecordValues{Values: map[string]string{"ref": "INC-2", "detected_at": "2026-10-01 09:00"}, Location: time.UTC}
		rec2, err := f.app.CreateRecord(ctx, owner, "acme", isms.KindIncidents, in2)
		if err != nil || !rec2.Times["detected_at"].Equal(time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)) {
			t.Fatalf("create in UTC: %v %v", rec2.Times, err)
		}

		// Duplicate key: ECONFLICT, nothing stored.
		_, err = f.app.CreateRecord(ctx, owner, "acme", isms.KindIncidents, in)
		if isms.ErrorCode(err) != isms.ECONFLICT || !strings.Contains(err.Error(), "INC-1") {
			t.Errorf("duplicate: %v, want conflict naming the key", err)
		}
		// Editing the key into another record's key: ECONFLICT.
		edit := app.RecordValues{Values: map[string]string{"ref": "INC-1", "title": "x"}}
		if _, err := f.app.UpdateRecord(ctx, owner, "acme", isms.KindIncidents, rec2.ID, edit); isms.ErrorCode(err) != isms.ECONFLICT {
			t.Errorf("edit to a taken key: %v, want conflict", err)
		}
		// Editing the key into a free one is allowed.
		edit = app.RecordValues{Values: map[string]string{"ref": "INC-2b", "detected_at": "2026-10-01 09:00", "severity": "low"}, Location: time.UTC}
		upd, err := f.app.UpdateRecord(ctx, owner, "acme", isms.KindIncidents, rec2.ID, edit)
		if err != nil || upd.Key != "INC-2b" || upd.Texts["severity"] != "low" {
			t.Fatalf("edit: %+v %v", upd, err)
		}
		evs := recordEvents(t, f.app, isms.KindIncidents, rec2.ID)
		if len(evs) != 2 || evs[0].Action != "record.update" || evs[1].Action != "record.create" {
			t.Fatalf("events = %v", evs)
		}
		if !strings.Contains(evs[0].Before, `"INC-2"`) || !strings.Contains(evs[0].After, `"INC-2b"`) || !strings.Contains(evs[0].After, `"low"`) {
			t.Errorf("update event before %s after %s", evs[0].Before, evs[0].After)
		}
		if evs[0].ActorID != owner.UserID {
			t.Errorf("actor = %d, want %d", evs[0].ActorID, owner.UserID)
		}
		// Saving unchanged writes nothing.
		n := len(jobs)
		if _, err := f.app.UpdateRecord(ctx, owner, "acme", isms.KindIncidents, rec2.ID, edit); err != nil {
			t.Fatal(err)
		}
		if got := recordEvents(t, f.app, isms.KindIncidents, rec2.ID); len(got) != 2 || len(jobs) != n {
			t.Errorf("unchanged save wrote %d events, %d jobs", len(got)-2, len(jobs)-n)
		}

		// Delete: a wrong key deletes nothing; then the record is gone,
		// its history stays, with the values.
		if err := f.app.DeleteRecord(ctx, owner, "acme", isms.KindIncidents, rec2.ID, "INC-1"); isms.ErrorCode(err) != isms.ECONFLICT {
			t.Errorf("delete with another key: %v, want conflict", err)
		}
		if err := f.app.DeleteRecord(ctx, owner, "acme", isms.KindIncidents, rec2.ID, "INC-2b"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.Record(ctx, owner, "acme", isms.KindIncidents, rec2.ID); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("deleted record: %v, want not found", err)
		}
		evs = recordEvents(t, f.app, isms.KindIncidents, rec2.ID)
		if len(evs) != 3 || evs[0].Action != "record.delete" || !strings.Contains(evs[0].Before, "INC-2b") || evs[0].After != "" {
			t.Fatalf("events after delete = %+v", evs)
		}
		if len(jobs) != n+1 {
			t.Errorf("delete enqueued %d jobs, want 1", len(jobs)-n)
		}
		if err := f.app.DeleteRecord(ctx, owner, "acme", isms.KindIncidents, rec2.ID, ""); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("second delete: %v", err)
		}
		// The key of a deleted record is free again.
		if _, err := f.app.CreateRecord(ctx, owner, "acme", isms.KindIncidents, app.RecordValues{Values: map[string]string{"ref": "INC-2b"}}); err != nil {
			t.Errorf("re-create a deleted key: %v", err)
		}
		if _, ok, err := f.app.VerifyAudit(ctx, app.System); err != nil || !ok {
			t.Error("audit chain does not verify")
		}
	})
}

func TestRecordEntryValidationStoresNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := mustFixture(t, db, "acme")
		ctx := context.Background()
		owner := f.members[isms.RoleProcessOwner]
		mustImport(t, f.app, owner, "acme", isms.KindSuppliers, "name,critical\nAcme Cloud,yes\n", false)
		tests := []struct {
			name   string
			kind   isms.RecordKind
			values map[string]string
			fields []string // the fields with a problem
		}{
			{"bad time and enum", isms.KindIncidents, map[string]string{"ref": "I-9", "severity": "urgent", "detected_at": "yesterday"}, []string{"severity", "detected_at"}},
			{"missing key", isms.KindIncidents, map[string]string{"ref": " ", "title": "x"}, []string{"ref"}},
			{"bad bool", isms.KindSuppliers, map[string]string{"name": "Beta", "critical": "maybe"}, []string{"critical"}},
			{"bad result", isms.KindRestoreTests, map[string]string{"system": "db", "tested_at": "2026-10-01", "result": "ok"}, []string{"result"}},
			{"unknown supplier", isms.KindSupplierAssessments, map[string]string{"supplier": "Nobody", "assessed_at": "2026-10-01"}, []string{"supplier"}},
			{"unknown column", isms.KindChanges, map[string]string{"ref": "C-1", "colour": "red"}, []string{"colour"}},
			{"skipped local time", isms.KindTraining, map[string]string{"person": "a", "course": "c", "due_at": "2026-03-29 03:30"}, []string{"due_at"}},
		}
		for _, tt := range tests {
			_, err := f.app.CreateRecord(ctx, owner, "acme", tt.kind, app.RecordValues{Values: tt.values})
			var fe *app.FieldErrors
			if !errors.As(err, &fe) || isms.ErrorCode(err) != isms.EINVALID {
				t.Errorf("%s: %v, want field errors", tt.name, err)
				continue
			}
			for _, name := range tt.fields {
				if fe.Fields[name] == "" {
					t.Errorf("%s: no problem for %s in %v", tt.name, name, fe.Fields)
				}
			}
		}
		counts, err := f.app.RecordCounts(ctx, owner, "acme")
		if err != nil {
			t.Fatal(err)
		}
		for k, n := range counts {
			if k != isms.KindSuppliers && n != 0 {
				t.Errorf("%s: %d records stored by rejected entries", k, n)
			}
		}
		// A known supplier (any case) passes, as in an import.
		if _, err := f.app.CreateRecord(ctx, owner, "acme", isms.KindSupplierAssessments, app.RecordValues{Values: map[string]string{"supplier": "acme cloud", "assessed_at": "2026-10-01"}}); err != nil {
			t.Errorf("known supplier: %v", err)
		}
	})
}

func TestRecordEntryRoles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := mustFixture(t, db, "acme")
		other := mustFixture(t, db, "beta")
		ctx := context.Background()
		in := app.RecordValues{Values: map[string]string{"name": "S1"}}
		for _, r := range isms.Roles() {
			_, err := f.app.CreateRecord(ctx, f.members[r], "acme", isms.KindSuppliers, app.RecordValues{Values: map[string]string{"name": "S-" + string(r)}})
			want := ""
			if !r.Can(isms.ActWriteRecords) {
				want = isms.EFORBIDDEN
			}
			if isms.ErrorCode(err) != want {
				t.Errorf("%s: %v, want %q", r, err, want)
			}
		}
		rec, err := f.app.CreateRecord(ctx, f.members[isms.RoleAdmin], "acme", isms.KindSuppliers, in)
		if err != nil {
			t.Fatal(err)
		}
		// Another organisation's member finds nothing to change.
		if _, err := f.app.UpdateRecord(ctx, other.members[isms.RoleAdmin], "acme", isms.KindSuppliers, rec.ID, in); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("other tenant update: %v", err)
		}
		if err := f.app.DeleteRecord(ctx, other.members[isms.RoleAdmin], "beta", isms.KindSuppliers, rec.ID, ""); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("delete through another organisation: %v", err)
		}
		if err := f.app.DeleteRecord(ctx, f.members[isms.RoleViewer], "acme", isms.KindSuppliers, rec.ID, ""); isms.ErrorCode(err) != isms.EFORBIDDEN {
			t.Errorf("viewer delete: %v", err)
		}
	})
}

// A form shows times to the minute: saving a record unchanged keeps the
// seconds an import stored.
func TestRecordEntryKeepsSeconds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := mustFixture(t, db, "acme")
		ctx := context.Background()
		owner := f.members[isms.RoleProcessOwner]
		mustImport(t, f.app, owner, "acme", isms.KindIncidents, "ref,detected_at\nI-1,2026-10-01T06:00:42Z\n", false)
		recs, _, err := f.app.Records(ctx, owner, "acme", isms.KindIncidents, store.RecordFilter{})
		if err != nil || len(recs) != 1 {
			t.Fatal(err)
		}
		got, err := f.app.UpdateRecord(ctx, owner, "acme", isms.KindIncidents, recs[0].ID, app.RecordValues{Values: map[string]string{"ref": "I-1", "detected_at": "2026-10-01 09:00"}})
		if err != nil {
			t.Fatal(err)
		}
		if !got.Times["detected_at"].Equal(time.Date(2026, 10, 1, 6, 0, 42, 0, time.UTC)) {
			t.Errorf("detected_at = %v, want the stored seconds kept", got.Times["detected_at"])
		}
		if evs := recordEvents(t, f.app, isms.KindIncidents, recs[0].ID); len(evs) != 0 {
			t.Errorf("unchanged save wrote %v", evs)
		}
	})
}

// A deviation worked in pdca is mirrored into the deviations records; its
// mirror is changed through the workflow, never by hand.
func TestRecordEntryLeavesMirrorsToTheWorkflow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := mustFixture(t, db, "acme")
		ctx := context.Background()
		po := f.members[isms.RoleProcessOwner]
		d, err := f.app.CreateDeviation(ctx, po, "acme", app.DeviationInput{Title: "worked in pdca", Kind: "minor", Source: "complaint", Severity: "low"})
		if err != nil {
			t.Fatal(err)
		}
		recs, _, err := f.app.Records(ctx, po, "acme", isms.KindDeviations, store.RecordFilter{Query: d.Ref})
		if err != nil || len(recs) != 1 {
			t.Fatalf("mirror: %v %v", recs, err)
		}
		_, err = f.app.UpdateRecord(ctx, po, "acme", isms.KindDeviations, recs[0].ID, app.RecordValues{Values: map[string]string{"ref": d.Ref, "title": "by hand"}})
		if isms.ErrorCode(err) != isms.ECONFLICT || !strings.Contains(err.Error(), "deviation's page") {
			t.Errorf("edit a mirror: %v", err)
		}
		if err := f.app.DeleteRecord(ctx, po, "acme", isms.KindDeviations, recs[0].ID, d.Ref); isms.ErrorCode(err) != isms.ECONFLICT {
			t.Errorf("delete a mirror: %v", err)
		}
		// An imported deviation record is the organisation's own to edit.
		mustImport(t, f.app, po, "acme", isms.KindDeviations, "ref,title\nEXT-1,from the old tool\n", false)
		ext, _, _ := f.app.Records(ctx, po, "acme", isms.KindDeviations, store.RecordFilter{Query: "EXT-1"})
		if _, err := f.app.UpdateRecord(ctx, po, "acme", isms.KindDeviations, ext[0].ID, app.RecordValues{Values: map[string]string{"ref": "EXT-1", "title": "edited"}}); err != nil {
			t.Errorf("edit an imported deviation record: %v", err)
		}
	})
}
