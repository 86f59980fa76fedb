package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/app"
)

// An aggregate (processes, deviations, risks, ...) plugs into the
// generated tests from its own test file, in init(), with
// registerAggregate: a fixture that creates its data in an organisation
// and returns the values of its route wildcards (keyed "<segment>.<name>",
// e.g. "deviations.id", see value), and a request for each page template
// it adds. The role matrix, the tenant isolation test and the page test
// then cover its routes without edits to those tests.
type aggregate struct {
	name    string
	fixture func(t *testing.T, a *app.App, o *org) map[string]string
	// pages: page template name -> request. "{key}" in a path is replaced
	// by the fixture's value for key in the organisation "acme".
	pages map[string]pageRequest
	// bodies: API operation id -> a valid JSON request body.
	bodies map[string]jsonBody
	// shared: wildcard values that name the same thing in every
	// organisation (a template key, say), not data of one organisation.
	shared map[string]string
}

type pageRequest struct {
	path   string
	status int
	want   []string
}

var aggregates []aggregate

func registerAggregate(ag aggregate) {
	aggregates = append(aggregates, ag)
	for id, b := range ag.bodies {
		apiBodies[id] = b
	}
}

// mustAggregates runs every registered fixture in the organisation and
// returns the merged wildcard values.
func mustAggregates(t *testing.T, a *app.App, o *org) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, ag := range aggregates {
		merge(out, ag.shared)
		if ag.fixture != nil {
			merge(out, ag.fixture(t, a, o))
		}
	}
	return out
}

// sharedValues returns every aggregate's shared wildcard values.
func sharedValues() map[string]string {
	out := map[string]string{}
	for _, ag := range aggregates {
		merge(out, ag.shared)
	}
	return out
}

// aggregatePages returns the registered page requests with their
// placeholders filled from vals.
func aggregatePages(vals map[string]string) map[string]pageRequest {
	out := map[string]pageRequest{}
	for _, ag := range aggregates {
		for name, pr := range ag.pages {
			for k, v := range vals {
				pr.path = strings.ReplaceAll(pr.path, "{"+k+"}", v)
			}
			if pr.status == 0 {
				pr.status = http.StatusOK
			}
			out[name] = pr
		}
	}
	return out
}

// merge copies src into dst.
func merge(dst, src map[string]string) {
	for k, v := range src {
		dst[k] = v
	}
}
