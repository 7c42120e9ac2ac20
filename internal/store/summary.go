package store

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"slices"
	"strings"
	"sync"
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
	layouts map[int64]*layoutReader
	values  []string
}

// layoutReader reads the keys from one layout's summaries.
type layoutReader struct {
	idx     []int // for each key: the value's index, -1 none, -2 left out
	leftOut bool  // a key's answer is left out: never read from the summary
	// The keys with a value, by the value's index: the values are
	// walked once, in order, up to the last one wanted.
	byField []fieldOf
}

type fieldOf struct{ field, key int }

// NewSummaryReader reads the answers to keys from summaries made under
// the layouts given (by id; a layout whose text does not give its id is
// ignored).
func NewSummaryReader(keys []string, layouts map[int64]string) *SummaryReader {
	sr := &SummaryReader{keys: keys, layouts: map[int64]*layoutReader{}, values: make([]string, len(keys))}
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
		lr := &layoutReader{idx: make([]int, len(keys))}
		for i, k := range keys {
			j, ok := at[k]
			if !ok || k == "" {
				j = -1
			}
			lr.idx[i] = j
			switch {
			case j == -2:
				lr.leftOut = true
			case j >= 0:
				lr.byField = append(lr.byField, fieldOf{field: j, key: i})
			}
		}
		slices.SortFunc(lr.byField, func(a, b fieldOf) int { return cmp.Compare(a.field, b.field) })
		sr.layouts[id] = lr
	}
	return sr
}

// Read returns the answers to the keys from one response's summary
// (values[i] the answer to keys[i], "" for none; the slice is reused), or
// false when the summary cannot give them all: none made, a layout not
// known, or a key's answer left out. values shares memory with vals.
func (sr *SummaryReader) Read(layout int64, vals string) ([]string, bool) {
	lr, ok := sr.layouts[layout]
	if !ok || lr.leftOut {
		return nil, false
	}
	for i, j := range lr.idx {
		if j == -1 {
			sr.values[i] = ""
		}
	}
	// One walk over the values, byte by byte: they are a character or
	// two each, too short for strings.IndexByte to pay for its call.
	field, start, i := 0, 0, 0
	for _, w := range lr.byField {
		for field < w.field {
			for i < len(vals) && vals[i] != summarySep {
				i++
			}
			if i == len(vals) {
				return nil, false // fewer values than its layout says
			}
			i++
			field, start = field+1, i
		}
		for i < len(vals) && vals[i] != summarySep {
			i++
		}
		sr.values[w.key] = vals[start:i]
	}
	return sr.values, true
}

// LayoutSet is the answer layouts a process knows are stored: a store
// writes a layout once, before or with the first response that has it,
// and need not again. Safe for use by several goroutines; id 0 (no
// layout) is never in it.
type LayoutSet struct{ m sync.Map }

// Has reports whether the layout id is known stored.
func (l *LayoutSet) Has(id int64) bool { _, ok := l.m.Load(id); return ok }

// Add records that the layout id is stored.
func (l *LayoutSet) Add(id int64) {
	if id != 0 {
		l.m.Store(id, true)
	}
}
