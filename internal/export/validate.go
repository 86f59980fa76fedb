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
	doc, err := nistDefinitions()
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft7)
	c.AssertFormat()
	if err := c.AddResource(nistSchemaID, doc); err != nil {
		return nil, err
	}
	return c.Compile(nistSchemaID)
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
