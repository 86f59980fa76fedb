package export

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// NIST's own catalogs validate: CSF 2.0 (OSCAL 1.2.2) and the SP 800-53
// rev. 5 LOW baseline (OSCAL 1.1.2).
func TestValidateCatalogNIST(t *testing.T) {
	for _, f := range []string{"../isms/catalog/nist_csf_2.0_catalog.json", "../isms/testdata/nist_sp800-53r5_low_baseline_catalog.json"} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := ValidateCatalog(data); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestValidateCatalogRejects(t *testing.T) {
	const meta = `"metadata": {"title": "T", "last-modified": "2024-01-01T00:00:00Z", "version": "1", "oscal-version": "1.1.2"}`
	const uuid = `"uuid": "8b2e1a4c-1d2f-4a6b-9c3d-2e1f0a9b8c7d"`
	for _, c := range []struct{ name, doc, want string }{
		{"not json", `{"catalog": `, "not JSON"},
		{"no catalog", `{"profile": {}}`, `: missing property 'catalog'`},
		{"no uuid", `{"catalog": {` + meta + `}}`, `/catalog: missing property 'uuid'`},
		{"no metadata", `{"catalog": {` + uuid + `}}`, `/catalog: missing property 'metadata'`},
		{"no title", `{"catalog": {` + uuid + `, "metadata": {"last-modified": "2024-01-01T00:00:00Z", "version": "1", "oscal-version": "1.1.2"}}}`, `/catalog/metadata: missing property 'title'`},
		{"control without id", `{"catalog": {` + uuid + `, ` + meta + `, "controls": [{"title": "x"}]}}`, `/catalog/controls/0: missing property 'id'`},
		{"control without title", `{"catalog": {` + uuid + `, ` + meta + `, "groups": [{"title": "g", "controls": [{"id": "a-1"}]}]}}`, `/catalog/groups/0/controls/0: missing property 'title'`},
		{"wrong type", `{"catalog": {` + uuid + `, ` + meta + `, "controls": [{"id": "a-1", "title": 7}]}}`, `/catalog/controls/0/title: got number, want string`},
		{"bad date", `{"catalog": {` + uuid + `, "metadata": {"title": "T", "last-modified": "yesterday", "version": "1", "oscal-version": "1.1.2"}}}`, `/catalog/metadata/last-modified: `},
		{"bad uuid", `{"catalog": {"uuid": "nope", ` + meta + `}}`, `/catalog/uuid: `},
		{"unknown control field", `{"catalog": {` + uuid + `, ` + meta + `, "controls": [{"id": "a-1", "title": "x", "text": "y"}]}}`, `/catalog/controls/0: additional properties 'text' not allowed`},
	} {
		err := ValidateCatalog([]byte(c.doc))
		var ce *CatalogError
		if !errors.As(err, &ce) {
			t.Errorf("%s: err = %v, want a CatalogError", c.name, err)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v\nwant it to contain %q", c.name, err, c.want)
		}
	}
}
