package isms

import (
	"embed"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
)

// Control catalogues are embedded CSV files of identifiers and short
// titles only (never a standard's text). Each has a name, stored with
// every decision about its controls, so that another catalogue (ISO 9001,
// NIST CSF...) can be added next to Annex A without a schema change.

//go:embed catalog/*.csv
var catalogFS embed.FS

// CatalogueAnnexA2022 names the ISO/IEC 27001:2022 Annex A catalogue.
const CatalogueAnnexA2022 = "iso27001-2022-annex-a"

// catalogueFiles maps each catalogue name to its embedded file.
var catalogueFiles = map[string]string{
	CatalogueAnnexA2022: "catalog/annex_a_2022.csv",
}

// Control is one control of a catalogue: identifier and short title.
type Control struct {
	Catalogue string
	ID        string   // e.g. "A.5.1"
	Theme     string   // e.g. "Organizational"
	Title     string   // short title only
	New       bool     // new in this edition
	Sources   []string // identifiers in the previous edition
}

// Catalogue is a parsed control catalogue, in file order.
type Catalogue struct {
	Name     string
	Controls []Control
	byID     map[string]int
}

// Control returns the control with the identifier, or ENOTFOUND.
func (c *Catalogue) Control(id string) (Control, error) {
	i, ok := c.byID[id]
	if !ok {
		return Control{}, Errorf(ENOTFOUND, "control %q is not in %s; use an identifier like A.5.1", id, c.Name)
	}
	return c.Controls[i], nil
}

// Themes lists the catalogue's themes in order of first appearance.
func (c *Catalogue) Themes() []string {
	var out []string
	for _, ctl := range c.Controls {
		if !slices.Contains(out, ctl.Theme) {
			out = append(out, ctl.Theme)
		}
	}
	return out
}

var (
	catalogues   = map[string]*Catalogue{}
	cataloguesMu sync.Mutex
)

// LookupCatalogue returns the named catalogue, parsed once. ENOTFOUND for
// an unknown name.
func LookupCatalogue(name string) (*Catalogue, error) {
	cataloguesMu.Lock()
	defer cataloguesMu.Unlock()
	if c, ok := catalogues[name]; ok {
		return c, nil
	}
	file, ok := catalogueFiles[name]
	if !ok {
		return nil, Errorf(ENOTFOUND, "catalogue %q not found", name)
	}
	f, err := catalogFS.Open(file)
	if err != nil {
		return nil, fmt.Errorf("open catalogue %s: %w", name, err)
	}
	defer f.Close()
	c, err := parseCatalogue(name, f)
	if err != nil {
		return nil, fmt.Errorf("parse catalogue %s: %w", name, err)
	}
	catalogues[name] = c
	return c, nil
}

// AnnexA returns the ISO/IEC 27001:2022 Annex A catalogue. It panics if
// the embedded file is broken, which a test rules out.
func AnnexA() *Catalogue {
	c, err := LookupCatalogue(CatalogueAnnexA2022)
	if err != nil {
		panic(err)
	}
	return c
}

// parseCatalogue reads control_id, theme, short_title, new_in_2022 and
// iso27001_2013_source_controls columns, by header name.
func parseCatalogue(name string, r io.Reader) (*Catalogue, error) {
	rows, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, err
	}
	if len(rows) < 2 {
		return nil, fmt.Errorf("no controls")
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[strings.TrimSpace(h)] = i
	}
	for _, h := range []string{"control_id", "theme", "short_title"} {
		if _, ok := col[h]; !ok {
			return nil, fmt.Errorf("no column %s", h)
		}
	}
	get := func(row []string, h string) string {
		if i, ok := col[h]; ok && i < len(row) {
			return strings.TrimSpace(row[i])
		}
		return ""
	}
	c := &Catalogue{Name: name, byID: map[string]int{}}
	for n, row := range rows[1:] {
		ctl := Control{Catalogue: name, ID: get(row, "control_id"), Theme: get(row, "theme"), Title: get(row, "short_title"),
			New: get(row, "new_in_2022") == "yes", Sources: strings.Fields(get(row, "iso27001_2013_source_controls"))}
		if ctl.ID == "" || ctl.Title == "" {
			return nil, fmt.Errorf("line %d: empty identifier or title", n+2)
		}
		if _, dup := c.byID[ctl.ID]; dup {
			return nil, fmt.Errorf("line %d: duplicate control %s", n+2, ctl.ID)
		}
		c.byID[ctl.ID] = len(c.Controls)
		c.Controls = append(c.Controls, ctl)
	}
	return c, nil
}

// ImplementationStatus is how far an applicable control is implemented.
type ImplementationStatus string

// The implementation statuses, in order.
const (
	StatusNotStarted  ImplementationStatus = "not_started"
	StatusPlanned     ImplementationStatus = "planned"
	StatusPartial     ImplementationStatus = "partial"
	StatusImplemented ImplementationStatus = "implemented"
)

// ImplementationStatuses lists the statuses in order.
func ImplementationStatuses() []ImplementationStatus {
	return []ImplementationStatus{StatusNotStarted, StatusPlanned, StatusPartial, StatusImplemented}
}

// SoAEntry is an organisation's decision about one control in its
// Statement of Applicability. A control without an entry is "not yet
// decided".
type SoAEntry struct {
	Catalogue     string
	ControlID     string
	Applicable    bool
	Justification string // why included (risk, law, contract, business) or why excluded
	Status        ImplementationStatus
	ProcessIDs    []int64
}

// Validate returns EINVALID unless the entry names a control of its
// catalogue and carries a justification; an applicable control needs an
// implementation status, an excluded one has none (the app clears it).
func (e *SoAEntry) Validate() error {
	if err := CheckLength("justification", e.Justification, MaxText); err != nil {
		return err
	}
	e.Justification = strings.TrimSpace(e.Justification)
	c, err := LookupCatalogue(e.Catalogue)
	if err != nil {
		return Errorf(EINVALID, "catalogue %q is unknown", e.Catalogue)
	}
	if _, err := c.Control(e.ControlID); err != nil {
		return Errorf(EINVALID, "%s", ErrorMessage(err))
	}
	if e.Justification == "" {
		if e.Applicable {
			return Errorf(EINVALID, "justification: say why %s is included, e.g. a risk, a law, a contract or a business need", e.ControlID)
		}
		return Errorf(EINVALID, "justification: say why %s is excluded; an auditor asks for the reason of every exclusion", e.ControlID)
	}
	if !e.Applicable {
		if e.Status != "" {
			return Errorf(EINVALID, "status: %s is excluded, so it has no implementation status; leave it empty", e.ControlID)
		}
		return nil
	}
	if !slices.Contains(ImplementationStatuses(), e.Status) {
		return Errorf(EINVALID, "status %q: use one of not_started, planned, partial, implemented", e.Status)
	}
	return nil
}
