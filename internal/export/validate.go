package export

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// poamSchemaJSON is NIST's OSCAL 1.0.4 POA&M JSON schema (US public
// domain), embedded so every export is checked before it leaves pdca.
//
//go:embed schema/oscal_1.0.4_poam_schema.json
var poamSchemaJSON []byte

var poamSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(poamSchemaJSON))
	if err != nil {
		return nil, err
	}
	// NIST's schema gives definitions an "$id" anchor next to a "$ref";
	// draft-07 ignores every sibling of "$ref", so a strict validator
	// loses the anchors. Moving the reference into "allOf" keeps the
	// meaning and the anchors.
	for _, def := range doc.(map[string]any)["definitions"].(map[string]any) {
		d := def.(map[string]any)
		if ref, ok := d["$ref"]; ok {
			if _, hasID := d["$id"]; hasID {
				delete(d, "$ref")
				d["allOf"] = []any{map[string]any{"$ref": ref}}
			}
		}
	}
	const id = "http://csrc.nist.gov/ns/oscal/1.0.4/oscal-poam-schema.json"
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft7)
	c.AssertFormat()
	if err := c.AddResource(id, doc); err != nil {
		return nil, err
	}
	return c.Compile(id)
})

// ValidatePOAM checks a document against the OSCAL 1.0.4 POA&M schema and
// returns every violation found.
func ValidatePOAM(doc []byte) error {
	s, err := poamSchema()
	if err != nil {
		return fmt.Errorf("oscal schema: %w", err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("poam: %w", err)
	}
	if err := s.Validate(v); err != nil {
		var msgs []string
		if ve, ok := err.(*jsonschema.ValidationError); ok {
			for _, u := range ve.BasicOutput().Errors {
				if u.Error != nil {
					msgs = append(msgs, u.InstanceLocation+": "+u.Error.String())
				}
			}
		}
		return fmt.Errorf("poam does not validate against OSCAL %s: %w\n%s", OSCALVersion, err, strings.Join(msgs, "\n"))
	}
	return nil
}
