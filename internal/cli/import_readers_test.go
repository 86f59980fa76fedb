package cli_test

import (
	"strings"
	"testing"
)

// TestImportSpreadsheetForms: pdca import reads a semicolon CSV with a BOM
// (Excel, Finnish locale) and a .tsv, says how it read them, reads slashed
// dates only with --day-first / --month-first or the organisation's date
// order (pdca org date-order), and refuses both flags at once.
func TestImportSpreadsheetForms(t *testing.T) {
	eachEngine(t, func(t *testing.T, dsn string) {
		if code, out, errs := run(t, dsn, "", "org", "create", "--slug", "acme", "--name", "Acme Oy", "--tz", "Europe/Helsinki"); code != 0 {
			t.Fatalf("org create: %d %q %q", code, out, errs)
		}
		semi := write(t, "removals.csv", "\ufeffPerson;System;Employment Ended At;Access Removed At\nalice;github;05.10.2026 16:00;2026-10-05 16:40:00\n")
		code, out, errs := run(t, dsn, "", "import", "--org", "acme", "--kind", "access_removals", "--file", semi)
		if code != 0 || !strings.Contains(out, "(semicolon-separated, UTF-8 with BOM): 1 rows: 1 created") {
			t.Fatalf("semicolon import: %d %q %q", code, out, errs)
		}
		tsv := write(t, "removals.tsv", "person\tsystem\temployment_ended_at\nbob\taws\t2026-10-05T16:00:00\n")
		if code, out, errs = run(t, dsn, "", "import", "--org", "acme", "--kind", "access_removals", "--file", tsv, "--dry-run"); code != 0 || !strings.Contains(out, "(tab-separated, UTF-8)") {
			t.Fatalf("tsv import: %d %q %q", code, out, errs)
		}

		slashed := write(t, "slashed.csv", "person,system,employment_ended_at\ncarol,okta,05/10/2026\n")
		code, out, errs = run(t, dsn, "", "import", "--org", "acme", "--kind", "access_removals", "--file", slashed)
		if code != 1 || !strings.Contains(errs, `line 2, column employment_ended_at, value "05/10/2026": 05/10/2026 could be day first or month first`) {
			t.Fatalf("slashed without order: %d %q %q", code, out, errs)
		}
		if code, out, errs = run(t, dsn, "", "import", "--org", "acme", "--kind", "access_removals", "--file", slashed, "--day-first", "--month-first"); code == 0 {
			t.Fatalf("both orders: %d %q %q", code, out, errs)
		}
		if code, out, errs = run(t, dsn, "", "import", "--org", "acme", "--kind", "access_removals", "--file", slashed, "--day-first", "--dry-run"); code != 0 || !strings.Contains(out, "1 created") {
			t.Fatalf("--day-first: %d %q %q", code, out, errs)
		}
		if code, out, errs = run(t, dsn, "", "org", "date-order", "--org", "acme", "dmy"); code != 0 || !strings.Contains(out, "day first") {
			t.Fatalf("org date-order: %d %q %q", code, out, errs)
		}
		if code, out, errs = run(t, dsn, "", "import", "--org", "acme", "--kind", "access_removals", "--file", slashed); code != 0 || !strings.Contains(out, "1 created") {
			t.Fatalf("with the organisation's order: %d %q %q", code, out, errs)
		}
	})
}
