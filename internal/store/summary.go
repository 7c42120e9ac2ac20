package store

import (
	"crypto/sha256"
	"encoding/binary"
	"slices"
	"strings"
)

// A response's closed answers are kept beside it, as it is stored, for
// the readers of a few answers of every response (the paired comparison,
// report.EachAnswers): a layout, the response's answer keys, sorted, kept
// once per store however many responses share it, and the values, in the
// layout's order. At about 150 bytes a response against 1.5 KB for its
// whole answers, reading them is a tenth of reading the answers.
//
// Only answers that look like a closed question's are kept: an option's
// value, several joined by spaces, a level's or a number (lowercase
// letters, digits, "-", "_", "." and spaces, 200 bytes at most). Another
// answer (free text, in the main) is left out, and the layout marks its
// key as left out: a reader that needs it reads the response's answers.
// So the summary gives, for any key, the answer the whole answers give or
// says it cannot, whatever the survey and its version: it is the stored
// answers, not figures derived from them under some rule. It is erased
// with the response.

// SummaryOf returns a response's layout (its id, and the keys) and the
// values of its closed answers; id 0 when it has none to keep (answer
// keys a layout cannot hold).
func SummaryOf(answers map[string]string) (id int64, layout, values string) {
	keys := make([]string, 0, len(answers))
	for k := range answers {
		if k == "" || strings.ContainsFunc(k, func(r rune) bool { return r < 0x20 }) {
			return 0, "", ""
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var lb, vb strings.Builder
	first := true
	for i, k := range keys {
		if i > 0 {
			lb.WriteByte(summarySep)
		}
		v := answers[k]
		if !closedValue(v) {
			lb.WriteByte(leftOut)
			lb.WriteString(k)
			continue
		}
		lb.WriteString(k)
		if !first {
			vb.WriteByte(summarySep)
		}
		first = false
		vb.WriteString(v)
	}
	layout = lb.String()
	return LayoutID(layout), layout, vb.String()
}

const (
	summarySep = 0x1f // between keys, and between values
	leftOut    = 0x01 // before a key whose answer is not kept
)

// closedValue says whether an answer looks like a closed question's.
func closedValue(v string) bool {
	if len(v) > 200 {
		return false
	}
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_', c == '.', c == ' ':
		default:
			return false
		}
	}
	return true
}

// LayoutID is a layout's id: the first 8 bytes of its SHA-256, never 0.
func LayoutID(layout string) int64 {
	sum := sha256.Sum256([]byte(layout))
	id := int64(binary.BigEndian.Uint64(sum[:8]) &^ (1 << 63))
	if id == 0 {
		id = 1
	}
	return id
}

// SummaryReader reads the answers to some keys from summaries.
type SummaryReader struct {
	keys    []string
	layouts map[int64][]int // by layout, for each key: the value's index, -1 none, -2 left out
	values  []string
	fields  []string
}

// NewSummaryReader reads the answers to keys from summaries made under
// the layouts given (by id; a layout whose text does not give its id is
// ignored).
func NewSummaryReader(keys []string, layouts map[int64]string) *SummaryReader {
	sr := &SummaryReader{keys: keys, layouts: map[int64][]int{}, values: make([]string, len(keys))}
	for id, text := range layouts {
		if LayoutID(text) != id {
			continue
		}
		at := map[string]int{}
		n := 0
		for _, k := range strings.Split(text, string(rune(summarySep))) {
			if k != "" && k[0] == leftOut {
				at[k[1:]] = -2
				continue
			}
			at[k] = n
			n++
		}
		idx := make([]int, len(keys))
		for i, k := range keys {
			j, ok := at[k]
			if !ok || k == "" {
				j = -1
			}
			idx[i] = j
		}
		sr.layouts[id] = idx
	}
	return sr
}

// Read returns the answers to the keys from one response's summary
// (values[i] the answer to keys[i], "" for none; the slice is reused), or
// false when the summary cannot give them all: none made, a layout not
// known, or a key's answer left out. values shares memory with vals.
func (sr *SummaryReader) Read(layout int64, vals string) ([]string, bool) {
	idx, ok := sr.layouts[layout]
	if !ok {
		return nil, false
	}
	sr.fields = sr.fields[:0]
	for len(vals) > 0 || len(sr.fields) == 0 {
		i := strings.IndexByte(vals, summarySep)
		if i < 0 {
			sr.fields = append(sr.fields, vals)
			break
		}
		sr.fields = append(sr.fields, vals[:i])
		vals = vals[i+1:]
		if len(vals) == 0 {
			sr.fields = append(sr.fields, "")
		}
	}
	for i, j := range idx {
		switch {
		case j == -2:
			return nil, false
		case j == -1:
			sr.values[i] = ""
		case j < len(sr.fields):
			sr.values[i] = sr.fields[j]
		default:
			return nil, false // not as its layout says
		}
	}
	return sr.values, true
}
