package survey

import (
	"slices"
	"strconv"
	"strings"
)

// Counted returns the closed questions reports count besides the rated
// items: every choice, yes-no, multiple-choice and number question, the
// breakdown questions included, in survey order. Text is never counted.
func (d *Definition) Counted() []*Question {
	var out []*Question
	for _, s := range d.Sections {
		for _, q := range s.Questions {
			if spec := q.Spec(); spec.Options || spec.Number {
				out = append(out, q)
			}
		}
	}
	return out
}

// AnswerOptions are the answers a choice, yes-no or multiple-choice
// question counts, in order: its options, then "none of these" and
// "prefer not to say" where it has them.
func (q *Question) AnswerOptions() []Option {
	out := slices.Clip(q.Options)
	if q.Spec().Multiple && q.None != "" {
		out = append(out, Option{Value: NoneOfThese, Label: q.None})
	}
	if q.PreferNotToSay {
		out = append(out, Option{Value: PreferNotToSay, Label: Message("en", "prefer-not-to-say")})
	}
	return out
}

// Choice is one option of a multiple-choice question: reports count the
// people who chose it as a group of their own (see package disclosure),
// since one person may choose several.
type Choice struct{ Key, Value string }

// Choosable lists every option of every multiple-choice question, in
// survey order.
func (d *Definition) Choosable() []Choice {
	var out []Choice
	for _, q := range d.Counted() {
		if !q.Spec().Multiple {
			continue
		}
		for _, o := range q.AnswerOptions() {
			out = append(out, Choice{q.ID, o.Value})
		}
	}
	return out
}

// Chose reports whether a multiple-choice answer includes a value.
func Chose(answer, value string) bool { return slices.Contains(Choices(answer), value) }

// Number reads a stored number answer ("1,200" as 1200).
func Number(raw string) (int, bool) {
	n, err := strconv.Atoi(strings.ReplaceAll(raw, ",", ""))
	return n, err == nil
}

// Valid reports whether a stored answer is one of its question's values:
// an answer that is not (9 on a 1 to 5 scale, an option the survey does
// not have) is counted apart, never as if it were true. Text answers are
// always valid; keys of no question are not.
func (d *Definition) Valid(key, raw string) bool {
	q, _, ok := d.QuestionOf(key)
	return ok && d.ValidFor(q, raw)
}

// ValidFor is Valid for an answer to a known question.
func (d *Definition) ValidFor(q *Question, raw string) bool {
	if q.PreferNotToSay && raw == PreferNotToSay {
		return true
	}
	switch spec := q.Spec(); {
	case spec.Rated:
		s := d.ScaleOf(q)
		return s != nil && s.Valid(raw)
	case spec.Options && !spec.Multiple:
		return q.OptionLabel(raw) != ""
	case spec.Multiple:
		chosen := Choices(raw)
		seen := map[string]bool{}
		for _, c := range chosen {
			if seen[c] || !(q.OptionLabel(c) != "" || c == NoneOfThese && q.None != "") {
				return false
			}
			seen[c] = true
		}
		return len(chosen) > 0 && !(len(chosen) > 1 && seen[NoneOfThese])
	case spec.Number:
		n, ok := Number(raw)
		return ok && (q.Min == nil || n >= *q.Min) && (q.Max == nil || n <= *q.Max)
	}
	return true
}

// Band is one band a number's answers are counted in: From to To
// inclusive; To is nil for the last, open band.
type Band struct {
	From int
	To   *int
}

// Label is the band as a reader reads it: "0", "1 to 2", "21 or more".
func (b Band) Label() string {
	switch {
	case b.To == nil:
		return strconv.Itoa(b.From) + " or more"
	case *b.To == b.From:
		return strconv.Itoa(b.From)
	}
	return strconv.Itoa(b.From) + " to " + strconv.Itoa(*b.To)
}

// Value is the band's id in exports: "1-2", "21+".
func (b Band) Value() string {
	switch {
	case b.To == nil:
		return strconv.Itoa(b.From) + "+"
	case *b.To == b.From:
		return strconv.Itoa(b.From)
	}
	return strconv.Itoa(b.From) + "-" + strconv.Itoa(*b.To)
}

// Holds reports whether n is in the band.
func (b Band) Holds(n int) bool { return n >= b.From && (b.To == nil || n <= *b.To) }

// DefaultBands begin at a number question's min (0 without one), then
// 1, 3, 6, 11 and 21 above it, as far as its max.
var DefaultBands = []int{0, 1, 3, 6, 11, 21}

// NumberBands are the bands a number question's answers are counted in.
func (q *Question) NumberBands() []Band {
	starts := q.Bands
	if len(starts) == 0 {
		base := 0
		if q.Min != nil {
			base = *q.Min
		}
		for _, s := range DefaultBands {
			if q.Max == nil || base+s <= *q.Max {
				starts = append(starts, base+s)
			}
		}
	}
	out := make([]Band, len(starts))
	for i, s := range starts {
		out[i].From = s
		if i+1 < len(starts) {
			to := starts[i+1] - 1
			out[i].To = &to
		} else if q.Max != nil && *q.Max == s {
			to := s
			out[i].To = &to
		}
	}
	return out
}
