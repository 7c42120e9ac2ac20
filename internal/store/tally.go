package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"sort"
	"strconv"
	"strings"
	"sync"

	"iwtoolkit/internal/survey"
)

// TallyPlan says what a store counts for one survey as each response is
// stored: the questions whose answers split a report (its breakdown cell)
// and the answer keys counted per value. A plan is derived from the survey
// definition, so a changed definition gives a changed plan, and a store
// that finds its tallies were kept to another plan rebuilds them.
type TallyPlan struct {
	SurveyID string
	// Breakdowns are the question IDs giving each of survey.Breakdowns, in
	// that order; "" where the survey has no such question.
	Breakdowns [6]string
	// Keys are the answer keys counted, in definition order: the rated
	// items, then every other closed question (survey.Counted) but the
	// breakdowns. A multiple choice is counted once per option chosen; a
	// number by its value. Last, each reaches indicator's outcome
	// (survey.IndicatorKey), from the answers that are valid.
	Keys []string
	// Strands are the rated items of each section. For each, a response's
	// strand score (survey.StrandScore) is counted under the key
	// survey.StrandKey(id): the per-respondent figure the tests of change
	// need, as a respondent's ratings within a strand are not independent.
	Strands []Strand
	// Populations are the survey's conditional populations: under the key
	// AskedKey, each response is counted by which of them it is in (see
	// Asked), so that a report knows how many people were asked each
	// conditional strand in every cell.
	Populations []survey.Population
	// Choices are the options of the multiple-choice questions: Asked
	// says, for each, whether a response chose it, so that the people who
	// chose it are a population of their own (see report.Problem).
	Choices []survey.Choice
	// valid says, by key, whether a stored answer is one of its
	// question's values; one that is not is counted under InvalidKey,
	// apart from the answers.
	valid    func(key, raw string) bool
	multiple map[string]bool
	// outcome gives, by key, a reaches indicator's outcome for a
	// response's (valid) answers (survey.Definition.Outcome).
	outcome map[string]func(answers map[string]string) string
}

// InvalidKey is the tally key of the stored answers that are not one of
// their question's values: counted by answer key, never as an answer.
const InvalidKey = "invalid"

// Strand is a section's rated items.
type Strand struct {
	ID    string
	Items []string
}

// AskedKey is the tally key of the populations a response is in: its
// value is Asked's.
const AskedKey = "asked"

// Asked says which of the plan's populations a response is in, whether
// it came through an invitation, and which of the plan's Choices it
// chose: one character per population, in order, then one for the
// invitation, then one per choice, each "1" or "0". Reports take the
// people who came through invitations as one more population, for
// completion, and those who chose each option as one more.
func (p TallyPlan) Asked(r survey.Response) string {
	b := make([]byte, 0, len(p.Populations)+1+len(p.Choices))
	for _, pop := range p.Populations {
		b = append(b, bit(pop.Holds(r.Answers)))
	}
	b = append(b, bit(r.Invitation != ""))
	for _, c := range p.Choices {
		raw := r.Answers[c.Key]
		b = append(b, bit(raw != "" && p.validAnswer(c.Key, raw) && survey.Chose(raw, c.Value)))
	}
	return string(b)
}

func (p TallyPlan) validAnswer(key, raw string) bool { return p.valid == nil || p.valid(key, raw) }

func bit(b bool) byte {
	if b {
		return '1'
	}
	return '0'
}

// PlanFor returns the tally plan of a survey: its breakdown questions,
// every rated item (scale questions and grid statements) and its
// conditional populations.
func PlanFor(d *survey.Definition) TallyPlan {
	p := TallyPlan{SurveyID: d.ID, Populations: d.Populations(), Choices: d.Choosable(), multiple: map[string]bool{}}
	for i, name := range survey.Breakdowns {
		if q, ok := d.BreakdownQuestion(name); ok {
			p.Breakdowns[i] = q.ID
		}
	}
	for _, s := range d.Sections {
		items, _ := s.Rated()
		st := Strand{ID: s.ID}
		for _, it := range items {
			p.Keys = append(p.Keys, it.ID)
			st.Items = append(st.Items, it.ID)
		}
		if len(st.Items) > 0 {
			p.Strands = append(p.Strands, st)
		}
	}
	for _, q := range d.Counted() {
		if q.Breakdown == "" {
			p.Keys = append(p.Keys, q.ID)
			p.multiple[q.ID] = q.Spec().Multiple
		}
	}
	p.outcome = map[string]func(map[string]string) string{}
	for _, in := range d.Reaching() {
		k := survey.IndicatorKey(in.ID)
		p.Keys = append(p.Keys, k)
		p.outcome[k] = func(answers map[string]string) string { return d.Outcome(in, answers) }
	}
	questions := map[string]*survey.Question{}
	for _, k := range p.Keys {
		if q, _, ok := d.QuestionOf(k); ok {
			questions[k] = q
		}
	}
	p.valid = func(key, raw string) bool {
		if q := questions[key]; q != nil {
			return d.ValidFor(q, raw)
		}
		return true
	}
	return p
}

// Fingerprint identifies the plan: tallies kept to one plan are not read
// under another.
func (p TallyPlan) Fingerprint() string {
	keys := append([]string(nil), p.Keys...)
	sort.Strings(keys)
	text := strings.Join(p.Breakdowns[:], "\x1f") + "\x1e" + strings.Join(keys, "\x1f")
	for _, st := range p.Strands {
		text += "\x1e" + st.ID + "\x1d" + strings.Join(st.Items, "\x1f")
	}
	// The populations change what AskedKey counts; the key is there
	// whatever they are, since the invitation is always counted.
	text += "\x1c" + AskedKey
	for _, pop := range p.Populations {
		text += "\x1d" + pop.ID
	}
	text += "\x1c"
	for _, c := range p.Choices {
		text += "\x1d" + c.Key + "=" + c.Value
	}
	// Answers outside their question's values are counted apart.
	text += "\x1c" + InvalidKey
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:8])
}

// Cell is a response's breakdown cell: its answers to the survey's
// breakdown questions, in survey.Breakdowns order ("" where unanswered or
// not asked).
type Cell [6]string

// CellOf returns the breakdown cell of a response.
func (p TallyPlan) CellOf(r survey.Response) Cell {
	var c Cell
	for i, q := range p.Breakdowns {
		if q != "" {
			c[i] = r.Answers[q]
		}
	}
	return c
}

// Filter keeps the cells whose answer to each named breakdown (a name of
// survey.Breakdowns) is the value given. An empty filter keeps every cell.
type Filter map[string]string

// Match reports whether the filter keeps a cell.
func (f Filter) Match(c Cell) bool {
	for i, name := range survey.Breakdowns {
		if v, ok := f[name]; ok && v != "" && c[i] != v {
			return false
		}
	}
	return true
}

// Counts are the tallied answers of a set of responses.
type Counts struct {
	Responses int
	Answers   map[string]map[string]int // answer key → value → count
}

// NewCounts returns empty counts.
func NewCounts() *Counts { return &Counts{Answers: map[string]map[string]int{}} }

// Add counts n of an answer.
func (c *Counts) Add(key, value string, n int) {
	m := c.Answers[key]
	if m == nil {
		m = map[string]int{}
		c.Answers[key] = m
	}
	m[value] += n
}

// AddResponse counts one response under a plan.
// An answer that is not one of its question's values is counted under
// InvalidKey by its key, and nowhere else: not in the answers, not in a
// strand score, not as a choice.
func (c *Counts) AddResponse(p TallyPlan, r survey.Response) {
	c.Responses++
	answers, cloned := r.Answers, false
	for _, k := range p.Keys {
		if f := p.outcome[k]; f != nil {
			// An indicator, after every answer: its outcome from the
			// valid ones.
			if v := f(answers); v != "" {
				c.Add(k, v, 1)
			}
			continue
		}
		v, ok := r.Answers[k]
		if !ok || v == "" {
			continue
		}
		if !p.validAnswer(k, v) {
			c.Add(InvalidKey, k, 1)
			if !cloned {
				answers, cloned = maps.Clone(r.Answers), true
			}
			delete(answers, k)
			continue
		}
		switch {
		case p.multiple[k]:
			for _, o := range survey.Choices(v) {
				c.Add(k, o, 1)
			}
		default:
			if n, isNumber := survey.Number(v); isNumber && v != strconv.Itoa(n) {
				v = strconv.Itoa(n) // "1,200" counted as 1200
			}
			c.Add(k, v, 1)
		}
	}
	for _, st := range p.Strands {
		if score, ok := survey.StrandScore(answers, st.Items); ok {
			c.Add(survey.StrandKey(st.ID), strconv.Itoa(score), 1)
		}
	}
	c.Add(AskedKey, p.Asked(r), 1)
}

// RecountResult says what a recount found: how many responses it counted,
// and how many tally counts (one per cell, answer key and value, and one per
// cell for the number of responses) differed from the kept tallies and
// were repaired.
type RecountResult struct {
	Responses   int
	Differences int
}

// Tallier keeps counts per (survey, round, breakdown cell, answer key,
// value) up to date as responses are stored, so that a report reads a few
// thousand counts instead of every response.
type Tallier interface {
	// PlanTallies tells the store what to count for each survey as its
	// responses are stored. A response to a survey with no plan is stored
	// untallied and counted at the next Tallies or Recount.
	PlanTallies(plans ...TallyPlan)
	// Tallies returns, per round (all the survey's rounds when rounds is
	// empty), the counts of the responses whose cell the filter keeps. They
	// equal a count over the stored responses exactly: responses not yet
	// tallied are counted first.
	Tallies(ctx context.Context, p TallyPlan, rounds []string, f Filter) (map[string]*Counts, error)
	// CellSizes returns the number of responses per breakdown cell, by
	// round, after counting any responses not yet tallied: how many a
	// round has now, read without its counts.
	CellSizes(ctx context.Context, p TallyPlan, rounds []string) (map[string]map[Cell]int, error)
	// CellTallies returns a round's counts per breakdown cell, after
	// counting any responses not yet tallied: what a publication is made
	// from.
	CellTallies(ctx context.Context, p TallyPlan, round string) (map[Cell]*Counts, error)
	// Recount recomputes a round's tallies from its stored responses,
	// repairs any that differ, and says how many did.
	Recount(ctx context.Context, p TallyPlan, round string) (RecountResult, error)
}

// Differences counts the counts that differ between two sets of tallies by
// cell, taking a missing count as 0: what Recount reports.
func Differences(kept, recounted map[Cell]*Counts) int {
	diff := 0
	seen := map[Cell]bool{}
	for c, a := range kept {
		seen[c] = true
		diff += countsDiffer(a, recounted[c])
	}
	for c, b := range recounted {
		if !seen[c] {
			diff += countsDiffer(nil, b)
		}
	}
	return diff
}

func countsDiffer(a, b *Counts) int {
	if a == nil {
		a = NewCounts()
	}
	if b == nil {
		b = NewCounts()
	}
	diff := 0
	if a.Responses != b.Responses {
		diff++
	}
	for k, m := range a.Answers {
		for v, n := range m {
			if b.Answers[k][v] != n {
				diff++
			}
		}
	}
	for k, m := range b.Answers {
		for v, n := range m {
			if _, ok := a.Answers[k][v]; !ok && n != 0 {
				diff++
			}
		}
	}
	return diff
}

// Plans are the tally plans a store counts to, by survey, safe for
// concurrent use: both stores keep theirs in one.
type Plans struct {
	mu    sync.RWMutex
	plans map[string]TallyPlan
}

// Set sets the plans of their surveys.
func (ps *Plans) Set(plans ...TallyPlan) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ps.plans == nil {
		ps.plans = map[string]TallyPlan{}
	}
	for _, p := range plans {
		ps.plans[p.SurveyID] = p
	}
}

// Get returns a survey's plan.
func (ps *Plans) Get(surveyID string) (TallyPlan, bool) {
	ps.mu.RLock()
	defer ps.mu.RUnlock()
	p, ok := ps.plans[surveyID]
	return p, ok
}
