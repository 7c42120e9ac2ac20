package sqlite

import (
	"maps"
	"slices"
	"strconv"
	"strings"
)

// decodeFlat decodes the answers as encode writes them (json.Marshal of a
// map of strings: one flat object of string values) several times faster
// than encoding/json, which matters when an export reads every response.
// Anything it does not expect makes it give up (ok false), and decode falls
// back to encoding/json.
func decodeFlat(s string) (m map[string]string, ok bool) {
	if len(s) < 2 || s[0] != '{' || s[len(s)-1] != '}' {
		return nil, false
	}
	// A size hint: a map grown one answer at a time rehashes several
	// times, which was a quarter of reading a round. Every pair has `":"`
	// between key and value, and so may a value: a bound, near enough.
	m = make(map[string]string, strings.Count(s, `":"`))
	i := 1
	if s[i] == '}' {
		return m, i == len(s)-1
	}
	for {
		k, next, ok := flatString(s, i)
		if !ok || next >= len(s) || s[next] != ':' {
			return nil, false
		}
		v, next, ok := flatString(s, next+1)
		if !ok || next >= len(s) {
			return nil, false
		}
		m[k] = v
		switch s[next] {
		case ',':
			i = next + 1
		case '}':
			return m, next == len(s)-1
		default:
			return nil, false
		}
	}
}

// flatString reads the JSON string starting at s[i] and returns it and the
// index after it.
func flatString(s string, i int) (string, int, bool) {
	if i >= len(s) || s[i] != '"' {
		return "", 0, false
	}
	escaped := false
	j := i + 1
	for j < len(s) && s[j] != '"' {
		if s[j] == '\\' {
			escaped = true
			j++
		} else if s[j] < 0x20 {
			return "", 0, false
		}
		j++
	}
	if j >= len(s) {
		return "", 0, false
	}
	if !escaped {
		return s[i+1 : j], j + 1, true
	}
	u, err := strconv.Unquote(s[i : j+1])
	if err != nil {
		return "", 0, false
	}
	return u, j + 1, true
}

// picker finds the answers to some keys in answers as encode writes
// them, with no map made: for readers of every response that need a few
// answers of each.
type picker struct {
	sorted []string // the keys, sorted, each once
	at     [][]int  // for each, where it goes in values
}

func newPicker(keys []string) *picker {
	p := &picker{}
	byKey := map[string][]int{}
	for i, k := range keys {
		if k != "" {
			byKey[k] = append(byKey[k], i)
		}
	}
	p.sorted = slices.Sorted(maps.Keys(byKey))
	for _, k := range p.sorted {
		p.at = append(p.at, byKey[k])
	}
	return p
}

// pick fills values (all "" to begin with) with the answers to the keys,
// substrings of s where they hold no escapes. json.Marshal writes a map's
// keys in order, so the keys wanted are found by walking both in order;
// a key out of order is looked for from the start. ok is false where
// decodeFlat would give up.
func (p *picker) pick(s string, values []string) (ok bool) {
	if len(s) < 2 || s[0] != '{' || s[len(s)-1] != '}' {
		return false
	}
	i := 1
	if s[i] == '}' {
		return i == len(s)-1
	}
	j, last := 0, ""
	for {
		k, next, ok := flatString(s, i)
		if !ok || next >= len(s) || s[next] != ':' {
			return false
		}
		v, next, ok := flatString(s, next+1)
		if !ok || next >= len(s) {
			return false
		}
		if k < last {
			j = 0
		}
		last = k
		for j < len(p.sorted) && p.sorted[j] < k {
			j++
		}
		if j < len(p.sorted) && p.sorted[j] == k {
			for _, at := range p.at[j] {
				values[at] = v
			}
		}
		switch s[next] {
		case ',':
			i = next + 1
		case '}':
			return next == len(s)-1
		default:
			return false
		}
	}
}
