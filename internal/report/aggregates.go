package report

import (
	"bufio"
	"encoding/csv"
	"io"
	"slices"
	"strconv"
)

// Aggregates are a comparison's figures for the JSON API and the CSV of
// aggregates. They are made from a Comparison, which has already hidden
// every suppressed group (see Suppress), so they show exactly what the
// page shows: a suppressed round has no figures at all, only
// "suppressed": true.
type Aggregates struct {
	Survey       string            `json:"survey"`
	MinGroupSize int               `json:"min_group_size"`
	Filters      map[string]string `json:"filters"`
	Rounds       []AggregateRound  `json:"rounds"`
	Strands      []AggregateStrand `json:"strands"`
}

// AggregateRound is one round: its number of responses unless suppressed.
type AggregateRound struct {
	ID         string `json:"id"`
	Label      string `json:"label"`
	Responses  *int   `json:"responses,omitempty"`
	Suppressed bool   `json:"suppressed"`
}

// AggregateStrand is one strand's figures in each round, the change and
// its test, and each statement's answers.
type AggregateStrand struct {
	ID         string               `json:"id"`
	Title      string               `json:"title"`
	Rounds     []*AggregateFigures  `json:"rounds"` // null where suppressed
	Change     *AggregateChange     `json:"change,omitempty"`
	Statements []AggregateStatement `json:"statements"`
}

// AggregateFigures are the scored ratings, their mean and median.
type AggregateFigures struct {
	Scored int      `json:"scored"`
	Mean   *float64 `json:"mean"`
	Median *float64 `json:"median"`
}

// AggregateChange is the change from the first to the last round.
type AggregateChange struct {
	Change         float64  `json:"change"`
	Low            *float64 `json:"ci95_low,omitempty"`
	High           *float64 `json:"ci95_high,omitempty"`
	P              *float64 `json:"mann_whitney_p,omitempty"`
	MoreThanChance bool     `json:"more_than_chance"`
}

// AggregateStatement is one statement's answers in each round, by answer
// value (Don't know and Not applicable included); null where suppressed.
type AggregateStatement struct {
	ID     string                     `json:"id"`
	Text   string                     `json:"text"`
	Rounds []*AggregateStatementRound `json:"rounds"`
}

// AggregateStatementRound is a statement's answers in one round.
type AggregateStatementRound struct {
	Counts map[string]int `json:"counts"`
	AggregateFigures
}

func figuresOf(f Figures) AggregateFigures {
	a := AggregateFigures{Scored: f.Scored}
	if f.Scored > 0 {
		m, md := f.Mean, f.Median
		a.Mean, a.Median = &m, &md
	}
	return a
}

// Aggregates returns the comparison's figures for export.
func (c *Comparison) Aggregates(surveyID string, minGroup int, filters map[string]string) Aggregates {
	if filters == nil {
		filters = map[string]string{}
	}
	a := Aggregates{Survey: surveyID, MinGroupSize: minGroup, Filters: filters}
	for _, r := range c.Rounds {
		ar := AggregateRound{ID: r.Round.ID, Label: r.Round.Label, Suppressed: r.Suppressed}
		if !r.Suppressed {
			n := r.Responses
			ar.Responses = &n
		}
		a.Rounds = append(a.Rounds, ar)
	}
	for i, s := range c.Strands {
		as := AggregateStrand{ID: s.Section.ID, Title: s.Section.Title, Rounds: make([]*AggregateFigures, len(c.Rounds))}
		for j, r := range c.Rounds {
			if !r.Suppressed {
				f := figuresOf(s.Figures[j])
				as.Rounds[j] = &f
			}
		}
		if t := s.Test; t != nil {
			ch := &AggregateChange{Change: t.Change, MoreThanChance: t.MoreThanChance}
			if t.Mean.Computable {
				lo, hi := t.Mean.Low, t.Mean.High
				ch.Low, ch.High = &lo, &hi
			}
			if t.Rank.Computable {
				p := t.Rank.P
				ch.P = &p
			}
			as.Change = ch
		}
		sd := c.Sections[i]
		for _, row := range sd.Rows {
			st := AggregateStatement{ID: row.Statement.ID, Text: row.Statement.Text, Rounds: make([]*AggregateStatementRound, len(c.Rounds))}
			for j, r := range c.Rounds {
				if r.Suppressed || row.Rounds[j].Counts == nil {
					continue
				}
				sr := &AggregateStatementRound{Counts: map[string]int{}, AggregateFigures: figuresOf(row.Rounds[j].Figures)}
				for k, v := range sd.Values {
					sr.Counts[v] = row.Rounds[j].Counts[k]
				}
				st.Rounds[j] = sr
			}
			as.Statements = append(as.Statements, st)
		}
		a.Strands = append(a.Strands, as)
	}
	return a
}

// WriteAggregatesCSV writes aggregates as CSV, one figure a row (round,
// strand, statement, measure, value), UTF-8 with a byte-order mark so that
// Excel reads it. A suppressed round has one row saying so and no figures.
func WriteAggregatesCSV(w io.Writer, a Aggregates) error {
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString("\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(bw)
	write := func(cells ...string) {
		for i, c := range cells {
			cells[i] = SafeCell(c)
		}
		cw.Write(cells) // errors are kept by the writer, checked below
	}
	num := func(f float64) string { return strconv.FormatFloat(f, 'f', 4, 64) }
	write("round", "strand", "statement", "measure", "value")
	for i, r := range a.Rounds {
		if r.Suppressed {
			write(r.ID, "", "", "suppressed", "fewer than "+strconv.Itoa(a.MinGroupSize)+" responses, or hidden to protect a smaller group")
			continue
		}
		write(r.ID, "", "", "responses", strconv.Itoa(*r.Responses))
		for _, s := range a.Strands {
			if f := s.Rounds[i]; f != nil {
				write(r.ID, s.ID, "", "scored", strconv.Itoa(f.Scored))
				if f.Mean != nil {
					write(r.ID, s.ID, "", "mean", num(*f.Mean))
					write(r.ID, s.ID, "", "median", num(*f.Median))
				}
			}
			for _, st := range s.Statements {
				sr := st.Rounds[i]
				if sr == nil {
					continue
				}
				for _, v := range sortedKeys(sr.Counts) {
					write(r.ID, s.ID, st.ID, "count:"+v, strconv.Itoa(sr.Counts[v]))
				}
				if sr.Mean != nil {
					write(r.ID, s.ID, st.ID, "mean", num(*sr.Mean))
				}
			}
		}
	}
	for _, s := range a.Strands {
		if ch := s.Change; ch != nil {
			from, to := a.Rounds[0].ID, a.Rounds[len(a.Rounds)-1].ID
			write(from+" to "+to, s.ID, "", "change", num(ch.Change))
			if ch.Low != nil {
				write(from+" to "+to, s.ID, "", "ci95_low", num(*ch.Low))
				write(from+" to "+to, s.ID, "", "ci95_high", num(*ch.High))
			}
			if ch.P != nil {
				write(from+" to "+to, s.ID, "", "mann_whitney_p", num(*ch.P))
			}
			write(from+" to "+to, s.ID, "", "more_than_chance", strconv.FormatBool(ch.MoreThanChance))
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
