package export

import (
	"bytes"
	_ "embed"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// catalogSchemaJSON is pdca's schema for OSCAL 1.x catalogs: the catalog,
// group and control definitions transcribed from the OSCAL catalog model,
// everything else referenced from NIST's 1.0.4 schema (poamSchemaJSON).
// See docs/frameworks-import.md.
//
//go:embed schema/oscal_1.x_catalog_schema.json
var catalogSchemaJSON []byte

const (
	nistSchemaID    = "http://csrc.nist.gov/ns/oscal/1.0.4/oscal-poam-schema.json"
	catalogSchemaID = "https://github.com/pdca/pdca/internal/export/schema/oscal_1.x_catalog_schema.json"
	// MaxCatalogErrors bounds the problems one validation reports.
	MaxCatalogErrors = 20
)

// nistDefinitions parses NIST's schema and moves every "$ref" that sits
// next to an "$id" into "allOf" (draft-07 ignores a "$ref"'s siblings, so
// a strict validator would lose the anchors).
func nistDefinitions() (map[string]any, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(poamSchemaJSON))
	if err != nil {
		return nil, err
	}
	m, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("oscal schema: not an object")
	}
	for _, def := range m["definitions"].(map[string]any) {
		d := def.(map[string]any)
		if ref, ok := d["$ref"]; ok {
			if _, hasID := d["$id"]; hasID {
				delete(d, "$ref")
				d["allOf"] = []any{map[string]any{"$ref": ref}}
			}
		}
	}
	return m, nil
}

// loosenForCatalogs adapts NIST's 1.0.4 definitions to the catalogs of
// OSCAL 1.1 and 1.2, in two ways and only in the metadata and
// catalog-common definitions (those a catalog uses):
//   - "additionalProperties": false is dropped, so fields NIST added later
//     (metadata "actions", link "resource-fragment", ...) are accepted; the
//     fields 1.0.4 defines keep their types and patterns;
//   - "enum" value lists are dropped: the POA&M schema carries allowed
//     values of the POA&M and FedRAMP context (a property's name may only
//     be "marking"), which do not hold in a catalog, where NIST's own
//     catalogs use names such as "label" and "sort-id";
//   - a date-time's fraction of a second may end in zeros, as OSCAL 1.1
//     allows ("2026-05-11T16:01:09.00000-00:00" in NIST's CSF 2.0 catalog;
//     1.0.4's pattern ends the fraction with a non-zero digit).
func loosenForCatalogs(doc map[string]any) {
	defs := doc["definitions"].(map[string]any)
	if dt, ok := defs["DateTimeWithTimezoneDatatype"].(map[string]any); ok {
		if p, ok := dt["pattern"].(string); ok {
			dt["pattern"] = strings.Replace(p, `(\.[0-9]*[1-9])?`, `(\.[0-9]+)?`, 1)
		}
	}
	var walk func(v any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			if ap, ok := t["additionalProperties"].(bool); ok && !ap {
				delete(t, "additionalProperties")
			}
			delete(t, "enum")
			for _, c := range t {
				walk(c)
			}
		case []any:
			for _, c := range t {
				walk(c)
			}
		}
	}
	for name, def := range defs {
		if strings.HasPrefix(name, "oscal-poam-oscal-metadata:") || strings.HasPrefix(name, "oscal-poam-oscal-catalog-common:") {
			walk(def)
		}
	}
}

var english = message.NewPrinter(language.English)

var catalogSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	nist, err := nistDefinitions()
	if err != nil {
		return nil, err
	}
	loosenForCatalogs(nist)
	own, err := jsonschema.UnmarshalJSON(bytes.NewReader(catalogSchemaJSON))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft7)
	c.AssertFormat()
	if err := c.AddResource(nistSchemaID, nist); err != nil {
		return nil, err
	}
	if err := c.AddResource(catalogSchemaID, own); err != nil {
		return nil, err
	}
	return c.Compile(catalogSchemaID)
})

// CatalogError lists where an OSCAL catalog breaks the schema: each
// problem starts with the JSON pointer of the offending value ("" is the
// document itself).
type CatalogError struct {
	Problems []string
	More     int // problems not listed (beyond MaxCatalogErrors)
}

func (e *CatalogError) Error() string {
	s := "the file is not a valid OSCAL 1.x catalog: " + strings.Join(e.Problems, "; ")
	if e.More > 0 {
		s += fmt.Sprintf("; and %d more", e.More)
	}
	return s
}

// ValidateCatalog checks an OSCAL 1.x catalog (JSON) against pdca's
// catalog schema. A violation is a *CatalogError naming the JSON pointer
// of each problem; a file that is not JSON is an error saying so.
func ValidateCatalog(doc []byte) error {
	s, err := catalogSchema()
	if err != nil {
		return fmt.Errorf("oscal catalog schema: %w", err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return &CatalogError{Problems: []string{"not JSON: " + err.Error()}}
	}
	err = s.Validate(v)
	if err == nil {
		return nil
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return err
	}
	// The leaves are the problems; the assertions above them only say
	// "the subschema failed".
	var msgs []string
	seen := map[string]bool{}
	var leaves func(e *jsonschema.ValidationError)
	leaves = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			var ptr strings.Builder
			for _, seg := range e.InstanceLocation {
				ptr.WriteString("/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(seg))
			}
			m := ptr.String() + ": " + e.ErrorKind.LocalizedString(english)
			if !seen[m] {
				seen[m] = true
				msgs = append(msgs, m)
			}
			return
		}
		for _, c := range e.Causes {
			leaves(c)
		}
	}
	leaves(ve)
	sort.Strings(msgs)
	ce := &CatalogError{Problems: msgs}
	if len(msgs) > MaxCatalogErrors {
		ce.Problems, ce.More = msgs[:MaxCatalogErrors], len(msgs)-MaxCatalogErrors
	}
	return ce
}
