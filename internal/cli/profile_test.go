package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/isms"
)

const hrLeavers = `{
  "format": "pdca-import-profile/1",
  "name": "HR leavers",
  "kind": "access_removals",
  "file_pattern": "hr-leavers-*.csv",
  "date_order": "dmy",
  "columns": {"Login": "person", "Left": "employment_ended_at", "Manager": ""},
  "constants": {"system": "github"}
}
`

// TestProfileCommands: pdca profile import / list / show / export /
// delete, and pdca import reading a file through a profile (named, picked
// by its file pattern, or none), with the dry run's preview of the rows in
// the organisation's zone and in UTC.
func TestProfileCommands(t *testing.T) {
	eachEngine(t, func(t *testing.T, dsn string) {
		if code, out, errs := run(t, dsn, "", "org", "create", "--slug", "acme", "--name", "Acme Oy", "--tz", "Europe/Helsinki"); code != 0 {
			t.Fatalf("org create: %d %q %q", code, out, errs)
		}
		code, out, errs := run(t, dsn, "", "profile", "list", "--org", "acme")
		if code != 0 || !strings.Contains(out, "acme has no import profiles") {
			t.Fatalf("empty list: %d %q %q", code, out, errs)
		}
		file := write(t, "hr.json", hrLeavers)
		code, out, errs = run(t, dsn, "", "profile", "import", "--org", "acme", "--file", file)
		if code != 0 || out != "created profile \"HR leavers\" (access_removals) in acme\n" {
			t.Fatalf("profile import: %d %q %q", code, out, errs)
		}
		code, out, errs = run(t, dsn, "", "profile", "import", "--org", "acme", "--file", file)
		if code != 1 || !strings.Contains(errs, `acme has a profile called "HR leavers"; pass --replace`) {
			t.Fatalf("existing name without --replace: %d %q %q", code, out, errs)
		}
		code, out, errs = run(t, dsn, "", "profile", "list", "--org", "acme")
		if code != 0 || !strings.Contains(out, "NAME") || !strings.Contains(out, "HR leavers") || !strings.Contains(out, "hr-leavers-*.csv") || !strings.Contains(out, "dmy") {
			t.Fatalf("list: %d %q %q", code, out, errs)
		}

		// Export, edit, import --replace: the edit is what show prints.
		exported := filepath.Join(t.TempDir(), "out.json")
		if code, out, errs = run(t, dsn, "", "profile", "export", "--org", "acme", "hr LEAVERS", "--out", exported); code != 0 || out != "" {
			t.Fatalf("export: %d %q %q", code, out, errs)
		}
		data, err := os.ReadFile(exported)
		if err != nil {
			t.Fatal(err)
		}
		p, err := isms.ParseProfileJSON(data)
		if err != nil || p.Name != "HR leavers" || p.Columns["Login"] != "person" || p.Constants["system"] != "github" {
			t.Fatalf("exported file reads back as %+v, %v\n%s", p, err, data)
		}
		edited := write(t, "edited.json", strings.Replace(string(data), `"github"`, `"okta"`, 1))
		if code, out, errs = run(t, dsn, "", "profile", "import", "--org", "acme", "--file", edited, "--replace"); code != 0 || !strings.Contains(out, `replaced profile "HR leavers"`) {
			t.Fatalf("import --replace: %d %q %q", code, out, errs)
		}
		if code, out, errs = run(t, dsn, "", "profile", "show", "--org", "acme", "HR leavers"); code != 0 || !strings.Contains(out, `"system": "okta"`) || !strings.Contains(out, `"format": "pdca-import-profile/1"`) {
			t.Fatalf("show after replace: %d %q %q", code, out, errs)
		}
		if code, out, errs = run(t, dsn, "", "profile", "import", "--org", "acme", "--file", file, "--replace"); code != 0 {
			t.Fatalf("import --replace back: %d %q %q", code, out, errs)
		}
		code, out, errs = run(t, dsn, "", "profile", "list", "--org", "acme", "--json")
		var list []map[string]string
		if err := json.Unmarshal([]byte(out), &list); code != 0 || err != nil || len(list) != 1 || list[0]["name"] != "HR leavers" || list[0]["kind"] != "access_removals" || list[0]["date_order"] != "dmy" {
			t.Fatalf("list --json: %d %v %q %q", code, err, out, errs)
		}

		// A key the format does not have: refused, naming line and column.
		unknown := write(t, "unknown.json", "{\n  \"format\": \"pdca-import-profile/1\",\n  \"name\": \"X\",\n  \"colour\": \"red\"\n}\n")
		code, out, errs = run(t, dsn, "", "profile", "import", "--org", "acme", "--file", unknown)
		if code != 1 || !regexp.MustCompile(`line \d+, column \d+: unknown field "colour"`).MatchString(errs) || !strings.Contains(errs, `unknown field "colour"`) || !strings.Contains(errs, "unknown.json") {
			t.Fatalf("unknown key: %d %q %q", code, out, errs)
		}

		// Named (any case, no --kind): semicolons, renamed columns, a
		// column left out, day-first dates, the constant system.
		leavers := write(t, "leavers.csv", "Login;Left;Manager\nalice;05/10/2026 16:00;bob\ncarol;06/10/2026 09:30;dave\n")
		code, out, errs = run(t, dsn, "", "import", "--org", "acme", "--profile", "hr LEAVERS", "--file", leavers, "--dry-run")
		if code != 0 || !strings.Contains(out, "leavers.csv dry run, nothing stored (semicolon-separated, UTF-8): 2 rows: 2 created") ||
			!strings.Contains(out, `read with profile "HR leavers" (named); slashed dates read day first (05/10/2026 is 5 October)`) ||
			!strings.Contains(out, "first 2 rows as read (times in Europe/Helsinki and UTC):") {
			t.Fatalf("--profile dry run: %d %q %q", code, out, errs)
		}
		var sample string
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(line, "alice ") {
				sample = line
			}
		}
		if !strings.Contains(sample, "github") || !strings.Contains(sample, "2026-10-05 16:00 Europe/Helsinki = 2026-10-05T13:00:00Z") || strings.Contains(out, "bob") {
			t.Fatalf("sample row %q in %q", sample, out)
		}
		code, out, errs = run(t, dsn, "", "import", "--org", "acme", "--profile", "HR leavers", "--file", leavers, "--dry-run", "--json")
		var res struct {
			Profile        string              `json:"profile"`
			ProfileMatched bool                `json:"profile_matched"`
			DayOrder       string              `json:"day_order"`
			Created        int                 `json:"created"`
			Sample         []map[string]string `json:"sample"`
		}
		if err := json.Unmarshal([]byte(out), &res); code != 0 || err != nil || res.Profile != "HR leavers" || res.ProfileMatched || res.DayOrder != "dmy" || res.Created != 2 ||
			len(res.Sample) != 2 || res.Sample[1]["employment_ended_at"] != "2026-10-06T06:30:00Z" || res.Sample[1]["person"] != "carol" || res.Sample[1]["system"] != "github" {
			t.Fatalf("--json: %d %v %+v %q %q", code, err, res, out, errs)
		}
		// The import's own order wins over the profile's.
		code, out, errs = run(t, dsn, "", "import", "--org", "acme", "--profile", "HR leavers", "--file", leavers, "--month-first", "--dry-run")
		if code != 0 || !strings.Contains(out, "slashed dates read month first") || !strings.Contains(out, "2026-05-10 16:00 Europe/Helsinki = 2026-05-10T13:00:00Z") {
			t.Fatalf("--month-first over the profile's order: %d %q %q", code, out, errs)
		}
		if code, out, errs = run(t, dsn, "", "import", "--org", "acme", "--profile", "no such", "--file", leavers); code != 1 || !strings.Contains(errs, `profile "no such": no import profile has this name`) {
			t.Fatalf("unknown profile: %d %q %q", code, out, errs)
		}
		if code, out, errs = run(t, dsn, "", "import", "--org", "acme", "--kind", "vulnerabilities", "--format", "trivy", "--profile", "HR leavers", "--file", leavers); code != 1 || !strings.Contains(errs, "a scanner report is read by its own format") {
			t.Fatalf("profile with a scanner report: %d %q %q", code, out, errs)
		}
		if code, out, errs = run(t, dsn, "", "import", "--org", "acme", "--file", leavers); code != 1 || !strings.Contains(errs, "--kind") {
			t.Fatalf("no kind, no profile: %d %q %q", code, out, errs)
		}
		if code, out, errs = run(t, dsn, "", "import", "--org", "acme", "--kind", "incidents", "--profile", "HR leavers", "--file", leavers); code != 1 || !strings.Contains(errs, "reads access_removals, not incidents") {
			t.Fatalf("profile of another kind: %d %q %q", code, out, errs)
		}

		// Picked by its file pattern, then stored.
		matched := filepath.Join(t.TempDir(), "HR-Leavers-2026-10.csv")
		if err := os.WriteFile(matched, []byte("Login;Left;Manager\nalice;05/10/2026 16:00;bob\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		code, out, errs = run(t, dsn, "", "import", "--org", "acme", "--kind", "access_removals", "--file", matched)
		if code != 0 || !strings.Contains(out, "HR-Leavers-2026-10.csv imported (semicolon-separated, UTF-8): 1 rows: 1 created") ||
			!strings.Contains(out, `read with profile "HR leavers" (its pattern hr-leavers-*.csv matches the file name); slashed dates read day first`) ||
			strings.Contains(out, "as read") {
			t.Fatalf("picked by pattern: %d %q %q", code, out, errs)
		}

		// --profile none: the same name, read by pdca's own columns.
		plain := filepath.Join(t.TempDir(), "hr-leavers-2026-11.csv")
		if err := os.WriteFile(plain, []byte("person,system,employment_ended_at\nerin,aws,2026-11-02T10:00:00Z\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if code, out, errs = run(t, dsn, "", "import", "--org", "acme", "--kind", "access_removals", "--file", plain); code != 1 || !strings.Contains(errs, "system") {
			t.Fatalf("own columns under the matching profile: %d %q %q", code, out, errs)
		}
		code, out, errs = run(t, dsn, "", "import", "--org", "acme", "--kind", "access_removals", "--profile", "none", "--file", plain)
		if code != 0 || !strings.Contains(out, "1 rows: 1 created") || !strings.Contains(out, "read without a profile (--profile none)") {
			t.Fatalf("--profile none: %d %q %q", code, out, errs)
		}

		// Delete: refused without --yes when standard input is no terminal.
		if code, out, errs = run(t, dsn, "", "profile", "delete", "--org", "acme", "HR leavers"); code != 1 || !strings.Contains(errs, "pass --yes") {
			t.Fatalf("delete without --yes: %d %q %q", code, out, errs)
		}
		if code, out, errs = run(t, dsn, "", "profile", "show", "--org", "acme", "HR leavers"); code != 0 {
			t.Fatalf("profile gone after a refused delete: %d %q %q", code, out, errs)
		}
		if code, out, errs = run(t, dsn, "", "profile", "delete", "--org", "acme", "hr leavers", "--yes"); code != 0 || out != "deleted profile \"HR leavers\" from acme\n" {
			t.Fatalf("delete --yes: %d %q %q", code, out, errs)
		}
		if code, out, errs = run(t, dsn, "", "profile", "delete", "--org", "acme", "hr leavers", "--yes"); code != 1 || !strings.Contains(errs, "no import profile has this name") {
			t.Fatalf("delete again: %d %q %q", code, out, errs)
		}
		if code, out, errs = run(t, dsn, "", "audit", "verify"); code != 0 {
			t.Fatalf("audit verify: %d %q %q", code, out, errs)
		}
	})
}
