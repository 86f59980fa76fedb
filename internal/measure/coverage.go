package measure

// computeCoverage judges each filtered record (e.g. a critical supplier): met
// when a Related record names its Key in RelatedKeyField with
// RelatedTimeField in [End - Window, End) and not after T; missed otherwise.
func computeCoverage(def Definition, in Input, m *Measurement, items bool) {
	end := in.Period.End
	from := end.AddDate(-def.Window.Years, -def.Window.Months, -def.Window.Days)
	covered := make(map[string]struct{})
	for i := range in.Related {
		r := &in.Related[i]
		t, ok := timeOf(r, def.RelatedTimeField)
		if !ok || t.Before(from) || !t.Before(end) || t.After(in.AsOf) {
			continue
		}
		if k := normKey(r.Texts[def.RelatedKeyField]); k != "" {
			covered[k] = struct{}{}
		}
	}
	var buf [64]byte
	for i := range in.Records {
		r := &in.Records[i]
		if !matches(r, def.Filter) {
			continue
		}
		o := OutcomeMissed
		if _, ok := covered[string(appendNormKey(buf[:0], r.Key))]; ok {
			o = OutcomeMet
			m.Met++
		} else {
			m.Missed++
		}
		if items {
			m.Items = append(m.Items, Item{ID: r.ID, Key: r.Key, Outcome: o})
		}
	}
	m.Population = m.Met + m.Missed
	m.Value = percent(m.Met, m.Population)
}
