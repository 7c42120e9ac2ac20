package report

import (
	"bufio"
	"encoding/csv"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"iwtoolkit/internal/survey"
)

// Aggregates are a comparison's figures for the JSON API and the CSV of
// aggregates. They are made from a Comparison, which holds only what the
// round's publication shows, so they show exactly what the page shows: a
// hidden group has no figures at all, only "suppressed": true, and a
// strand hidden in a shown round is null.
type Aggregates struct {
	Survey       string            `json:"survey"`
	MinGroupSize int               `json:"min_group_size"`
	RoundedTo    int               `json:"counts_rounded_to,omitempty"`
	Filters      map[string]string `json:"filters"`
	Rounds       []AggregateRound  `json:"rounds"`
	Strands      []AggregateStrand `json:"strands"`
	// Questions are every closed question's answers (QuestionDetail).
	Questions []AggregateQuestion `json:"questions"`
	// Indicators are the survey file's indicators (IndicatorDetail).
	Indicators []AggregateIndicator `json:"indicators"`
}

// AggregateIndicator is one indicator: a reaches indicator's groups, or a
// demand indicator's questions.
type AggregateIndicator struct {
	ID     string                    `json:"id"`
	Type   string                    `json:"type"`
	Title  string                    `json:"title"`
	Groups []AggregateIndicatorGroup `json:"groups,omitempty"`
	Demand []AggregateDemand         `json:"demand,omitempty"`
}

// AggregateIndicatorGroup is one group of a reaches indicator in each
// round (null where hidden), and the change between the first and last.
type AggregateIndicatorGroup struct {
	Label  string                     `json:"label"`
	Filter map[string]string          `json:"filter"`
	Rounds []*AggregateIndicatorRound `json:"rounds"`
	Change *AggregateChange           `json:"change,omitempty"`
}

// AggregateIndicatorRound is a reaches indicator's outcomes in one round:
// the share is of those who reached the level or did not; those counted
// apart ("not sure") are not in it.
type AggregateIndicatorRound struct {
	Reached    int      `json:"reached"`
	NotReached int      `json:"not_reached"`
	Apart      int      `json:"apart"`
	Share      *float64 `json:"share"`
	Low        *float64 `json:"ci95_low,omitempty"`
	High       *float64 `json:"ci95_high,omitempty"`
}

// AggregateDemand is one question of a demand indicator: its options in
// order of demand, and each group's answers.
type AggregateDemand struct {
	ID     string                 `json:"id"`
	Text   string                 `json:"text"`
	Ranked []AggregateValue       `json:"ranked"`
	Groups []AggregateDemandGroup `json:"groups"`
}

// AggregateDemandGroup is one group's answers to a demand question, by
// round (null where hidden).
type AggregateDemandGroup struct {
	Label  string                    `json:"label"`
	Filter map[string]string         `json:"filter"`
	Rounds []*AggregateQuestionRound `json:"rounds"`
}

// AggregateQuestion is one closed question's answers in each round: null
// where the group asked it is hidden.
type AggregateQuestion struct {
	ID      string                    `json:"id"`
	Section string                    `json:"section"`
	Text    string                    `json:"text"`
	Type    string                    `json:"type"`
	Values  []AggregateValue          `json:"values"`
	Rounds  []*AggregateQuestionRound `json:"rounds"`
}

// AggregateValue is one row of a question: an answer, or a number's band.
type AggregateValue struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// AggregateQuestionRound is a question's answers in one round. Counts
// are by value, null where hidden (a multiple choice's option chosen by
// few, or by all but a few); shares are of base: the people asked a
// multiple choice, those who answered any other.
type AggregateQuestionRound struct {
	Base   int             `json:"base"`
	Counts map[string]*int `json:"counts"`
	// Quartiles of a number: where at least the minimum answered.
	LowerQuartile *float64 `json:"lower_quartile,omitempty"`
	Median        *float64 `json:"median,omitempty"`
	UpperQuartile *float64 `json:"upper_quartile,omitempty"`
}

// AggregateRound is one round: its number of responses unless suppressed.
type AggregateRound struct {
	ID         string `json:"id"`
	Label      string `json:"label"`
	Responses  *int   `json:"responses,omitempty"`
	Suppressed bool   `json:"suppressed"`
	// AsOf is when the figures were made (RFC 3339), once, when the round
	// closed.
	AsOf string `json:"figures_as_of,omitempty"`
	// Open is set for a round still open: its figures are published when
	// it closes, and none are given until then.
	Open bool `json:"open,omitempty"`
}

// AggregateStrand is one strand's figures in each round, the change and
// its test, and each statement's answers.
type AggregateStrand struct {
	ID         string               `json:"id"`
	Title      string               `json:"title"`
	Rounds     []*AggregateFigures  `json:"rounds"` // null where hidden
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
// value (Don't know and Not applicable included); null where hidden.
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
	if f.exact > 0 {
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
	a := Aggregates{Survey: surveyID, MinGroupSize: minGroup, RoundedTo: c.rounding, Filters: filters}
	for _, r := range c.Rounds {
		ar := AggregateRound{ID: r.Round.ID, Label: r.Round.Label, Suppressed: r.Suppressed, Open: r.Open()}
		if !r.Suppressed {
			n := r.Responses
			ar.Responses = &n
		}
		if !r.AsOf.IsZero() {
			ar.AsOf = r.AsOf.UTC().Format(time.RFC3339)
		}
		a.Rounds = append(a.Rounds, ar)
	}
	for i, s := range c.Strands {
		as := AggregateStrand{ID: s.Section.ID, Title: s.Section.Title, Rounds: make([]*AggregateFigures, len(c.Rounds))}
		for j := range c.Rounds {
			if !s.Figures[j].Hidden {
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
			for j := range c.Rounds {
				if row.Rounds[j].Hidden {
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
	for _, qd := range c.Questions {
		aq := AggregateQuestion{ID: qd.Question.ID, Section: qd.Section.ID, Text: qd.Question.Text, Type: qd.Question.Type,
			Rounds: make([]*AggregateQuestionRound, len(c.Rounds))}
		for _, v := range qd.Values {
			aq.Values = append(aq.Values, AggregateValue{v.Value, v.Label})
		}
		for j, r := range qd.Rounds {
			if r.Hidden {
				continue
			}
			ar := &AggregateQuestionRound{Base: r.Base, Counts: map[string]*int{}}
			for k, v := range qd.Values {
				if r.Shown[k] {
					n := r.Counts[k]
					ar.Counts[v.Value] = &n
				} else {
					ar.Counts[v.Value] = nil
				}
			}
			if q := r.Quartiles; q != nil {
				ar.LowerQuartile, ar.Median, ar.UpperQuartile = &q[0], &q[1], &q[2]
			}
			aq.Rounds[j] = ar
		}
		a.Questions = append(a.Questions, aq)
	}
	for _, in := range c.Indicators {
		ai := AggregateIndicator{ID: in.Indicator.ID, Type: in.Indicator.Type, Title: in.Indicator.Title}
		for _, row := range in.Rows {
			g := AggregateIndicatorGroup{Label: row.Label, Filter: row.Filter, Rounds: make([]*AggregateIndicatorRound, len(row.Rounds))}
			for j, r := range row.Rounds {
				if r.Hidden {
					continue
				}
				ar := &AggregateIndicatorRound{Reached: r.Reached, NotReached: r.NotReached, Apart: r.Apart}
				if r.Counted() > 0 {
					share, lo, hi := r.Share, r.Low, r.High
					ar.Share, ar.Low, ar.High = &share, &lo, &hi
				}
				g.Rounds[j] = ar
			}
			if ch := row.Change; ch != nil {
				g.Change = &AggregateChange{Change: ch.Change, MoreThanChance: ch.MoreThanChance}
				if ch.Mean.Computable {
					lo, hi := ch.Mean.Low, ch.Mean.High
					g.Change.Low, g.Change.High = &lo, &hi
				}
				if ch.Rank.Computable {
					p := ch.Rank.P
					g.Change.P = &p
				}
			}
			ai.Groups = append(ai.Groups, g)
		}
		for _, dq := range in.Demand {
			ad := AggregateDemand{ID: dq.Question.ID, Text: dq.Question.Text}
			for _, j := range dq.Order {
				ad.Ranked = append(ad.Ranked, AggregateValue{dq.Values[j].Value, dq.Values[j].Label})
			}
			for _, g := range dq.Groups {
				ag := AggregateDemandGroup{Label: g.Label, Filter: g.Filter, Rounds: make([]*AggregateQuestionRound, len(g.Rounds))}
				for j, r := range g.Rounds {
					if r.Hidden {
						continue
					}
					ar := &AggregateQuestionRound{Base: r.Base, Counts: map[string]*int{}}
					for k, v := range dq.Values {
						if r.Shown[k] {
							n := r.Counts[k]
							ar.Counts[v.Value] = &n
						} else {
							ar.Counts[v.Value] = nil
						}
					}
					ag.Rounds[j] = ar
				}
				ad.Groups = append(ad.Groups, ag)
			}
			ai.Demand = append(ai.Demand, ad)
		}
		a.Indicators = append(a.Indicators, ai)
	}
	return a
}

// The Government Statistical Service's shorthand for a value a table does
// not give, in the CSV (and every output meant for a spreadsheet).
const (
	Confidential  = "[c]" // hidden to protect people: too few, or it would let a smaller group be worked out
	NotApplicable = "[z]" // there is no such figure: the change of a report of one round
	NotAvailable  = "[x]" // the figure cannot be worked out: a mean with no ratings
)

// WriteAggregatesCSV writes aggregates as CSV, one figure a row (round,
// strand, statement, measure, value), UTF-8 with a byte-order mark so that
// Excel reads it. Every row is there whatever is hidden, so that the file
// has the same shape each time: a hidden value is [c], one that does not
// apply [z] and one that cannot be worked out [x], as the Government
// Statistical Service writes them; rows headed "notes" at the end say so,
// with the suppression rule and the rounding.
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
	AggregateRows(a, write)
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// AggregateRows gives the rows of the aggregates' table, header first, to
// emit, unguarded: the one source of the CSV and the Excel sheet of
// aggregates, so that both show the same figures and hide the same.
func AggregateRows(a Aggregates, write func(cells ...string)) {
	num := func(f float64) string { return strconv.FormatFloat(f, 'f', 4, 64) }
	mean := func(f *AggregateFigures) (string, string) {
		switch {
		case f == nil:
			return Confidential, Confidential
		case f.Mean == nil:
			return NotAvailable, NotAvailable
		}
		return num(*f.Mean), num(*f.Median)
	}
	write("round", "strand", "statement", "measure", "value")
	for i, r := range a.Rounds {
		if r.AsOf != "" {
			write(r.ID, "", "", "figures_as_of", r.AsOf)
		}
		if r.Suppressed {
			write(r.ID, "", "", "responses", Confidential)
		} else {
			write(r.ID, "", "", "responses", strconv.Itoa(*r.Responses))
		}
		for _, s := range a.Strands {
			f := s.Rounds[i]
			scored := Confidential
			if f != nil {
				scored = strconv.Itoa(f.Scored)
			}
			m, md := mean(f)
			write(r.ID, s.ID, "", "scored", scored)
			write(r.ID, s.ID, "", "mean", m)
			write(r.ID, s.ID, "", "median", md)
			for _, st := range s.Statements {
				sr := st.Rounds[i]
				values := strandValues(s)
				for _, v := range values {
					cell := Confidential
					if sr != nil {
						cell = strconv.Itoa(sr.Counts[v])
					}
					write(r.ID, s.ID, st.ID, "count:"+v, cell)
				}
				var af *AggregateFigures
				if sr != nil {
					af = &sr.AggregateFigures
				}
				m, _ := mean(af)
				write(r.ID, s.ID, st.ID, "mean", m)
			}
		}
	}
	from, to := a.Rounds[0].ID, a.Rounds[len(a.Rounds)-1].ID
	for _, s := range a.Strands {
		span := from + " to " + to
		ch := s.Change
		value := func(f func(*AggregateChange) string) string {
			switch {
			case len(a.Rounds) < 2:
				return NotApplicable
			case ch == nil:
				if s.Rounds[0] == nil || s.Rounds[len(s.Rounds)-1] == nil {
					return Confidential
				}
				return NotAvailable
			}
			return f(ch)
		}
		opt := func(x *float64) string {
			if x == nil {
				return NotAvailable
			}
			return num(*x)
		}
		write(span, s.ID, "", "change", value(func(c *AggregateChange) string { return num(c.Change) }))
		write(span, s.ID, "", "ci95_low", value(func(c *AggregateChange) string { return opt(c.Low) }))
		write(span, s.ID, "", "ci95_high", value(func(c *AggregateChange) string { return opt(c.High) }))
		write(span, s.ID, "", "mann_whitney_p", value(func(c *AggregateChange) string { return opt(c.P) }))
		write(span, s.ID, "", "more_than_chance", value(func(c *AggregateChange) string { return strconv.FormatBool(c.MoreThanChance) }))
	}
	questionRows(a, write)
	indicatorRows(a, write)
	for _, note := range Notes(a.MinGroupSize, a.RoundedTo) {
		write("notes", "", "", "", note)
	}
}

// strandValues are the answer values a strand's statements are counted
// by, in the order the first statement gives them.
func strandValues(s AggregateStrand) []string {
	for _, st := range s.Statements {
		for _, r := range st.Rounds {
			if r != nil {
				return sortedKeys(r.Counts)
			}
		}
	}
	return nil
}

// Notes explain the shorthand and the rules, for the notes rows of a CSV
// and the notes of any table meant for a spreadsheet.
func Notes(min, rounding int) []string {
	notes := []string{
		Confidential + " confidential: hidden because fewer than " + strconv.Itoa(min) + " people are behind it, or because it would let a smaller group's figures be worked out from the others.",
		NotApplicable + " not applicable: there is no such figure (a change needs two rounds).",
		NotAvailable + " not available: the figure cannot be worked out (no ratings on the scale, or a test that cannot be run).",
		"A round's figures are published once, when it closes, and not while it is open (its figures are " + Confidential + " until then), so that two readings a few responses apart cannot show what those few people answered.",
	}
	if rounding > 1 {
		notes = append(notes, "Counts are rounded to the nearest "+strconv.Itoa(rounding)+"; means, medians and percentages are worked out from the rounded counts, so that none of them gives an exact count back.")
	}
	return notes
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// questionRows are the rows of every closed question: by round, the
// question's section in the strand column and its id in the statement
// column, its base and its count of each answer (or band), and a
// number's quartiles.
func questionRows(a Aggregates, write func(cells ...string)) {
	num := func(f *float64) string {
		if f == nil {
			return NotAvailable
		}
		return strconv.FormatFloat(*f, 'f', 4, 64)
	}
	for i, r := range a.Rounds {
		for _, q := range a.Questions {
			qr := q.Rounds[i]
			base := Confidential
			if qr != nil {
				base = strconv.Itoa(qr.Base)
			}
			write(r.ID, q.Section, q.ID, "base", base)
			for _, v := range q.Values {
				cell := Confidential
				if qr != nil && qr.Counts[v.Value] != nil {
					cell = strconv.Itoa(*qr.Counts[v.Value])
				}
				write(r.ID, q.Section, q.ID, "count:"+v.Value, cell)
			}
			if survey.SpecOf(q.Type).Number {
				for _, m := range []struct {
					name string
					f    func(*AggregateQuestionRound) *float64
				}{
					{"lower_quartile", func(x *AggregateQuestionRound) *float64 { return x.LowerQuartile }},
					{"median", func(x *AggregateQuestionRound) *float64 { return x.Median }},
					{"upper_quartile", func(x *AggregateQuestionRound) *float64 { return x.UpperQuartile }},
				} {
					cell := Confidential
					if qr != nil && (m.f(qr) != nil || qr.Base == 0) {
						cell = num(m.f(qr)) // none where nobody answered; hidden where few did
					}
					write(r.ID, q.Section, q.ID, m.name, cell)
				}
			}
		}
	}
}

// FilterName writes a group's filter for the rows of aggregates:
// "sector=health", "" for everyone.
func FilterName(f map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(f)) {
		if f[k] != "" {
			parts = append(parts, k+"="+f[k])
		}
	}
	return strings.Join(parts, "&")
}

// indicatorRows are the rows of every indicator: the strand column holds
// "indicator:" and its id, the statement column the group (its filter,
// empty for everyone); a reaches indicator's counts, share and interval
// in each round, then its change; a demand question's base and each
// option's count ("chosen:question=option") in each round.
func indicatorRows(a Aggregates, write func(cells ...string)) {
	num := func(f *float64) string {
		if f == nil {
			return NotAvailable
		}
		return strconv.FormatFloat(*f, 'f', 4, 64)
	}
	for _, in := range a.Indicators {
		strand := "indicator:" + in.ID
		for _, g := range in.Groups {
			group := FilterName(g.Filter)
			for i, r := range a.Rounds {
				x := g.Rounds[i]
				for _, m := range []struct {
					name string
					f    func(*AggregateIndicatorRound) string
				}{
					{"reached", func(x *AggregateIndicatorRound) string { return strconv.Itoa(x.Reached) }},
					{"not_reached", func(x *AggregateIndicatorRound) string { return strconv.Itoa(x.NotReached) }},
					{"apart", func(x *AggregateIndicatorRound) string { return strconv.Itoa(x.Apart) }},
					{"share", func(x *AggregateIndicatorRound) string { return num(x.Share) }},
					{"ci95_low", func(x *AggregateIndicatorRound) string { return num(x.Low) }},
					{"ci95_high", func(x *AggregateIndicatorRound) string { return num(x.High) }},
				} {
					cell := Confidential
					if x != nil {
						cell = m.f(x)
					}
					write(r.ID, strand, group, m.name, cell)
				}
			}
			if len(a.Rounds) > 1 {
				span := a.Rounds[0].ID + " to " + a.Rounds[len(a.Rounds)-1].ID
				ch := g.Change
				value := func(f func(*AggregateChange) string) string {
					switch {
					case ch != nil:
						return f(ch)
					case g.Rounds[0] == nil || g.Rounds[len(g.Rounds)-1] == nil:
						return Confidential
					}
					return NotAvailable
				}
				write(span, strand, group, "change", value(func(c *AggregateChange) string { return num(&c.Change) }))
				write(span, strand, group, "ci95_low", value(func(c *AggregateChange) string { return num(c.Low) }))
				write(span, strand, group, "ci95_high", value(func(c *AggregateChange) string { return num(c.High) }))
				write(span, strand, group, "mann_whitney_p", value(func(c *AggregateChange) string { return num(c.P) }))
				write(span, strand, group, "more_than_chance", value(func(c *AggregateChange) string { return strconv.FormatBool(c.MoreThanChance) }))
			}
		}
		for _, dq := range in.Demand {
			for _, g := range dq.Groups {
				group := FilterName(g.Filter)
				for i, r := range a.Rounds {
					x := g.Rounds[i]
					base := Confidential
					if x != nil {
						base = strconv.Itoa(x.Base)
					}
					write(r.ID, strand, group, "asked:"+dq.ID, base)
					for _, v := range dq.Ranked {
						cell := Confidential
						if x != nil && x.Counts[v.Value] != nil {
							cell = strconv.Itoa(*x.Counts[v.Value])
						}
						write(r.ID, strand, group, "chosen:"+dq.ID+"="+v.Value, cell)
					}
				}
			}
		}
	}
}
