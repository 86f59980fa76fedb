package web_test

import (
	"fmt"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The colour tokens of pdca.css follow a naming convention that says
// what each colour is drawn on (see the head of pdca.css and docs/ui.md);
// these tests hold the stylesheet to WCAG 2.1 AA with it.

// cssTokens returns the custom properties of the first :root block of css,
// with var() references resolved, and the stylesheet after that block.
func cssTokens(t *testing.T, css string) (map[string]string, string) {
	t.Helper()
	css = regexp.MustCompile(`(?s)/\*.*?\*/`).ReplaceAllString(css, "")
	start := strings.Index(css, ":root")
	open := strings.Index(css[start:], "{") + start
	end := strings.Index(css[open:], "}") + open
	if start < 0 || open < start || end < open {
		t.Fatal("pdca.css has no :root block")
	}
	tokens := map[string]string{}
	for _, decl := range strings.Split(css[open+1:end], ";") {
		name, val, ok := strings.Cut(decl, ":")
		if name = strings.TrimSpace(name); ok && strings.HasPrefix(name, "--") {
			tokens[name] = strings.TrimSpace(val)
		}
	}
	ref := regexp.MustCompile(`^var\((--[\w-]+)\)$`)
	for name := range tokens {
		for range 10 {
			m := ref.FindStringSubmatch(tokens[name])
			if m == nil {
				break
			}
			tokens[name] = tokens[m[1]]
		}
	}
	return tokens, css[end+1:]
}

// luminance is the relative luminance of a #rgb or #rrggbb colour.
func luminance(hex string) (float64, error) {
	h := strings.TrimPrefix(hex, "#")
	if len(h) == 3 {
		h = string([]byte{h[0], h[0], h[1], h[1], h[2], h[2]})
	}
	if len(h) != 6 || !strings.HasPrefix(hex, "#") {
		return 0, fmt.Errorf("%q is not a #rrggbb colour", hex)
	}
	var l [3]float64
	for i := range 3 {
		v, err := strconv.ParseUint(h[2*i:2*i+2], 16, 8)
		if err != nil {
			return 0, fmt.Errorf("%q: %w", hex, err)
		}
		c := float64(v) / 255
		if c <= 0.04045 {
			l[i] = c / 12.92
		} else {
			l[i] = math.Pow((c+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*l[0] + 0.7152*l[1] + 0.0722*l[2], nil
}

// contrast is the WCAG contrast ratio of two colours.
func contrast(a, b string) (float64, error) {
	la, err := luminance(a)
	if err != nil {
		return 0, err
	}
	lb, err := luminance(b)
	if err != nil {
		return 0, err
	}
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05), nil
}

func TestContrastRatio(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want float64
	}{{"#000", "#fff", 21}, {"#fff", "#fff", 1}, {"#777", "#fff", 4.48}, {"#1f5fbf", "#ffffff", 6.09}} {
		got, err := contrast(c.a, c.b)
		if err != nil || math.Abs(got-c.want) > 0.01 {
			t.Errorf("contrast(%s, %s) = %.2f, %v; want %.2f", c.a, c.b, got, err, c.want)
		}
	}
}

// TestStylesheetContrast checks the colour tokens of pdca.css for WCAG AA:
// every text colour (--text-*) on every surface (--surface-*) at least
// 4.5:1; the text on each fill (--on-X on --fill-X: status pills, buttons,
// risk levels) at least 4.5:1; every colour of a border, bar or focus ring
// (--ui-*: field borders, red/yellow/green marks) on every surface at least
// 3:1. It also checks that the rest of the stylesheet uses the tokens: no
// colour literal outside :root.
func TestStylesheetContrast(t *testing.T) {
	b, err := os.ReadFile("static/pdca.css")
	if err != nil {
		t.Fatal(err)
	}
	tokens, rest := cssTokens(t, string(b))
	var surfaces, texts, uis, fills []string
	for name := range tokens {
		switch {
		case strings.HasPrefix(name, "--surface-"):
			surfaces = append(surfaces, name)
		case strings.HasPrefix(name, "--text-"):
			texts = append(texts, name)
		case strings.HasPrefix(name, "--ui-"):
			uis = append(uis, name)
		case strings.HasPrefix(name, "--fill-"):
			fills = append(fills, name)
		}
	}
	if len(surfaces) < 2 || len(texts) < 3 || len(uis) < 4 || len(fills) < 4 {
		t.Fatalf("too few tokens: surfaces %v, texts %v, ui %v, fills %v", surfaces, texts, uis, fills)
	}
	check := func(fg, bg string, least float64) {
		t.Helper()
		r, err := contrast(tokens[fg], tokens[bg])
		if err != nil {
			t.Errorf("%s on %s: %v", fg, bg, err)
		} else if r < least {
			t.Errorf("%s (%s) on %s (%s): contrast %.2f, want at least %.1f", fg, tokens[fg], bg, tokens[bg], r, least)
		}
	}
	for _, s := range surfaces {
		for _, x := range texts {
			check(x, s, 4.5)
		}
		for _, x := range uis {
			check(x, s, 3)
		}
	}
	for _, f := range fills {
		on := "--on-" + strings.TrimPrefix(f, "--fill-")
		if _, ok := tokens[on]; !ok {
			t.Errorf("%s has no %s: say which colour text on it has", f, on)
			continue
		}
		check(on, f, 4.5)
	}
	for _, name := range []string{"--text-link", "--text-bad", "--ui-red", "--ui-yellow", "--ui-green", "--ui-control", "--ui-focus"} {
		if _, ok := tokens[name]; !ok {
			t.Errorf("pdca.css lacks the token %s", name)
		}
	}
	literal := regexp.MustCompile(`#[0-9a-fA-F]{3,8}\b|\b(rgb|rgba|hsl|hsla)\(`)
	for i, line := range strings.Split(rest, "\n") {
		if m := literal.FindString(line); m != "" {
			t.Errorf("pdca.css after :root, line %d: colour %q; use a token", i+1, m)
		}
	}
}
