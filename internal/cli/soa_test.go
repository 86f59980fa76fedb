package cli_test

import (
	"strings"
	"testing"
)

func TestSoAImport(t *testing.T) {
	eachEngine(t, func(t *testing.T, dsn string) {
		if code, out, errs := run(t, dsn, "", "org", "create", "--slug", "acme", "--name", "Acme Oy"); code != 0 {
			t.Fatalf("org create: %d %q %q", code, out, errs)
		}
		xlsx := "../importer/testdata/soa_libreoffice.xlsx" // written by LibreOffice Calc
		code, out, errs := run(t, dsn, "", "soa", "import", "--org", "acme", "--file", xlsx, "--dry-run")
		if code != 0 || !strings.Contains(out, "soa_libreoffice.xlsx dry run, nothing stored: 4 rows: 3 created, 0 updated, 1 unchanged") ||
			!strings.Contains(out, `line 3 A.5.2 status: "" → "planned"`) {
			t.Fatalf("dry run: %d %q %q", code, out, errs)
		}
		if code, out, errs = run(t, dsn, "", "soa", "import", "--org", "acme", "--file", xlsx); code != 0 || !strings.Contains(out, "3 created, 0 updated, 1 unchanged") {
			t.Fatalf("import: %d %q %q", code, out, errs)
		}
		if code, out, errs = run(t, dsn, "", "soa", "import", "--org", "acme", "--file", xlsx); code != 0 || !strings.Contains(out, "0 created, 0 updated, 4 unchanged") {
			t.Fatalf("re-import: %d %q %q", code, out, errs)
		}
		csv := write(t, "soa.csv", "control_id,status,notes\nA.5.1,partial,\nA.7.4,planned,\nA.99.1,,\n")
		code, out, errs = run(t, dsn, "", "soa", "import", "--org", "acme", "--file", csv)
		if code != 1 || out != "" || !strings.Contains(errs, "was rejected: nothing was stored") ||
			!strings.Contains(errs, `line 4, column control_id, value "A.99.1": not a control`) {
			t.Fatalf("bad file: %d %q %q", code, out, errs)
		}
		csv = write(t, "soa.csv", "control_id,status,notes\nA.5.1,partial,\nA.7.4,planned,\n")
		code, out, errs = run(t, dsn, "", "soa", "import", "--org", "acme", "--file", csv)
		if code != 1 || !strings.Contains(errs, "line 3, column status, value \"planned\": A.7.4 is excluded, so it has no implementation status") {
			t.Fatalf("refused decision: %d %q %q", code, out, errs)
		}
		csv = write(t, "soa.csv", "control_id,status,notes\nA.5.1,partial,\n")
		code, out, errs = run(t, dsn, "", "soa", "import", "--org", "acme", "--file", csv)
		if code != 0 || !strings.Contains(out, "0 created, 1 updated, 0 unchanged") || !strings.Contains(errs, "columns not read") {
			t.Fatalf("partial status: %d %q %q", code, out, errs)
		}
		if code, _, errs = run(t, dsn, "", "soa", "import", "--org", "nope", "--file", csv); code == 0 {
			t.Errorf("unknown organisation: exit 0 %q", errs)
		}
	})
}
