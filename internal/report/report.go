// Package report turns stored responses into the figures the Trust Board
// reads: per strand and per statement, round against round, with groups too
// small to show suppressed. It knows nothing of HTTP.
package report

import (
	"fmt"
	"strconv"

	"iwtoolkit/internal/survey"
)

// Tally counts the answers of one round. It is built by adding responses
// one at a time, so a report never holds the responses themselves.
type Tally struct {
	Responses int
	counts    map[string]map[string]int // statement ID → answer value → count
}

// NewTally returns an empty tally.
func NewTally() *Tally { return &Tally{counts: map[string]map[string]int{}} }

// Add counts one response.
func (t *Tally) Add(r survey.Response) {
	t.Responses++
	for id, v := range r.Answers {
		m := t.counts[id]
		if m == nil {
			m = map[string]int{}
			t.counts[id] = m
		}
		m[v]++
	}
}

// FromCounts makes a tally from counts kept elsewhere (a store's tallies):
// the number of responses and, by answer key and value, how many gave it.
func FromCounts(responses int, answers map[string]map[string]int) *Tally {
	if answers == nil {
		answers = map[string]map[string]int{}
	}
	return &Tally{Responses: responses, counts: answers}
}

// Count returns how many answered value to a statement.
func (t *Tally) Count(statement, value string) int { return t.counts[statement][value] }

// Figures are the scored answers (levels, not Don't know or Not applicable)
// to one statement or strand in one round.
type Figures struct {
	// Hidden is set where the group is hidden: too few people were asked,
	// or it protects a smaller group. Nothing else is set then.
	Hidden bool
	Scored int     // answers on the scale, rounded as the survey asks
	Mean   float64 // mean level of the scored answers
	Median float64
	exact  int // Scored before rounding
}

// Why says why hidden figures are not shown. It reads the same whatever
// the reason, so that it does not tell which side of the minimum the group
// is.
func (f Figures) Why(min int) string {
	return fmt.Sprintf("not shown: fewer than %d people were asked this, or hidden to protect a smaller group", min)
}

// figures computes Figures over the given statements of a scale.
func (t *Tally) figures(scale *survey.Scale, statements []survey.Statement) Figures {
	var f Figures
	var sum int
	byLevel := make([]int, len(scale.Levels))
	for _, st := range statements {
		for i, l := range scale.Levels {
			n := t.counts[st.ID][strconv.Itoa(l.Value)]
			byLevel[i] += n
			f.Scored += n
			sum += n * l.Value
		}
	}
	if f.Scored == 0 {
		return f
	}
	f.Mean = float64(sum) / float64(f.Scored)
	f.Median = median(scale.Levels, byLevel, f.Scored)
	return f
}

// median of answers given as counts per level: the middle answer, or the
// mean of the two middle answers when the count is even.
func median(levels []survey.Level, counts []int, n int) float64 {
	at := func(k int) int { // the value of the k-th answer (0-based) in order
		for i, c := range counts {
			if k < c {
				return levels[i].Value
			}
			k -= c
		}
		return levels[len(levels)-1].Value
	}
	if n%2 == 1 {
		return float64(at(n / 2))
	}
	return float64(at(n/2-1)+at(n/2)) / 2
}
