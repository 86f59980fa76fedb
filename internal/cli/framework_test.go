package cli_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func TestFrameworkCommands(t *testing.T) {
	eachEngine(t, func(t *testing.T, dsn string) {
		if code, out, errs := run(t, dsn, "", "org", "create", "--slug", "acme", "--name", "Acme Oy"); code != 0 {
			t.Fatalf("org create: %d %q %q", code, out, errs)
		}
		// A broken OSCAL catalog fails with the pointer of the problem and
		// stores nothing.
		data, err := os.ReadFile("../isms/testdata/nist_sp800-53r5_low_baseline_catalog.json")
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		ctl := doc["catalog"].(map[string]any)["groups"].([]any)[0].(map[string]any)["controls"].([]any)[1].(map[string]any)
		delete(ctl, "title")
		broken, _ := json.Marshal(doc)
		code, out, errs := run(t, dsn, "", "framework", "import", "--file", write(t, "broken.json", string(broken)))
		if code != 1 || out != "" || !strings.Contains(errs, "broken.json: nothing was imported") || !strings.Contains(errs, "/catalog/groups/0/controls/1: missing property 'title'") {
			t.Fatalf("broken import: %d %q %q", code, out, errs)
		}
		code, out, errs = run(t, dsn, "", "framework", "list")
		if code != 0 || strings.Contains(out, "800-53") {
			t.Fatalf("list after a broken import: %d %q %q", code, out, errs)
		}

		// The SP 800-53 rev. 5 LOW baseline: 149 requirements.
		code, out, errs = run(t, dsn, "", "framework", "import", "--file", "../isms/testdata/nist_sp800-53r5_low_baseline_catalog.json", "--key", "sp800-53r5-low")
		if code != 0 || !strings.Contains(out, "imported sp800-53r5-low (") || !strings.Contains(out, ": 149 requirements; every organisation may enable it") {
			t.Fatalf("import: %d %q %q", code, out, errs)
		}
		code, out, errs = run(t, dsn, "", "framework", "list")
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if code != 0 || len(lines) != 4 || !strings.HasPrefix(lines[0], "KEY") {
			t.Fatalf("list: %d %q %q", code, out, errs)
		}
		for i, want := range [][]string{{"iso27001-2022-annex-a", "93", "built-in"}, {"nist-csf-2.0", "2.0", "128", "built-in"}, {"sp800-53r5-low", "149", "instance"}} {
			f := strings.Fields(lines[i+1])
			for _, w := range want {
				if !strings.Contains(" "+strings.Join(f, " ")+" ", " "+w+" ") {
					t.Errorf("list line %d %q lacks %q", i+1, lines[i+1], w)
				}
			}
		}

		// CSV round trip: export, import for one organisation, export again.
		code, csv1, errs := run(t, dsn, "", "framework", "export", "--key", "sp800-53r5-low")
		if code != 0 || !strings.HasPrefix(csv1, "id,parent,kind,label,class,title,text,guidance,withdrawn\n") {
			t.Fatalf("export: %d %q", code, errs)
		}
		code, out, errs = run(t, dsn, "", "framework", "import", "--org", "acme", "--file", write(t, "low.csv", csv1), "--key", "acme-low", "--title", "Our LOW", "--version", "1")
		if code != 0 || !strings.Contains(out, "imported acme-low (Our LOW 1): 149 requirements; private to acme") {
			t.Fatalf("csv import: %d %q %q", code, out, errs)
		}
		if code, csv2, errs := run(t, dsn, "", "framework", "export", "--key", "acme-low", "--org", "acme"); code != 0 || csv2 != csv1 {
			t.Fatalf("round trip differs: %d %q", code, errs)
		}
		code, out, errs = run(t, dsn, "", "framework", "list", "--org", "acme", "--json")
		var list []struct {
			Key          string
			Requirements int
			Private      bool
			Enabled      bool
		}
		if err := json.Unmarshal([]byte(out), &list); code != 0 || err != nil || len(list) != 4 || list[3].Key != "acme-low" || !list[3].Private || !list[3].Enabled || list[0].Requirements != 93 {
			t.Fatalf("list --org --json: %d %q %q %v", code, out, errs, err)
		}
		if code, _, errs = run(t, dsn, "", "framework", "import", "--file", write(t, "x.csv", "id,parent,title,text\na,,A,x\n")); code != 1 || !strings.Contains(errs, "title") {
			t.Errorf("csv without --title: %d %q", code, errs)
		}

		// Mappings.
		m := write(t, "map.csv", "source_framework,source_id,relation,target_framework,target_id\nsp800-53r5-low,ac-2,intersects,nist-csf-2.0,PR.AA-05\nsp800-53r5-low,ac-99,subset,nist-csf-2.0,PR.AA-05\n")
		if code, out, errs = run(t, dsn, "", "framework", "map", "--file", m); code != 1 || out != "" || !strings.Contains(errs, `line 3, source_id "ac-99": not a requirement of sp800-53r5-low`) {
			t.Fatalf("bad mapping: %d %q %q", code, out, errs)
		}
		m = write(t, "map.csv", "source_framework,source_id,relation,target_framework,target_id\nsp800-53r5-low,ac-2,intersects,nist-csf-2.0,PR.AA-05\n")
		if code, out, errs = run(t, dsn, "", "framework", "map", "--file", m); code != 0 || !strings.Contains(out, "map.csv: 1 mappings read, 1 new") {
			t.Fatalf("mapping: %d %q %q", code, out, errs)
		}
		if code, out, errs = run(t, dsn, "", "framework", "map", "--file", m, "--org", "acme"); code != 0 || !strings.Contains(out, "1 new") {
			t.Fatalf("org mapping: %d %q %q", code, out, errs)
		}
	})
}
