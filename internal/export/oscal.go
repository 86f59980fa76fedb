package export

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/google/uuid"
)

// OSCALVersion is the OSCAL version of the POA&M documents pdca writes.
const OSCALVersion = "1.0.4"

// PropNS is pdca's namespace for OSCAL properties of ISO 27001 fields.
const PropNS = "https://pdca.dev/ns/oscal"

// Nonconformity is what a POA&M export needs of a deviation (ISO/IEC
// 27001 clause 10.2): the finding, the correction, the root cause and the
// corrective actions with their deadlines.
type Nonconformity struct {
	Ref, Title, Description string
	Kind, Source, Severity  string
	Status                  string // pdca's workflow status: open, analysing, actions_planned, in_progress, verifying, closed
	DetectedAt              time.Time
	Due                     *time.Time
	Owner                   string
	Correction              string
	CorrectedAt             *time.Time
	RootCause, Category     string
	Actions                 []CorrectiveAction
}

// CorrectiveAction is one action of a nonconformity's plan.
type CorrectiveAction struct {
	Title, Owner string
	Deadline     *time.Time
	Done         *time.Time
}

// riskStatus maps pdca's workflow to OSCAL's risk status (DOMAIN.md 4.3):
// open, then investigating while the root cause is analysed, remediating
// while actions run and their effectiveness is checked, closed.
func riskStatus(s string) string {
	switch s {
	case "closed":
		return "closed"
	case "analysing", "analysis", "reopened":
		return "investigating"
	case "open", "":
		return "open"
	}
	return "remediating"
}

// remarks lays out named fields as Markdown lines, skipping empty ones.
// OSCAL 1.0.4's JSON schema admits only the property name "marking", so
// pdca carries its ISO 27001 fields in remarks and descriptions instead
// of properties.
func remarks(kv ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(kv); i += 2 {
		if strings.TrimSpace(kv[i+1]) != "" {
			b.WriteString("- " + kv[i] + ": " + kv[i+1] + "\n")
		}
	}
	return b.String()
}

func rfc(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// POAM returns an OSCAL 1.0.4 Plan of Action and Milestones (JSON) for the
// nonconformities of one organisation. Ids are UUIDv5 derived from the
// organisation and the deviation reference, so a later export of the same
// deviation keeps its ids.
func POAM(orgSlug, orgName string, at time.Time, ncs []Nonconformity) ([]byte, error) {
	ns := uuid.NewSHA1(uuid.NameSpaceURL, []byte(PropNS+"/"+orgSlug))
	id := func(parts ...string) string { return uuid.NewSHA1(ns, []byte(strings.Join(parts, "/"))).String() }
	party := id("party")
	type obj = map[string]any
	var items, risks []obj
	for _, nc := range ncs {
		riskID := id("risk", nc.Ref)
		desc := nc.Description
		if strings.TrimSpace(desc) == "" {
			desc = nc.Title
		}
		statement := "Root cause not analysed yet."
		if nc.RootCause != "" {
			statement = "Root cause: " + nc.RootCause
			if nc.Category != "" {
				statement += " (category: " + nc.Category + ")"
			}
		}
		risk := obj{"uuid": riskID, "title": nc.Ref + ": " + nc.Title, "description": desc, "statement": statement, "status": riskStatus(nc.Status)}
		if nc.Due != nil {
			risk["deadline"] = rfc(*nc.Due)
		}
		var rem []obj
		if nc.Correction != "" {
			r := obj{"uuid": id("correction", nc.Ref), "lifecycle": "completed", "title": "Correction (containment)", "description": nc.Correction,
				"remarks": remarks("done at", fmtOpt(nc.CorrectedAt))}
			rem = append(rem, r)
		}
		if len(nc.Actions) > 0 {
			lifecycle := "completed"
			var tasks []obj
			for i, a := range nc.Actions {
				if a.Done == nil {
					lifecycle = "planned"
				}
				task := obj{"uuid": id("action", nc.Ref, string(rune('a'+i%26)), a.Title), "type": "milestone", "title": a.Title,
					"remarks": remarks("owner", a.Owner, "done at", fmtOpt(a.Done))}
				if a.Deadline != nil {
					task["timing"] = obj{"on-date": obj{"date": rfc(*a.Deadline)}}
				}
				tasks = append(tasks, task)
			}
			rem = append(rem, obj{"uuid": id("plan", nc.Ref), "lifecycle": lifecycle, "title": "Corrective actions",
				"description": "Corrective actions against the root cause, with their deadlines.", "tasks": tasks})
		}
		if len(rem) > 0 {
			risk["remediations"] = rem
		}
		risks = append(risks, risk)
		items = append(items, obj{"uuid": id("item", nc.Ref), "title": nc.Ref + ": " + nc.Title, "description": desc,
			"remarks": remarks("deviation", nc.Ref, "kind", nc.Kind, "source", nc.Source, "severity", nc.Severity, "owner", nc.Owner,
				"detected at", rfc(nc.DetectedAt), "status in pdca", nc.Status),
			"related-risks": []obj{{"risk-uuid": riskID}}})
	}
	if len(items) == 0 {
		// OSCAL requires at least one item; say plainly that nothing is open.
		items = append(items, obj{"uuid": id("item", "none"), "title": "No open nonconformity", "description": "No deviation was open when this plan was exported."})
	}
	doc := obj{"plan-of-action-and-milestones": obj{
		"uuid": uuid.NewSHA1(ns, []byte("poam/"+rfc(at))).String(),
		"metadata": obj{"title": "Plan of action and milestones of " + orgName, "last-modified": rfc(at), "version": rfc(at), "oscal-version": OSCALVersion,
			"parties": []obj{{"uuid": party, "type": "organization", "name": orgName}}},
		// The schema admits only FedRAMP and RFC 4122 identifier types: the
		// organisation is named by a UUID derived from its slug.
		"system-id":  obj{"identifier-type": "https://ietf.org/rfc/rfc4122", "id": ns.String()},
		"risks":      risks,
		"poam-items": items,
	}}
	if len(risks) == 0 {
		delete(doc["plan-of-action-and-milestones"].(obj), "risks")
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	// Never hand out a document that does not validate.
	if err := ValidatePOAM(b); err != nil {
		return nil, err
	}
	return b, nil
}

func fmtOpt(t *time.Time) string {
	if t == nil {
		return ""
	}
	return rfc(*t)
}
