package isms

import (
	"slices"
	"strings"
)

// RequirementDecision is an organisation's decision about one requirement
// of a framework in its register (issue 19): the Statement of
// Applicability's rules, for any framework.
type RequirementDecision struct {
	ReqID         string
	Applicable    bool
	Justification string
	Status        ImplementationStatus
	Evidence      string
}

// Validate returns EINVALID unless the decision carries a justification;
// an applicable requirement needs an implementation status, an excluded
// one has none. Text is trimmed and bounded.
func (d *RequirementDecision) Validate() error {
	if err := CheckLengths(Limit{"justification", d.Justification, MaxText}, Limit{"evidence", d.Evidence, MaxText}); err != nil {
		return err
	}
	d.Justification, d.Evidence = strings.TrimSpace(d.Justification), strings.TrimSpace(d.Evidence)
	if d.Justification == "" {
		if d.Applicable {
			return Errorf(EINVALID, "justification: say why %s is included, e.g. a risk, a law, a contract or a business need", d.ReqID)
		}
		return Errorf(EINVALID, "justification: say why %s is excluded; an auditor asks for the reason of every exclusion", d.ReqID)
	}
	if !d.Applicable {
		if d.Status != "" {
			return Errorf(EINVALID, "status: %s is excluded, so it has no implementation status; leave it empty", d.ReqID)
		}
		return nil
	}
	if !slices.Contains(ImplementationStatuses(), d.Status) {
		return Errorf(EINVALID, "status %q: use one of not_started, planned, partial, implemented", d.Status)
	}
	return nil
}
