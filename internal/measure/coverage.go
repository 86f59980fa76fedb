package measure

// addRelated notes a related record (e.g. an assessment) whose
// RelatedTimeField lies in [End - Window, End) and not after T.
func (t *Tally) addRelated(r *Record) {
	def := &t.def
	at, ok := timeOf(r, def.RelatedTimeField)
	if !ok || at.Before(t.from) || !at.Before(t.in.Period.End) || at.After(t.in.AsOf) {
		return
	}
	if k := normKey(r.Texts[def.RelatedKeyField]); k != "" {
		t.cover[k] = struct{}{}
	}
}

// addCoverage judges a filtered record (e.g. a critical supplier): met when
// a related record fed before names its Key, missed otherwise.
func (t *Tally) addCoverage(r *Record) {
	if !matches(r, t.def.Filter) {
		return
	}
	o := OutcomeMissed
	if _, ok := t.cover[string(appendNormKey(t.buf[:0], r.Key))]; ok {
		o = OutcomeMet
		t.m.Met++
	} else {
		t.m.Missed++
	}
	t.item(r, o)
}
