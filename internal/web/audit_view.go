package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

// eventView is an audit event as people read it: who, what in words, on
// what (by name or reference, linked where a page shows it) and the
// changed fields as "field: before → after". The event itself stays
// beside it for the raw JSON one click away.
type eventView struct {
	isms.Event
	Who     template.HTML
	What    string
	Target  string
	Link    string
	Changes []fieldChange
	// More counts the changed fields left to the raw JSON, so a long
	// creation does not fill the page.
	More int
	// Raw is the event as JSON, indented, as the CSV export has it.
	Raw string
}

// fieldChange is one changed field of an event.
type fieldChange struct {
	Field, Before, After string
}

// people maps user ids to members, to show actors and owners by name.
type people map[int64]isms.Membership

func peopleOf(ms []isms.Membership) people {
	out := people{}
	for _, m := range ms {
		out[m.UserID] = m
	}
	return out
}

// eventViews turns events into views; slug links their entities.
func eventViews(events []isms.Event, ps people, slug string) []eventView {
	out := make([]eventView, 0, len(events))
	for _, e := range events {
		out = append(out, viewEvent(e, ps, slug))
	}
	return out
}

func viewEvent(e isms.Event, ps people, slug string) eventView {
	v := eventView{Event: e, What: isms.EventLabel(e.Action)}
	before, after := jsonObject(e.Before), jsonObject(e.After)
	v.Who = actor(e, ps)
	v.Target, v.Link = target(e, before, after, ps, slug)
	v.Changes = changes(before, after, ps)
	// A member's address is on hover of their name, not a change.
	if n, _ := strconv.ParseInt(e.EntityID, 10, 64); (e.Entity == "membership" || e.Entity == "user") && ps[n].UserID != 0 {
		v.Changes = slices.DeleteFunc(v.Changes, func(c fieldChange) bool { return c.Field == isms.Label("email") })
	}
	if len(v.Changes) > maxChanges {
		v.Changes, v.More = v.Changes[:maxChanges], len(v.Changes)-maxChanges
	}
	v.Raw = rawJSON(e)
	return v
}

// rawJSON is the event as indented JSON; before and after are stored
// redacted already.
func rawJSON(e isms.Event) string {
	raw := func(s string) json.RawMessage {
		if s == "" || !json.Valid([]byte(s)) {
			return json.RawMessage("null")
		}
		return json.RawMessage(s)
	}
	b, err := json.MarshalIndent(struct {
		Seq      int64           `json:"seq"`
		At       string          `json:"at"`
		ActorID  int64           `json:"actor_id"`
		Actor    string          `json:"actor"`
		Action   string          `json:"action"`
		Entity   string          `json:"entity"`
		EntityID string          `json:"entity_id"`
		Before   json.RawMessage `json:"before"`
		After    json.RawMessage `json:"after"`
		Hash     string          `json:"hash"`
	}{e.Seq, e.At.UTC().Format(time.RFC3339Nano), e.ActorID, e.Actor, e.Action, e.Entity, e.EntityID, raw(e.Before), raw(e.After), e.Hash}, "", "  ")
	if err != nil {
		return ""
	}
	return string(b)
}

// actor names who acted: a member by name (email on hover), else the
// label the event recorded ("cli", "pdca (automatic)", an email).
func actor(e isms.Event, ps people) template.HTML {
	if m, ok := ps[e.ActorID]; ok && e.ActorID != 0 {
		h := person(m.Name, m.Email)
		if _, tok, ok := strings.Cut(e.Actor, " (token "); ok {
			h += template.HTML(" <small>with API token " + template.HTMLEscapeString(strings.TrimSuffix(tok, ")")) + "</small>")
		}
		return h
	}
	switch e.Actor {
	case "cli":
		return "the command line"
	case "":
		return "pdca"
	}
	return template.HTML(template.HTMLEscapeString(e.Actor))
}

// numeric matches an entity id that is a database id, not a reference.
var numeric = regexp.MustCompile(`^\d+$`)

// target names the entity an event changed and the page that shows it.
func target(e isms.Event, before, after map[string]any, ps people, slug string) (name, link string) {
	name = isms.EntityLabel(e.Entity)
	base := "/o/" + url.PathEscape(slug) + "/"
	id := e.EntityID
	// What the entity is called: its reference when the id is one, else
	// a name the event carries.
	called := ""
	if !numeric.MatchString(id) {
		called = id
	} else {
		for _, k := range []string{"Ref", "ref", "Name", "name", "Title", "title", "Email", "email", "Key", "key", "file"} {
			if s, ok := pick(after, before, k).(string); ok && s != "" {
				called = s
				break
			}
		}
	}
	n, _ := strconv.ParseInt(id, 10, 64)
	switch e.Entity {
	case "membership", "user", "invitation":
		if m, ok := ps[n]; ok && e.Entity != "invitation" {
			called = m.Name
			if called == "" {
				called = m.Email
			}
		}
		link = base + "people"
	case "process":
		link = base + "processes/" + id
	case "cycle":
		link = base + "cycles/" + id
	case "review":
		link = base + "reviews/" + id
	case "internal_audit":
		link = base + "audits/" + id
	case "control":
		link = base + "soa/" + url.PathEscape(id)
	case "metric":
		if !numeric.MatchString(id) {
			link = base + "metrics/" + url.PathEscape(id)
		}
	case "deviation":
		link = base + "deviations"
	case "risk":
		link = base + "risks"
	case "token":
		link = base + "tokens"
	case "import":
		if k, ok := after["kind"].(string); ok {
			link = base + "records/" + url.PathEscape(k)
		}
	default:
		if _, ok := isms.LookupKind(e.Entity); ok {
			link = base + "records/" + e.Entity + "/" + id
			if e.Action == "record.delete" {
				link = base + "records/" + e.Entity // the record's page is gone
			}
		}
	}
	if called != "" {
		name += " " + called
	}
	return name, link
}

func pick(a, b map[string]any, k string) any {
	if v, ok := a[k]; ok {
		return v
	}
	return b[k]
}

// jsonObject decodes an event's before or after; nil when it is empty
// or not an object.
func jsonObject(s string) map[string]any {
	var m map[string]any
	if json.Unmarshal([]byte(s), &m) != nil {
		return nil
	}
	return m
}

// maxChanges and maxValue bound what one event shows; the rest is in its
// JSON, one click away.
const (
	maxChanges = 6
	maxValue   = 120
)

// clip shortens a long value to maxValue characters.
func clip(s string) string {
	if r := []rune(s); len(r) > maxValue {
		return string(r[:maxValue-1]) + "…"
	}
	return s
}

// noise are fields every stored entity carries that say nothing of the
// change.
var noise = map[string]bool{"id": true, "org_id": true, "created_at": true, "updated_at": true}

// changes lists the fields whose values differ between before and after,
// labelled from the dictionary, in the order of their labels. A field
// that did not exist before (a creation) shows its new value only.
func changes(before, after map[string]any, ps people) []fieldChange {
	keys := map[string]bool{}
	for k := range before {
		keys[k] = true
	}
	for k := range after {
		keys[k] = true
	}
	var out []fieldChange
	for k := range keys {
		id := snake(k)
		// Joined display fields repeat the person an id field names.
		if noise[id] || strings.HasSuffix(id, "_email") || strings.HasSuffix(id, "_name") {
			continue
		}
		b, a := display(id, before[k], ps), display(id, after[k], ps)
		if a == b || (before == nil && a == "") {
			continue
		}
		out = append(out, fieldChange{Field: fieldLabel(id), Before: clip(b), After: clip(a)})
	}
	slices.SortFunc(out, func(x, y fieldChange) int { return strings.Compare(x.Field, y.Field) })
	return out
}

// fieldLabel labels a field of an event: "owner_id" is the owner.
func fieldLabel(id string) string {
	if !isms.HasLabel(id) {
		if p, ok := strings.CutSuffix(id, "_id"); ok {
			return isms.Label(p)
		}
		if p, ok := strings.CutSuffix(id, "_ids"); ok {
			if strings.HasSuffix(p, "s") {
				return isms.Label(p) + "es"
			}
			return isms.Label(p) + "s"
		}
	}
	return isms.Label(id)
}

// snake turns the Go field names some events carry ("OwnerID") into the
// snake_case of the others ("owner_id").
func snake(k string) string {
	k = strings.ReplaceAll(k, "IDs", "Ids")
	var b strings.Builder
	rs := []rune(k)
	for i, r := range rs {
		upper := r >= 'A' && r <= 'Z'
		if upper && i > 0 && (rs[i-1] < 'A' || rs[i-1] > 'Z' || (i+1 < len(rs) && rs[i+1] >= 'a' && rs[i+1] <= 'z')) {
			b.WriteByte('_')
		}
		if upper {
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// personFields hold a person's user id.
var personFields = map[string]bool{"owner_id": true, "user_id": true, "lead_id": true, "chair_id": true, "actor_id": true}

// display shows a value: people by name, identifiers in words, lists
// joined; "" for nothing.
func display(id string, v any, ps people) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		if isms.HasLabel(x) && strings.Contains(x, "_") {
			return isms.Label(x)
		}
		if (id == "role" || id == "status" || id == "kind") && isms.HasLabel(x) {
			return isms.Label(x)
		}
		return x
	case bool:
		if x {
			return "yes"
		}
		return "no"
	case float64:
		if personFields[id] {
			if m, ok := ps[int64(x)]; ok {
				if m.Name != "" {
					return m.Name
				}
				return m.Email
			}
			if x == 0 {
				return ""
			}
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []any:
		parts := make([]string, 0, len(x))
		for _, p := range x {
			parts = append(parts, display(id, p, ps))
		}
		return strings.Join(parts, ", ")
	case map[string]any:
		// An import profile's columns, values or constants: "Left =
		// Employment ended; Manager = nothing", identifiers in words.
		parts := make([]string, 0, len(x))
		for _, k := range slices.Sorted(maps.Keys(x)) {
			w := display(id, x[k], ps)
			if w == "" {
				w = "nothing"
			}
			parts = append(parts, display(id, k, ps)+" = "+w)
		}
		return strings.Join(parts, "; ")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
