package measure

import "time"

// AcknowledgementKey is the key of the policy acknowledgement rate.
const AcknowledgementKey = "policy-acknowledgement"

// AcknowledgementKind names its input: not a kind of imported record but
// the organisation's acknowledgement requests (issue 18), which the
// application feeds to the engine as records with the times requested_at,
// due_at and acknowledged_at.
const AcknowledgementKind = "acknowledgements"

// AcknowledgementRate is the built-in "policy acknowledgement rate": the
// share of the acknowledgements requested in the quarter that were given
// within 14 days of the request, with the flow semantics of training
// completion (a request still inside its 14 days is pending). It is kept
// apart from Builtins (the PRODUCT.md table of record metrics): the
// application adds it to an organisation when it first publishes a
// document version.
func AcknowledgementRate() Definition {
	yellow := 90.0
	return Definition{
		Key: AcknowledgementKey, Name: "Policy acknowledgement rate (within 14 days)",
		Kind: AcknowledgementKind, Measure: MeasureShareWithin, Frequency: FrequencyQuarter, Unit: UnitPercent,
		PeriodField: "requested_at", StartField: "requested_at", DoneField: "acknowledged_at", Within: 14 * 24 * time.Hour,
		Rule: Rule{Kind: RuleAtLeast, Green: 95, Yellow: &yellow},
	}
}
