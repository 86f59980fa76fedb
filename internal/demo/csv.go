package demo

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

// WriteCSV writes records of one kind as an import file: a header with the
// kind's columns in the documented order followed by every attribute name
// the records carry (sorted), then one row per record. Times are RFC 3339
// with loc's offset (UTC when loc is nil), booleans true or false, and an
// absent value is an empty cell. EINVALID for an unknown kind; otherwise
// only w's errors.
func WriteCSV(w io.Writer, kind isms.RecordKind, recs []isms.Record, loc *time.Location) error {
	spec, ok := isms.LookupKind(string(kind))
	if !ok {
		return isms.Errorf(isms.EINVALID, "unknown record kind %q", string(kind))
	}
	if loc == nil {
		loc = time.UTC
	}
	var extra []string
	for _, r := range recs {
		for name := range r.Attributes {
			if !slices.Contains(extra, name) {
				extra = append(extra, name)
			}
		}
	}
	slices.Sort(extra)
	header := make([]string, 0, len(spec.Fields)+len(extra))
	for _, f := range spec.Fields {
		header = append(header, f.Name)
	}
	header = append(header, extra...)
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("write %s header: %w", kind, err)
	}
	row := make([]string, len(header))
	for _, r := range recs {
		for i, f := range spec.Fields {
			row[i] = ""
			switch f.Type {
			case isms.FieldTime:
				if t, ok := r.Times[f.Name]; ok {
					row[i] = t.In(loc).Format(time.RFC3339)
				}
			case isms.FieldBool:
				if b, ok := r.Bools[f.Name]; ok {
					row[i] = strconv.FormatBool(b)
				}
			default:
				row[i] = r.Texts[f.Name]
			}
		}
		for i, name := range extra {
			row[len(spec.Fields)+i] = r.Attributes[name]
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("write %s row: %w", kind, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write %s: %w", kind, err)
	}
	return nil
}
