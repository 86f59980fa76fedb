package cli_test

import (
	"encoding/json"
	"path/filepath"
	"testing"
)

// TestOpenAPICommand checks that pdca openapi prints the API's document
// without a database (none exists at --db) and with the public address
// as its server when one is given.
func TestOpenAPICommand(t *testing.T) {
	t.Parallel()
	dsn := filepath.Join(t.TempDir(), "absent.db")
	code, out, errOut := run(t, dsn, "", "openapi", "--public-url", "https://pdca.example.com/")
	if code != 0 {
		t.Fatalf("pdca openapi: exit %d: %s", code, errOut)
	}
	var doc struct {
		OpenAPI string                 `json:"openapi"`
		Servers []struct{ URL string } `json:"servers"`
		Paths   map[string]any         `json:"paths"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("pdca openapi printed no JSON document: %v", err)
	}
	if doc.OpenAPI != "3.1.0" || len(doc.Paths) < 30 || len(doc.Servers) != 1 || doc.Servers[0].URL != "https://pdca.example.com" {
		t.Errorf("pdca openapi: openapi %q, %d paths, servers %+v", doc.OpenAPI, len(doc.Paths), doc.Servers)
	}
	if m, _ := filepath.Glob(dsn + "*"); len(m) > 0 {
		t.Errorf("pdca openapi created %v", m)
	}
}
