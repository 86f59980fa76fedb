package web

import (
	"net/url"
	"strconv"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

func init() {
	funcs["deliveryStatuses"] = func() []string { return []string{isms.DeliveryPending, isms.DeliverySent, isms.DeliveryFailed} }
	funcs["deliveryChannels"] = func() []string { return []string{isms.ChannelEmail, isms.ChannelWebhook} }
}

// listPage is how many rows the lists paged through pager show at once.
const listPage = 50

// pager is a list's position in words ("1–50 of 120 members") and the
// query strings of its previous and next pages ("" where there is none).
type pager struct {
	Showing, Prev, Next string
}

// pageOffset reads a list's offset from the query string (0 if absent or
// not a number).
func pageOffset(q url.Values) int {
	off, _ := strconv.Atoi(q.Get("offset"))
	return max(0, off)
}

// pagerOf says where a page of a list is and links its neighbours, keeping
// the list's other parameters (its filters).
func pagerOf[T any](q url.Values, pg *store.Page[T], noun string, plural ...string) pager {
	total := pg.Total
	if total < 0 { // not counted: as far as this page reaches
		total = pg.Offset + len(pg.Items)
		if pg.More {
			total++
		}
	}
	out := pager{Showing: showing(pg.Offset, len(pg.Items), total, noun, plural...)}
	if pg.Offset > 0 {
		out.Prev = pageURL(q, func(v url.Values) {
			if o := max(0, pg.Offset-pg.Limit); o > 0 {
				v.Set("offset", strconv.Itoa(o))
			} else {
				v.Del("offset")
			}
		})
	}
	if pg.More {
		out.Next = pageURL(q, func(v url.Values) { v.Set("offset", strconv.Itoa(pg.Offset+pg.Limit)) })
	}
	return out
}
