package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
)

// readWith is the line after an import's summary that says which profile
// read the file and how slashed dates were read; "" when the import used
// neither (so the output of such imports is as it always was).
func readWith(asked string, res *app.ImportResult, pattern string) string {
	var parts []string
	switch {
	case res.Profile != "" && res.ProfileMatched && pattern == "":
		parts = append(parts, fmt.Sprintf("read with profile %q (its file pattern matches the file name)", res.Profile))
	case res.Profile != "" && res.ProfileMatched:
		parts = append(parts, fmt.Sprintf("read with profile %q (its pattern %s matches the file name)", res.Profile, pattern))
	case res.Profile != "":
		parts = append(parts, fmt.Sprintf("read with profile %q (named)", res.Profile))
	case strings.EqualFold(asked, app.NoProfile):
		parts = append(parts, "read without a profile (--profile none)")
	}
	if d := dayOrderWords(res.DayOrder); d != "" {
		parts = append(parts, "slashed dates read "+d)
	}
	return strings.Join(parts, "; ")
}

// dayOrderWords says how a day order reads 05/10/2026 ("" for none).
func dayOrderWords(d importer.DayOrder) string {
	switch d {
	case importer.DayFirst:
		return "day first (05/10/2026 is 5 October)"
	case importer.MonthFirst:
		return "month first (05/10/2026 is May 10)"
	}
	return ""
}

// localAndUTC shows a time as the organisation's local time with its zone
// and as UTC: "2026-10-05 16:00 Europe/Helsinki = 2026-10-05T13:00:00Z".
func localAndUTC(t time.Time, loc *time.Location) string {
	l := t.In(loc)
	layout := "2006-01-02 15:04"
	if l.Second() != 0 || l.Nanosecond() != 0 {
		layout = "2006-01-02 15:04:05"
	}
	return l.Format(layout) + " " + loc.String() + " = " + t.UTC().Format(time.RFC3339)
}

// writeSample prints the first rows of a dry run as read: one column per
// field of the kind, times in the organisation's zone and in UTC.
func writeSample(w io.Writer, res *app.ImportResult, loc *time.Location) error {
	spec, ok := isms.LookupKind(string(res.Kind))
	if !ok {
		return nil
	}
	n := len(res.Sample)
	what := "row"
	if n != 1 {
		what = strconv.Itoa(n) + " rows"
	}
	fmt.Fprintf(w, "first %s as read (times in %s and UTC):\n", what, loc)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for i, f := range spec.Fields {
		if i > 0 {
			fmt.Fprint(tw, "\t")
		}
		fmt.Fprint(tw, f.Name)
	}
	fmt.Fprintln(tw)
	for _, r := range res.Sample {
		for i, f := range spec.Fields {
			if i > 0 {
				fmt.Fprint(tw, "\t")
			}
			fmt.Fprint(tw, sampleCell(r, f, loc))
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

// sampleCell is one field of a sampled record as text ("" when absent).
func sampleCell(r isms.Record, f isms.Field, loc *time.Location) string {
	switch f.Type {
	case isms.FieldTime:
		if t, ok := r.Times[f.Name]; ok {
			return localAndUTC(t, loc)
		}
	case isms.FieldBool:
		if b, ok := r.Bools[f.Name]; ok {
			return strconv.FormatBool(b)
		}
	default:
		return strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(r.Texts[f.Name])
	}
	return ""
}

// ImportJSON is pdca import --json.
type ImportJSON struct {
	File           string           `json:"file"`
	Kind           string           `json:"kind"`
	DryRun         bool             `json:"dry_run"`
	Rows           int              `json:"rows"`
	Created        int              `json:"created"`
	Updated        int              `json:"updated"`
	Unchanged      int              `json:"unchanged"`
	Fixed          int              `json:"fixed"`
	Layout         string           `json:"layout,omitempty"`
	Profile        string           `json:"profile"`
	ProfileMatched bool             `json:"profile_matched"`
	DayOrder       string           `json:"day_order"`
	TimeZone       string           `json:"time_zone"`
	Sample         []map[string]any `json:"sample"`
}

// writeImportJSON prints the result as one JSON object; the sample's
// times are RFC 3339 in UTC, its flags booleans, absent fields left out.
func writeImportJSON(w io.Writer, file string, res *app.ImportResult, loc *time.Location) error {
	out := ImportJSON{File: filepath.Base(file), Kind: string(res.Kind), DryRun: res.DryRun, Rows: res.Rows,
		Created: res.Created, Updated: res.Updated, Unchanged: res.Unchanged, Fixed: res.Fixed, Layout: res.Layout.String(),
		Profile: res.Profile, ProfileMatched: res.ProfileMatched, DayOrder: string(res.DayOrder), TimeZone: loc.String(),
		Sample: []map[string]any{}}
	spec, _ := isms.LookupKind(string(res.Kind))
	for _, r := range res.Sample {
		row := map[string]any{}
		for _, f := range spec.Fields {
			switch f.Type {
			case isms.FieldTime:
				if t, ok := r.Times[f.Name]; ok {
					row[f.Name] = t.UTC().Format(time.RFC3339)
				}
			case isms.FieldBool:
				if b, ok := r.Bools[f.Name]; ok {
					row[f.Name] = b
				}
			default:
				if v, ok := r.Texts[f.Name]; ok {
					row[f.Name] = v
				}
			}
		}
		if len(r.Attributes) > 0 {
			row["attributes"] = r.Attributes
		}
		out.Sample = append(out.Sample, row)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
