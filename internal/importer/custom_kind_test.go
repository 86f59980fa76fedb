package importer_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
)

// Issue 19: a kind of an organisation's own is read with its definition.
func TestCustomKindFieldTypes(t *testing.T) {
	t.Parallel()
	c, err := isms.NewCustomKind("deliveries", "Deliveries", []isms.FieldDef{
		{Name: "order_no", Type: isms.FieldNumber, Key: true}, {Name: "shipped_at", Type: isms.FieldTime},
		{Name: "on_time", Type: isms.FieldBool}, {Name: "carrier", Type: isms.FieldEnum, Values: []string{"dhl", "ups"}},
		{Name: "weight", Type: isms.FieldNumber}, {Name: "note", Type: isms.FieldText}})
	if err != nil {
		t.Fatal(err)
	}
	spec := c.Spec()
	opts := func(f importer.Format) importer.Options {
		return importer.Options{Kind: "deliveries", Spec: &spec, Format: f, Location: time.UTC}
	}
	rows, err := importer.ReadAll(strings.NewReader("order_no,shipped_at,on_time,carrier,weight,note\n17,2026-10-01 10:00,yes,DHL,\"2,5\",fragile\n18,,false,,,\n"), opts(importer.FormatCSV))
	if err != nil || len(rows) != 2 {
		t.Fatalf("rows = %+v, %v", rows, err)
	}
	r := rows[0].Record
	if r.Key != "17" || r.Texts["weight"] != "2.5" || r.Texts["carrier"] != "dhl" || !r.Bools["on_time"] || r.Texts["note"] != "fragile" ||
		!r.Times["shipped_at"].Equal(time.Date(2026, 10, 1, 10, 0, 0, 0, time.UTC)) {
		t.Fatalf("record = %+v", r)
	}
	if b, ok := rows[1].Record.Bools["on_time"]; !ok || b {
		t.Errorf("false bool = %v, %v", b, ok)
	}
	rows, err = importer.ReadAll(strings.NewReader(`[{"order_no": 19, "weight": 1.25, "on_time": true}]`), opts(importer.FormatJSON))
	if err != nil || len(rows) != 1 || rows[0].Record.Texts["weight"] != "1.25" || rows[0].Record.Key != "19" {
		t.Fatalf("json rows = %+v, %v", rows, err)
	}

	tests := []struct {
		name, file, column, reason string
		format                     importer.Format
	}{
		{"number", "order_no,weight\n1,heavy\n", "weight", "not a number", importer.FormatCSV},
		{"json bool as number", `[{"order_no": 1, "weight": true}]`, "weight", "expected a number, found a boolean", importer.FormatJSON},
		{"bool", "order_no,on_time\n1,maybe\n", "on_time", "", importer.FormatCSV},
		{"enum", "order_no,carrier\n1,fedex\n", "carrier", "unknown carrier; expected one of dhl, ups", importer.FormatCSV},
		{"time", "order_no,shipped_at\n1,soon\n", "shipped_at", "", importer.FormatCSV},
		{"missing key", "weight\n2\n", "order_no", "missing required column \"order_no\"", importer.FormatCSV},
	}
	for _, tt := range tests {
		_, err := importer.ReadAll(strings.NewReader(tt.file), opts(tt.format))
		var ie *importer.Error
		if !errors.As(err, &ie) || len(ie.Errors) == 0 {
			t.Errorf("%s: error = %v", tt.name, err)
			continue
		}
		e := ie.Errors[0]
		if e.Column != tt.column || e.Line == 0 && tt.format == importer.FormatCSV || !strings.Contains(e.Reason, tt.reason) {
			t.Errorf("%s: problem = %+v, want column %s reason containing %q", tt.name, e, tt.column, tt.reason)
		}
	}
	// Without its definition the kind is unknown.
	if _, err := importer.ReadAll(strings.NewReader("order_no\n1\n"), importer.Options{Kind: "deliveries", Format: importer.FormatCSV}); err == nil {
		t.Error("a custom kind read without its definition")
	}
}
