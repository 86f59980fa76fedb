package isms

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Frameworks (issue 19): a framework is a versioned catalogue of
// requirements (identifier, title, statement, guidance, group hierarchy).
// Two are built in: ISO/IEC 27001:2022 Annex A (identifiers and short
// titles written for pdca) and NIST CSF 2.0 (public domain, from NIST's
// OSCAL content); others are imported from an OSCAL catalog or a CSV/XLSX
// file. The framework's key is the "catalogue" its Statement of
// Applicability decisions are stored under.

// RequirementKind is a requirement's place in the hierarchy.
type RequirementKind string

// The requirement kinds. A group only groups (an OSCAL group, an Annex A
// theme); a control is a requirement; an enhancement is a requirement
// inside a control (an SP 800-53 enhancement, a CSF subcategory).
const (
	KindGroup       RequirementKind = "group"
	KindControl     RequirementKind = "control"
	KindEnhancement RequirementKind = "enhancement"
)

// Counts reports whether requirements of the kind are counted and can be
// decided on: controls and enhancements, not groups.
func (k RequirementKind) Counts() bool { return k == KindControl || k == KindEnhancement }

// Requirement is one node of a framework's catalogue.
type Requirement struct {
	ID        string // unique in the framework, e.g. "GV.OC-01", "ac-2.1", "A.5.1"
	ParentID  string // "" at the top
	Kind      RequirementKind
	Class     string // the catalogue's own word: function, category, subcategory, SP800-53...
	Label     string // as printed: "AC-2(1)"; the ID when the catalogue gives none
	Title     string
	Statement string
	Guidance  string
	Withdrawn bool
	Position  int // document order, from 0
}

// Framework sources.
const (
	SourceBuiltin = "built-in"
	SourceOSCAL   = "oscal"
	SourceCSV     = "csv"
)

// Framework describes a stored catalogue.
type Framework struct {
	ID           int64
	OrgID        int64 // 0: every organisation may enable it
	Key          string
	Title        string
	Version      string
	Source       string // built-in, oscal, csv
	Origin       string // where the text comes from and under which terms
	SHA256       string // of the file it was read from
	Builtin      bool
	Requirements int // controls and enhancements, withdrawn ones excluded
	ImportedAt   time.Time
	ImportedBy   string
}

// FrameworkCatalogue is a framework with its requirements in document
// order, as read from a file before it is stored.
type FrameworkCatalogue struct {
	Framework
	Items []Requirement
}

// Limits of a catalogue read from a file.
const (
	MaxCatalogueBytes        = 32 << 20
	MaxCatalogueRequirements = 20000
	MaxRequirementText       = 64 << 10
)

var frameworkKeyRe = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,62}[a-z0-9]$`)

// FrameworkKey turns a title and version into a key: lower case letters,
// digits, dots and hyphens, e.g. "nist-sp-800-53-rev5-low-5.1.1".
func FrameworkKey(title, version string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(title + " " + version) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.':
			b.WriteRune(r)
			dash = false
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	k := strings.Trim(b.String(), "-.")
	if len(k) > 64 {
		k = k[:64]
		if i := strings.LastIndexByte(k, '-'); i > 32 {
			k = k[:i]
		}
		k = strings.Trim(k, "-.")
	}
	return k
}

// Count returns the number of controls and enhancements that are not
// withdrawn.
func (c *FrameworkCatalogue) Count() int {
	n := 0
	for _, r := range c.Items {
		if r.Kind.Counts() && !r.Withdrawn {
			n++
		}
	}
	return n
}

// Validate checks the catalogue before it is stored: a key of the allowed
// form, a title, unique requirement identifiers, parents that come before
// their children, bounded text, at least one requirement. It sets
// Requirements and the positions.
func (c *FrameworkCatalogue) Validate() error {
	if !frameworkKeyRe.MatchString(c.Key) {
		return Errorf(EINVALID, "key %q: use 3 to 64 lower-case letters, digits, dots and hyphens, e.g. soc2-tsc-2017", c.Key)
	}
	c.Title, c.Version = strings.TrimSpace(c.Title), strings.TrimSpace(c.Version)
	if c.Title == "" {
		return Errorf(EINVALID, "title: the framework needs a title")
	}
	if err := CheckLength("title", c.Title, MaxName); err != nil {
		return err
	}
	if err := CheckLength("version", c.Version, MaxName); err != nil {
		return err
	}
	if len(c.Items) > MaxCatalogueRequirements {
		return Errorf(EINVALID, "the catalogue has %d requirements; at most %d are accepted", len(c.Items), MaxCatalogueRequirements)
	}
	seen := make(map[string]RequirementKind, len(c.Items))
	for i := range c.Items {
		r := &c.Items[i]
		r.Position = i
		where := fmt.Sprintf("requirement %d (%s)", i+1, r.ID)
		if r.ID == "" || len(r.ID) > 100 || !utf8.ValidString(r.ID) || strings.ContainsAny(r.ID, "/?#\x00\r\n") {
			return Errorf(EINVALID, "requirement %d: identifier %q must be 1 to 100 characters without / ? # or line breaks", i+1, r.ID)
		}
		if _, dup := seen[r.ID]; dup {
			return Errorf(EINVALID, "%s: the identifier appears twice; identifiers must be unique in a framework", where)
		}
		if r.ParentID != "" {
			if _, ok := seen[r.ParentID]; !ok {
				return Errorf(EINVALID, "%s: parent %q is not defined before it", where, r.ParentID)
			}
		}
		switch r.Kind {
		case KindGroup, KindControl, KindEnhancement:
		default:
			return Errorf(EINVALID, "%s: kind %q is not group, control or enhancement", where, r.Kind)
		}
		if r.Label == "" {
			r.Label = r.ID
		}
		for _, f := range []struct {
			name, v string
			max     int
		}{{"title", r.Title, MaxName * 4}, {"label", r.Label, 100}, {"class", r.Class, 100}, {"statement", r.Statement, MaxRequirementText}, {"guidance", r.Guidance, MaxRequirementText}} {
			if len(f.v) > f.max || !utf8.ValidString(f.v) {
				return Errorf(EINVALID, "%s: %s is longer than %d bytes or not UTF-8", where, f.name, f.max)
			}
		}
		seen[r.ID] = r.Kind
	}
	c.Requirements = c.Count()
	if c.Requirements == 0 {
		return Errorf(EINVALID, "the catalogue has no requirements (controls or enhancements that are not withdrawn)")
	}
	return nil
}

// oscalCatalog is the part of an OSCAL 1.x catalog pdca reads.
type oscalCatalog struct {
	Catalog *struct {
		UUID     string `json:"uuid"`
		Metadata struct {
			Title        string `json:"title"`
			Version      string `json:"version"`
			OSCALVersion string `json:"oscal-version"`
		} `json:"metadata"`
		Groups   []oscalNode `json:"groups"`
		Controls []oscalNode `json:"controls"`
	} `json:"catalog"`
}

type oscalNode struct {
	ID       string       `json:"id"`
	Class    string       `json:"class"`
	Title    string       `json:"title"`
	Props    []oscalProp  `json:"props"`
	Parts    []oscalPart  `json:"parts"`
	Params   []oscalParam `json:"params"`
	Groups   []oscalNode  `json:"groups"`
	Controls []oscalNode  `json:"controls"`
}

type oscalProp struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	Class string `json:"class"`
}

type oscalPart struct {
	ID    string      `json:"id"`
	Name  string      `json:"name"`
	Props []oscalProp `json:"props"`
	Prose string      `json:"prose"`
	Parts []oscalPart `json:"parts"`
}

type oscalParam struct {
	ID     string `json:"id"`
	Label  string `json:"label"`
	Select *struct {
		HowMany string   `json:"how-many"`
		Choice  []string `json:"choice"`
	} `json:"select"`
}

// ParseOSCALCatalog reads an OSCAL 1.x catalog (JSON), including a
// resolved profile, into a catalogue: groups become groups, controls
// controls, controls inside controls enhancements; the statement and
// guidance parts become text (parameters shown as [Assignment: label] or
// [Selection: a; b]). A control whose status property is "withdrawn" is
// kept but marked. The key is derived from the title and version. The
// caller validates the JSON against NIST's schema first.
func ParseOSCALCatalog(data []byte) (*FrameworkCatalogue, error) {
	var doc oscalCatalog
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		return nil, Errorf(EINVALID, "not an OSCAL catalog in JSON: %v", err)
	}
	if doc.Catalog == nil {
		return nil, Errorf(EINVALID, "not an OSCAL catalog: the top-level object has no \"catalog\" (a profile must be resolved into a catalog first)")
	}
	m := doc.Catalog.Metadata
	sum := sha256.Sum256(data)
	c := &FrameworkCatalogue{Framework: Framework{Title: strings.TrimSpace(m.Title), Version: strings.TrimSpace(m.Version),
		Source: SourceOSCAL, SHA256: hex.EncodeToString(sum[:])}}
	c.Key = FrameworkKey(c.Title, c.Version)
	var walk func(nodes []oscalNode, parent string, kind RequirementKind) error
	walk = func(nodes []oscalNode, parent string, kind RequirementKind) error {
		for _, n := range nodes {
			if len(c.Items) >= MaxCatalogueRequirements {
				return Errorf(EINVALID, "the catalogue has more than %d requirements", MaxCatalogueRequirements)
			}
			params := map[string]string{}
			for _, p := range n.Params {
				switch {
				case p.Select != nil && len(p.Select.Choice) > 0:
					params[p.ID] = "[Selection: " + strings.Join(p.Select.Choice, "; ") + "]"
				case p.Label != "":
					params[p.ID] = "[Assignment: " + p.Label + "]"
				}
			}
			r := Requirement{ID: n.ID, ParentID: parent, Kind: kind, Class: n.Class, Title: strings.TrimSpace(n.Title),
				Label: propValue(n.Props, "label"), Withdrawn: propValue(n.Props, "status") == "withdrawn"}
			if r.Label == "" {
				r.Label = n.ID
			}
			var st, gd strings.Builder
			for _, p := range n.Parts {
				switch p.Name {
				case "statement", "overview":
					writePart(&st, p, params, 0)
				case "guidance":
					writePart(&gd, p, params, 0)
				}
			}
			r.Statement, r.Guidance = strings.TrimSpace(st.String()), strings.TrimSpace(gd.String())
			if r.ID == "" {
				return Errorf(EINVALID, "a %s titled %q has no id", kind, r.Title)
			}
			c.Items = append(c.Items, r)
			if err := walk(n.Groups, n.ID, KindGroup); err != nil {
				return err
			}
			child := KindControl
			if kind != KindGroup {
				child = KindEnhancement
			}
			if err := walk(n.Controls, n.ID, child); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(doc.Catalog.Groups, "", KindGroup); err != nil {
		return nil, err
	}
	if err := walk(doc.Catalog.Controls, "", KindControl); err != nil {
		return nil, err
	}
	return c, nil
}

// propValue returns the value of the named property, preferring one
// without a class (SP 800-53 labels a control "AC-2" and, for SP 800-53A,
// "AC-02").
func propValue(props []oscalProp, name string) string {
	v := ""
	for _, p := range props {
		if p.Name == name {
			if p.Class == "" {
				return p.Value
			}
			if v == "" {
				v = p.Value
			}
		}
	}
	return v
}

var oscalInsert = regexp.MustCompile(`\{\{\s*insert:\s*param,\s*([^}\s]+)\s*\}\}`)

// writePart writes a part's prose and its sub-parts, one per line, with
// their labels ("a.", "1.").
func writePart(b *strings.Builder, p oscalPart, params map[string]string, depth int) {
	prose := oscalInsert.ReplaceAllStringFunc(p.Prose, func(s string) string {
		id := oscalInsert.FindStringSubmatch(s)[1]
		if v, ok := params[id]; ok {
			return v
		}
		return "[Assignment]"
	})
	label := propValue(p.Props, "label")
	if prose != "" || label != "" {
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(strings.Repeat("  ", max(depth-1, 0)))
		if label != "" {
			b.WriteString(label + " ")
		}
		b.WriteString(strings.TrimSpace(prose))
	}
	for _, sp := range p.Parts {
		if sp.Name == "item" || sp.Name == "statement" || sp.Name == "guidance" || sp.Name == "overview" {
			writePart(b, sp, params, depth+1)
		}
	}
}

// The built-in frameworks' keys.
const (
	FrameworkAnnexA = CatalogueAnnexA2022
	FrameworkCSF2   = "nist-csf-2.0"
)

//go:embed catalog/nist_csf_2.0_catalog.json
var csf2JSON []byte

// BuiltinSum is a built-in catalogue's key and the SHA-256 of its source
// (Annex A's identifiers, themes and titles; CSF's OSCAL file).
type BuiltinSum struct{ Key, SHA256 string }

// BuiltinFrameworkSums returns the key and hash of each built-in
// catalogue without parsing it, so that a start on an up-to-date
// database does not parse NIST's catalog (issue 16 item 5). The hashes
// are those BuiltinFrameworks sets (TestBuiltinFrameworkSums).
func BuiltinFrameworkSums() []BuiltinSum {
	a := sha256.Sum256(annexAFingerprint(AnnexA()))
	c := sha256.Sum256(csf2JSON)
	return []BuiltinSum{{FrameworkAnnexA, hex.EncodeToString(a[:])}, {FrameworkCSF2, hex.EncodeToString(c[:])}}
}

// BuiltinFrameworks returns the catalogues every pdca instance carries,
// parsed on each call (it is called when they must be written, and the
// parsed CSF is not worth keeping in a running server): Annex A (from
// the embedded CSV of identifiers and short titles, its four themes as
// groups) and NIST CSF 2.0 (from NIST's OSCAL catalog: 6 functions as
// groups, 22 categories as controls, 106 subcategories as enhancements;
// the withdrawn CSF 1.1 subcategories are kept and marked).
func BuiltinFrameworks() ([]*FrameworkCatalogue, error) {
	a := AnnexA()
	ac := &FrameworkCatalogue{Framework: Framework{Key: FrameworkAnnexA, Title: "ISO/IEC 27001:2022 Annex A", Version: "2022",
		Source: SourceBuiltin, Builtin: true,
		Origin: "pdca's list of Annex A identifiers and short titles; the standard's text is ISO's and is not included"}}
	groups := map[string]bool{}
	for _, ctl := range a.Controls {
		g := ctl.ID[:strings.LastIndex(ctl.ID, ".")] // A.5.1 -> A.5
		if !groups[g] {
			groups[g] = true
			ac.Items = append(ac.Items, Requirement{ID: g, Kind: KindGroup, Class: "theme", Title: ctl.Theme + " controls"})
		}
		ac.Items = append(ac.Items, Requirement{ID: ctl.ID, ParentID: g, Kind: KindControl, Class: "control", Title: ctl.Title})
	}
	sum := sha256.Sum256(annexAFingerprint(a))
	ac.SHA256 = hex.EncodeToString(sum[:])
	csf, err := ParseOSCALCatalog(csf2JSON)
	if err != nil {
		return nil, fmt.Errorf("built-in NIST CSF 2.0: %w", err)
	}
	csf.Key, csf.Title, csf.Version, csf.Source, csf.Builtin = FrameworkCSF2, "NIST Cybersecurity Framework 2.0", "2.0", SourceBuiltin, true
	csf.Origin = "NIST, public domain: usnistgov/oscal-content nist.gov/CSF/v2.0/json/NIST_CSF_v2.0_catalog-min.json"
	for _, c := range []*FrameworkCatalogue{ac, csf} {
		if err := c.Validate(); err != nil {
			return nil, fmt.Errorf("built-in %s: %w", c.Key, err)
		}
	}
	return []*FrameworkCatalogue{ac, csf}, nil
}

func annexAFingerprint(c *Catalogue) []byte {
	var b bytes.Buffer
	for _, ctl := range c.Controls {
		fmt.Fprintf(&b, "%s\t%s\t%s\n", ctl.ID, ctl.Theme, ctl.Title)
	}
	return b.Bytes()
}

// MappingRelation says how a requirement relates to one of another
// framework, in the words of NIST's OLIR and OSCAL's mapping model: the
// source is equivalent to the target, a subset of it (meeting the source
// meets part of the target), a superset (meeting the source meets all of
// the target and more), or they intersect (they share some content).
type MappingRelation string

// The mapping relations.
const (
	RelationEquivalent MappingRelation = "equivalent"
	RelationSubset     MappingRelation = "subset"
	RelationSuperset   MappingRelation = "superset"
	RelationIntersects MappingRelation = "intersects"
)

// MappingRelations lists the relations in order.
func MappingRelations() []MappingRelation {
	return []MappingRelation{RelationEquivalent, RelationSubset, RelationSuperset, RelationIntersects}
}

// Valid reports whether r is one of the relations.
func (r MappingRelation) Valid() bool {
	switch r {
	case RelationEquivalent, RelationSubset, RelationSuperset, RelationIntersects:
		return true
	}
	return false
}

// Inverse is the relation read from the other end: subset and superset
// swap; equivalent and intersects are symmetric.
func (r MappingRelation) Inverse() MappingRelation {
	switch r {
	case RelationSubset:
		return RelationSuperset
	case RelationSuperset:
		return RelationSubset
	}
	return r
}
