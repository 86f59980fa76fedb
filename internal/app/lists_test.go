package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

// The paged lists refuse a page or a filter value they do not take with
// EINVALID naming it, before reading anything (so an App without a
// database answers).
func TestPagedListFilters(t *testing.T) {
	a, ctx, p := &app.App{}, context.Background(), app.System
	for _, c := range []struct {
		name, want string
		call       func() error
	}{
		{"limit over 500", "limit 501", func() error {
			_, err := a.MemberList(ctx, p, "acme", app.MemberFilter{Page: app.Page{Limit: 501}})
			return err
		}},
		{"negative limit", "limit -1", func() error {
			_, err := a.TokenList(ctx, p, "acme", app.TokenFilter{Page: app.Page{Limit: -1}})
			return err
		}},
		{"negative offset", "offset -5", func() error {
			_, err := a.DeliveryList(ctx, p, "acme", app.DeliveryFilter{Page: app.Page{Offset: -5}})
			return err
		}},
		{"unknown role", `role "owner"`, func() error {
			_, err := a.MemberList(ctx, p, "acme", app.MemberFilter{Role: "owner"})
			return err
		}},
		{"member query too long", "q: at most 100", func() error {
			_, err := a.MemberList(ctx, p, "acme", app.MemberFilter{Query: strings.Repeat("a", 101)})
			return err
		}},
		{"unknown token state", `state "lost"`, func() error {
			_, err := a.TokenList(ctx, p, "acme", app.TokenFilter{State: "lost"})
			return err
		}},
		{"unknown delivery status", `status "done"`, func() error {
			_, err := a.DeliveryList(ctx, p, "acme", app.DeliveryFilter{Status: "done"})
			return err
		}},
		{"unknown channel", `channel "sms"`, func() error {
			_, err := a.DeliveryList(ctx, p, "acme", app.DeliveryFilter{Channel: "sms"})
			return err
		}},
		{"process owner too long", "owner: an email", func() error {
			_, err := a.ProcessList(ctx, p, "acme", app.ProcessFilter{Owner: strings.Repeat("a", 255)})
			return err
		}},
		{"unknown review status", `status "closed"`, func() error {
			_, err := a.ReviewList(ctx, p, "acme", app.ReviewFilter{Status: "closed"})
			return err
		}},
		{"audit year", "year 1999", func() error {
			_, err := a.AuditList(ctx, p, "acme", 1999, app.Page{})
			return err
		}},
	} {
		err := c.call()
		if isms.ErrorCode(err) != isms.EINVALID || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want EINVALID saying %q", c.name, err, c.want)
		}
	}
}
