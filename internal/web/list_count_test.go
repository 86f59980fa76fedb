package web_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// Every paged list of the API counts only when asked (issue 16): for each
// GET operation that takes count, in the contract test's fixture, a page
// of one with count=true carries total and has_more; the same page
// without count has no total and the same has_more; the last item alone
// (offset total-1) has has_more false. The token list, whose body is an
// array, says the same in its X-Total-Count and X-Has-More headers.
func TestListsCountOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		rec := mustRecords(t, a, o)
		vals := map[string]string{"org": o.Slug, "records.id": id(rec), "kind": recordKind, "key": metricKey, "period": metricPeriod}
		merge(vals, mustAggregates(t, a, o))
		_, secret := mustToken(t, a, o, isms.RoleAdmin, isms.ScopeWrite)
		mustToken(t, a, o, isms.RoleAdmin, isms.ScopeRead) // two tokens: the token list has a second page
		api := e.client(t, false)

		// page reads one page: its item count, its total (-1: absent) and
		// has_more.
		page := func(op, path string) (n, total int, more bool) {
			t.Helper()
			r := e.do(t, api, http.MethodGet, path, nil, bearer(secret))
			if r.status != http.StatusOK {
				t.Fatalf("%s %s: %d %s", op, path, r.status, r.body)
			}
			total = -1
			if op == "list-tokens" {
				var items []json.RawMessage
				if err := json.Unmarshal([]byte(r.body), &items); err != nil {
					t.Fatalf("%s %s: %v", op, path, err)
				}
				if h, ok := r.header["X-Total-Count"]; ok {
					if total, _ = strconv.Atoi(h[0]); total < 0 {
						t.Fatalf("%s: X-Total-Count %q", op, h)
					}
				}
				return len(items), total, r.header.Get("X-Has-More") == "true"
			}
			var body struct {
				Items   []json.RawMessage `json:"items"`
				Total   *int              `json:"total"`
				HasMore *bool             `json:"has_more"`
			}
			if err := json.Unmarshal([]byte(r.body), &body); err != nil || body.HasMore == nil || body.Items == nil {
				t.Fatalf("%s %s: want items and has_more: %v %s", op, path, err, r.body)
			}
			if body.Total != nil {
				total = *body.Total
			}
			return len(body.Items), total, *body.HasMore
		}
		checked, paged := 0, 0
		for _, op := range apiOps(t, e.srv) {
			if op.Method != http.MethodGet || !takesQuery(op.Parameters, "count") {
				continue
			}
			path, _ := apiRequest(t, op, vals)
			sep := "?"
			if strings.Contains(path, "?") {
				sep = "&"
			}
			n, total, more := page(op.OperationID, path+sep+"limit=1&count=true")
			if total < 0 || n != min(total, 1) || more != (total > 1) {
				t.Errorf("%s, limit 1, count: %d items, total %d, has_more %v", op.OperationID, n, total, more)
				continue
			}
			n2, total2, more2 := page(op.OperationID, path+sep+"limit=1")
			if n2 != n || total2 != -1 || more2 != more {
				t.Errorf("%s, limit 1, no count: %d items, total %d, has_more %v; want %d, none, %v", op.OperationID, n2, total2, more2, n, more)
			}
			if total > 1 {
				paged++
				last := path + sep + "limit=1&offset=" + strconv.Itoa(total-1)
				if n3, _, more3 := page(op.OperationID, last); n3 != 1 || more3 {
					t.Errorf("%s, the last item: %d items, has_more %v", op.OperationID, n3, more3)
				}
				if n4, total4, more4 := page(op.OperationID, last+"&count=true"); n4 != 1 || total4 != total || more4 {
					t.Errorf("%s, the last item, count: %d items, total %d, has_more %v; want total %d", op.OperationID, n4, total4, more4, total)
				}
			}
			checked++
		}
		t.Logf("%d lists take count, %d of them with more than one item", checked, paged)
		// The fixture must reach the lists, and give several a second
		// page, or this test checks little.
		if checked < 12 || paged < 5 {
			t.Errorf("checked %d lists that take count, %d of them with more than one item", checked, paged)
		}
	})
}

func takesQuery(params []*huma.Param, name string) bool {
	for _, p := range params {
		if p.In == "query" && p.Name == name {
			return true
		}
	}
	return false
}
