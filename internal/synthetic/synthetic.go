// Package synthetic makes made-up responses to a survey, for the seed
// command and the benchmarks, and made-up answers to its pages, for the
// load generator: spread across rounds and across every answer
// of the breakdown questions, with ratings that drift upwards from round
// to round so that reports have changes to find.
package synthetic

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// Response returns the n-th synthetic response to d in one of rounds,
// drawn from rng. Every question the respondent is asked gets an answer
// from its options or scale; text questions are left unanswered.
func Response(d *survey.Definition, rng *rand.Rand, n int, rounds []survey.Round, at time.Time) survey.Response {
	round := n % len(rounds)
	draft := survey.Draft{
		Key:      fmt.Sprintf("synthetic-%d-%d", at.UnixNano(), n),
		SurveyID: d.ID,
		Round:    rounds[round].ID,
		Answers:  map[string]string{},
	}
	// Multiple choices and numbers are drawn apart, so that the other
	// answers are those drawn before they were answered.
	more := rand.New(rand.NewPCG(uint64(n), 0x5eed))
	for _, s := range d.Sections {
		for _, q := range s.Questions {
			switch spec := q.Spec(); {
			case spec.Options && !spec.Multiple:
				if len(q.Options) > 0 {
					draft.Answers[q.ID] = q.Options[rng.IntN(len(q.Options))].Value
				} else if len(spec.Given) > 0 {
					draft.Answers[q.ID] = spec.Given[rng.IntN(len(spec.Given))]
				}
			case spec.Multiple:
				var chosen []string
				for _, o := range q.Options {
					if more.IntN(3) == 0 {
						chosen = append(chosen, o.Value)
					}
				}
				if len(chosen) == 0 && q.None != "" {
					chosen = []string{survey.NoneOfThese}
				} else if len(chosen) == 0 {
					chosen = []string{q.Options[more.IntN(len(q.Options))].Value}
				}
				draft.Answers[q.ID] = strings.Join(chosen, " ")
			case spec.Number:
				lo, hi := 0, 20
				if q.Min != nil {
					lo = *q.Min
				}
				if q.Max != nil {
					hi = min(*q.Max, lo+20)
				}
				draft.Answers[q.ID] = strconv.Itoa(lo + more.IntN(hi-lo+1))
			case spec.Rated:
				scale := d.Scales[q.Scale]
				if scale == nil || len(scale.Levels) == 0 {
					continue
				}
				for _, k := range q.Keys() {
					draft.Answers[k] = rating(rng, scale, round)
				}
			}
		}
	}
	r := d.Response(draft)
	// The time makes references and submission keys of one run differ
	// from another's, so a store seeded before can be seeded again.
	r.Reference = fmt.Sprintf("S%s-%09d", strconv.FormatInt(at.UnixNano(), 36), n)
	r.Submitted = at
	return r
}

// rating picks a level, a little higher in later rounds, or now and then
// Don't know or Not applicable when the scale offers them.
func rating(rng *rand.Rand, scale *survey.Scale, round int) string {
	values := scale.Values()
	levels := len(scale.Levels)
	if len(values) > levels && rng.IntN(20) == 0 {
		return values[levels+rng.IntN(len(values)-levels)]
	}
	i := rng.IntN(levels)
	if round > 0 && i < levels-1 && rng.IntN(5) == 0 {
		i++
	}
	return strconv.Itoa(scale.Levels[i].Value)
}

// Submitter stores a response: both stores have it.
type Submitter interface {
	Submit(ctx context.Context, r survey.Response, queue ...store.MailMessage) (survey.Response, error)
}

// Seed submits n synthetic responses to d, spread over rounds, from
// workers goroutines (the embedded store writes one at a time; a few
// keep it busy). The same seed gives the same answers.
func Seed(ctx context.Context, st Submitter, d *survey.Definition, rounds []survey.Round, n, workers int, seed uint64) error {
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(w)))
			for i := w; i < n; i += workers {
				if _, err := st.Submit(ctx, Response(d, rng, i, rounds, start)); err != nil {
					errs <- fmt.Errorf("synthetic response %d: %w", i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// BulkSubmitter stores responses in bulk: both stores have it
// (store.Store.SubmitMany).
type BulkSubmitter interface {
	SubmitMany(ctx context.Context, rs []survey.Response) (int, error)
}

// SeedBatch is how many responses SeedBulk stores at a time: each cell of
// the tallies is read and written once a batch, and the bundled
// self-assessment has 768 cells over two rounds, so a batch of 1,000 wrote
// nearly one a response (about 2,200 a second); 10,000 write one in 13.
const SeedBatch = 10000

// SeedBulk stores n synthetic responses to d, spread over rounds, in
// batches of SeedBatch through the store's bulk path, which counts them in
// the tallies as Submit does. One goroutine makes the next batch while the
// store writes the last. The same seed gives the same answers; the
// references and submission keys are new each run (they carry the time),
// so SeedBulk adds to a store seeded before.
func SeedBulk(ctx context.Context, st BulkSubmitter, d *survey.Definition, rounds []survey.Round, n int, seed uint64) error {
	start := time.Now()
	batches := make(chan []survey.Response, 1)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		defer close(batches)
		rng := rand.New(rand.NewPCG(seed, 0))
		for from := 0; from < n; from += SeedBatch {
			rs := make([]survey.Response, 0, SeedBatch)
			for i := from; i < min(n, from+SeedBatch); i++ {
				rs = append(rs, Response(d, rng, i, rounds, start))
			}
			select {
			case batches <- rs:
			case <-ctx.Done():
				return
			}
		}
	}()
	stored := 0
	for rs := range batches {
		got, err := st.SubmitMany(ctx, rs)
		if err != nil {
			return fmt.Errorf("synthetic responses %d to %d: %w", stored, stored+len(rs), err)
		}
		if got != len(rs) {
			return fmt.Errorf("synthetic responses %d to %d: %d stored, want %d", stored, stored+len(rs), got, len(rs))
		}
		stored += got
	}
	return ctx.Err()
}

// Form is a made-up answer to every question of a section that is shown
// given the answers so far (those on the page above it included), as a
// browser would post it; it adds them to
// answers, so that later sections' conditions see them. The ratings are
// spread over the scale's levels; now and then an optional comment is
// written.
func Form(d *survey.Definition, sec *survey.Section, answers map[string]string, rng *rand.Rand) url.Values {
	form := url.Values{}
	for _, q := range sec.Questions {
		if !q.ShowIf.Holds(answers) { // as answered so far, this page's answers too
			continue
		}
		switch spec := q.Spec(); {
		case spec.Rated:
			scale := d.ScaleOf(q)
			for _, k := range q.Keys() {
				form.Set(k, rating(rng, scale, 0))
			}
		case spec.Options:
			form.Set(q.ID, q.Options[rng.IntN(len(q.Options))].Value)
		case spec.Number:
			v := 1
			if q.Min != nil {
				v = *q.Min
			}
			form.Set(q.ID, strconv.Itoa(v))
		case spec.Text:
			if !q.Optional || rng.IntN(5) == 0 {
				form.Set(q.ID, comment(q))
			}
		}
		for _, k := range q.Keys() {
			if v := form.Get(k); v != "" {
				answers[k] = v
			}
		}
	}
	return form
}

// comment is a made-up comment that fits the question's length limit.
func comment(q *survey.Question) string {
	words := []rune("Some words about how we work together")
	if q.MaxLength > 0 && len(words) > q.MaxLength {
		words = words[:q.MaxLength]
	}
	return strings.TrimSpace(string(words))
}
