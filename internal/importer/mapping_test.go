package importer_test

import (
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
)

func TestReadMappings(t *testing.T) {
	rows, err := importer.ReadMappings(strings.NewReader("Source Framework,source_id,Relation,target-framework,target_id,comment\n"+
		"a,a-1,subset-of,b,b-1,why\na,a-2,Intersects,b,b-2,\n"), importer.FormatCSV, importer.XLSXLimits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Relation != isms.RelationSubset || rows[1].Relation != isms.RelationIntersects || rows[1].Line != 3 || rows[1].TargetID != "b-2" {
		t.Fatalf("rows %+v", rows)
	}
	for _, c := range []struct{ name, file, want string }{
		{"missing column", "source_framework,source_id,relation,target_framework\n", "line 1, column target_id: missing column"},
		{"unknown column", "source_framework,source_id,relation,target_framework,target_id,note\n", "column note: unknown column"},
		{"bad relation", "source_framework,source_id,relation,target_framework,target_id\na,1,same,b,2\n", `line 2, column relation, value "same"`},
		{"empty end", "source_framework,source_id,relation,target_framework,target_id\na,,equivalent,b,2\n", "line 2, column source_id: empty"},
		{"no rows", "source_framework,source_id,relation,target_framework,target_id\n", "no mappings"},
	} {
		if _, err := importer.ReadMappings(strings.NewReader(c.file), importer.FormatCSV, importer.XLSXLimits{}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}

func TestReadOSCALMappings(t *testing.T) {
	doc := `{"mapping-collection": {"metadata": {"title": "M"}, "mappings": [
		{"source-resource": {"href": "a", "props": [{"name": "framework", "value": "key-a"}]}, "target-resource": {"href": "#u1"},
		 "maps": [{"relationship": "equivalent-to", "sources": [{"type": "control", "id-ref": "x"}], "targets": [{"type": "control", "id-ref": "y"}, {"type": "control", "id-ref": "z"}]},
		          {"relationship": "no-relationship", "sources": [{"id-ref": "x"}], "targets": [{"id-ref": "w"}]}]}],
		"back-matter": {"resources": [{"uuid": "u1", "title": "Framework B"}]}}}`
	rows, err := importer.ReadOSCALMappings(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].SourceFramework != "key-a" || rows[0].TargetFramework != "Framework B" || rows[1].TargetID != "z" ||
		rows[0].Relation != isms.RelationEquivalent || rows[0].Origin != "M" || rows[0].Where != "mappings[0].maps[0]" {
		t.Fatalf("rows %+v", rows)
	}
	for _, c := range []struct{ name, doc, want string }{
		{"not json", `{`, "not an OSCAL mapping-collection in JSON"},
		{"no collection", `{"catalog": {}}`, `no "mapping-collection"`},
		{"bad relationship", `{"mapping-collection": {"mappings": [{"source-resource": {"href": "a"}, "target-resource": {"href": "b"}, "maps": [{"relationship": "kinda", "sources": [{"id-ref": "x"}], "targets": [{"id-ref": "y"}]}]}]}}`,
			`mappings[0].maps[0].relationship: "kinda"`},
		{"no target", `{"mapping-collection": {"mappings": [{"source-resource": {"href": "a"}, "maps": [{"relationship": "subset-of", "sources": [{"id-ref": "x"}], "targets": [{"id-ref": ""}]}]}]}}`,
			"mappings[0].target-resource: missing"},
	} {
		if _, err := importer.ReadOSCALMappings(strings.NewReader(c.doc)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}
