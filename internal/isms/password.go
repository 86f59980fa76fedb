package isms

import (
	_ "embed"
	"strings"
	"sync"
)

// commonPasswords is the 10,000 most frequent passwords of the list that
// zxcvbn ships (data/passwords.txt of github.com/trustelem/zxcvbn v1.0.1,
// the Go port of Dropbox's zxcvbn, whose list comes from Xato's ten
// million leaked passwords), lower-cased, one a line, most frequent first.
// Reproduce it with:
//
//	awk '{print tolower($1)}' $(go env GOMODCACHE)/github.com/trustelem/zxcvbn@v1.0.1/data/passwords.txt |
//	  awk '!seen[$0]++' | head -10000
//
//go:embed common_passwords.txt
var commonPasswords string

var (
	commonOnce sync.Once
	commonSet  map[string]struct{}
)

// isCommonPassword reports whether the lower-cased password is on the list.
func isCommonPassword(lower string) bool {
	commonOnce.Do(func() {
		lines := strings.Split(strings.TrimSpace(commonPasswords), "\n")
		commonSet = make(map[string]struct{}, len(lines))
		for _, l := range lines {
			commonSet[l] = struct{}{}
		}
	})
	_, ok := commonSet[lower]
	return ok
}

// repeated reports whether s is one sequence of at most half its length
// repeated: "aaaaaaaaaaaa", "abcabcabcabc", "passwordpassword".
func repeated(s string) bool {
	r := []rune(s)
	for n := 1; n <= len(r)/2; n++ {
		if len(r)%n != 0 {
			continue
		}
		unit := string(r[:n])
		if strings.Repeat(unit, len(r)/n) == s {
			return true
		}
	}
	return false
}
