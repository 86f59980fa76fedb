package web_test

import (
	"context"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

// Processes and cycles plug into the generated tests (see aggregates_test.go).
func init() {
	registerAggregate(aggregate{
		name: "processes",
		fixture: func(t *testing.T, a *app.App, o *org) map[string]string {
			t.Helper()
			ctx := context.Background()
			var ids []int64
			for _, key := range []string{"access", "incident", "backup"} {
				p, err := app.ProcessFromTemplate(key, o.users[isms.RoleProcessOwner].ID)
				if err != nil {
					t.Fatal(err)
				}
				p.Name += " at " + o.Name
				if err := a.CreateProcess(ctx, app.System, o.Slug, p); err != nil {
					t.Fatalf("create process: %v", err)
				}
				ids = append(ids, p.ID)
			}
			start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
			c := &isms.Cycle{Name: "Cycle of " + o.Name, Start: start, End: start.AddDate(0, 0, 89), Goals: "Faster removals at " + o.Name, ProcessIDs: ids}
			if err := a.CreateCycle(ctx, app.System, o.Slug, c); err != nil {
				t.Fatalf("create cycle: %v", err)
			}
			return map[string]string{"processes.id": id(ids[0]), "cycles.id": id(c.ID)}
		},
		pages: map[string]pageRequest{
			"processes":    {path: "/o/acme/processes", want: []string{"<h1>Processes</h1>", "Access management at Acme Oy", "impact 3 × recurrence 3 × risk 3 = 27 of 125", "Supplier security assessment"}},
			"process_form": {path: "/o/acme/processes/new?template=change", want: []string{"New process", "Change management", `value="changes-documented" checked`}},
			"process":      {path: "/o/acme/processes/{processes.id}", want: []string{"<h1>Access management at Acme Oy</h1>", "<strong>no later than 24 h after the end</strong>", "access-removal"}},
			"cycles":       {path: "/o/acme/cycles", want: []string{"Improvement cycles", "Cycle of Acme Oy", "Start the cycle"}},
			"cycle":        {path: "/o/acme/cycles/{cycles.id}", want: []string{"<h1>Cycle of Acme Oy</h1>", "Faster removals", "At the start", "green ≥ 100 %"}},
		},
		// Owner and process ids are not the organisation's: an allowed
		// caller gets 422 (past authorization), which the generated tests
		// accept as getting through.
		bodies: map[string]jsonBody{
			"create-process": `{"name":"From the API","owner_id":1,"trigger":"a request","deadline":"24 h","impact":3,"recurrence":3,"risk":3,"metrics":[]}`,
			"update-process": `{"name":"From the API","owner_id":1,"trigger":"a request","deadline":"24 h","impact":3,"recurrence":3,"risk":3,"metrics":[]}`,
			"create-cycle":   `{"name":"API cycle","start":"2026-10-01","end":"2026-12-29","goals":"from the API","process_ids":[1]}`,
		},
	})
}
