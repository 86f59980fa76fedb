package app

import (
	"sync"
	"time"
)

// DashboardMaxAge bounds how long a computed dashboard is reused even when
// nothing changed: due dates and overdue counts move with the clock.
const DashboardMaxAge = time.Minute

// dashCache keeps each organisation's latest organisation-wide dashboard.
// Entries are only ever read for the organisation they were computed for.
type dashCache struct {
	mu sync.Mutex
	m  map[int64]dashEntry
}

type dashEntry struct {
	version string
	at      time.Time
	d       *Dashboard
}

// get returns the dashboard computed for the organisation at this data
// version, or nil when there is none or it is too old.
func (c *dashCache) get(orgID int64, version string, now time.Time) *Dashboard {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[orgID]
	if !ok || e.version != version || now.Sub(e.at) >= DashboardMaxAge || now.Before(e.at) {
		return nil
	}
	return e.d
}

func (c *dashCache) put(orgID int64, version string, now time.Time, d *Dashboard) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[int64]dashEntry{}
	}
	c.m[orgID] = dashEntry{version: version, at: now, d: d}
}
