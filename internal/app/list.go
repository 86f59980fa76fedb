package app

import (
	"strings"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/measure"
)

// PeriodRange reads a list's period filter, a month ("2026-10") or a
// quarter ("2026-Q4"), in the organisation's zone, as the half-open range
// [from, to) in UTC; empty gives zero times (no bound). EINVALID says what
// to type instead. A record at 2026-09-30T21:30Z is in 2026-10 for an
// organisation in Europe/Helsinki: lists agree with the metrics, which
// read periods in the same zone.
func PeriodRange(org *isms.Organization, period string) (from, to time.Time, err error) {
	period = strings.TrimSpace(period)
	if period == "" {
		return time.Time{}, time.Time{}, nil
	}
	p, perr := measure.ParsePeriod(strings.ToUpper(period), org.Location())
	if perr != nil {
		return time.Time{}, time.Time{}, isms.Errorf(isms.EINVALID, "%s; e.g. 2026-10 for October 2026 or 2026-Q4 for its last quarter", perr.Error())
	}
	return p.Start.UTC(), p.End.UTC(), nil
}
