// Package publish gives every output of the service a round's figures as
// published. The published set of a round is everything ever shown of it
// to anyone, so it is kept to what can be protected as one:
//
//   - while a round is open, only its number of responses, made again
//     when it has moved by at least the survey's minimum group size (an
//     interim publication: no answers, no breakdowns, no completion);
//   - once it has closed, its figures (report.Publication), made once from
//     every response and never made again, so that no two readings of a
//     round's figures differ by a few people.
//
// See docs/data-protection.md, "Figures over time".
package publish

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"iwtoolkit/internal/gcratio"
	"iwtoolkit/internal/report"
	"iwtoolkit/internal/rounds"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// Store is what publications are read and made through: each round's
// publication and state, the tallies a new one is made from, and the
// responses a paired comparison reads.
type Store interface {
	rounds.States
	Publication(ctx context.Context, surveyID, round string, data bool) (store.Publication, error)
	Publish(ctx context.Context, p store.Publication, prev int64) (store.Publication, error)
	CellTallies(ctx context.Context, p store.TallyPlan, round string) (map[store.Cell]*store.Counts, error)
	CellSizes(ctx context.Context, p store.TallyPlan, rounds []string) (map[string]map[store.Cell]int, error)
	EachResponse(ctx context.Context, surveyID string, rounds []string, fn func(survey.Response) error) error
	// EachAnswers reads a few answers of every response, from their
	// summaries (store.SummaryOf).
	EachAnswers(ctx context.Context, surveyID string, rounds []string, keys []string, fn func(survey.Response, []string) error) error
}

// Round is a round as every output reads it.
type Round struct {
	// Publication is the round's figures, made once when it closed; nil
	// while it has none (open, or closed with none made yet because it
	// has no responses).
	*report.Publication
	// Open is set while the round is open and its figures are not
	// published yet: Counted is then all there is to show.
	Open bool
	// Responses is, while the round is open, how many had answered when
	// last counted, rounded down to a multiple of the survey's minimum
	// group ("at least 15"), so that no two readings say exactly how many
	// answered between them. With figures, their own number is in the
	// publication.
	Counted int
	// CountedAt is when Counted was counted; zero if never.
	CountedAt time.Time
	// Pending is how many more (or, after deletions, fewer) responses the
	// round has now than its figures were made from; 0 while open. Pages
	// say only whether there are any, never how many.
	Pending int
}

// Final reports whether the round's figures are published.
func (r Round) Final() bool { return r.Publication != nil }

// Publisher reads each round's publication for every output, making a
// new one when the rules above allow. It holds the decoded publications
// this instance has read, by survey and round, with their store version:
// a publication is immutable, so a cached one is good for as long as the
// store holds that version.
type Publisher struct {
	st     Store
	now    func() time.Time
	mu     sync.Mutex
	cached map[[2]string]cachedPublication
	pairs  map[pairsKey]*report.Pairs // the paired comparisons read, by the publications they follow
	making sync.Mutex                 // one publication made at a time, per instance
}

// New returns a publisher on a store, with a clock.
func New(st Store, now func() time.Time) *Publisher { return &Publisher{st: st, now: now} }

// pairsKey names the pairs of two rounds as of their publications.
type pairsKey struct {
	survey, a, b string
	atA, atB     time.Time
}

type cachedPublication struct {
	version int64
	pub     *report.Publication
}

// interim marks the basis of a publication that holds a count only, made
// while the round was open.
const interim = "/interim"

// IsCount reports whether a stored publication is a count made while its
// round was open, with no figures.
func IsCount(p store.Publication) bool { return p.Version > 0 && strings.HasSuffix(p.Basis, interim) }

// IsFigures reports whether a stored publication is a closed round's
// figures, made under these rules.
func IsFigures(p store.Publication) bool {
	return p.Version > 0 && report.SameEngine(p.Basis) && !IsCount(p)
}

// Round returns a round as published. While the round is open it has a
// count only, made again when the responses have moved by at least the
// survey's minimum group size since the last. Once it has closed, its
// figures are made from every response, once, and never again: later
// changes (a response erased, the round opened again and answered, the
// survey file changed) leave them as they are, and are shown as pending.
// Publications made under an earlier version of these rules are made
// again once. Of instances making one at the same moment, one stores it
// and the others read it (Publish's version).
func (s *Publisher) Round(ctx context.Context, d *survey.Definition, round string) (Round, error) {
	now, found, err := rounds.One(ctx, s.st, d, round, s.now())
	if err != nil {
		return Round{}, err
	}
	open := !found || now.Open
	plan := store.PlanFor(d)
	basis := report.Basis(d, plan.Fingerprint())
	for attempt := 0; ; attempt++ {
		head, err := s.st.Publication(ctx, d.ID, round, false)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return Round{}, err
		}
		sizes, err := s.st.CellSizes(ctx, plan, []string{round})
		if err != nil {
			return Round{}, err
		}
		live := 0
		for _, n := range sizes[round] {
			live += n
		}
		moved := live - head.Responses
		// A publication of an earlier version of these rules is as if
		// there were none: figures were made in steps then.
		old := head.Version > 0 && !report.SameEngine(head.Basis)
		final := IsFigures(head)
		var remake bool
		switch {
		case final:
			remake = false // figures are made once, and never again
		case open:
			remake = old || head.Version == 0 && live > 0 || head.Version > 0 && abs(moved) >= d.GroupSize()
		default:
			// Closed: its figures are made now from the tallies (which
			// count every stored response then, on either store), even if
			// the count read above lags behind them.
			remake = true
		}
		if !remake || attempt > 0 {
			out := Round{Open: open && !final, CountedAt: head.At}
			if final {
				out.Pending = moved
				if out.Publication, err = s.decoded(ctx, d, head); err != nil {
					return Round{}, err
				}
			} else if !old {
				out.Counted = head.Responses / d.GroupSize() * d.GroupSize()
			}
			return out, nil
		}
		if open {
			err = s.count(ctx, d, round, basis+interim, live, head.Version)
		} else {
			err = s.publish(ctx, d, plan, round, basis, head.Version)
		}
		if err != nil && !errors.Is(err, store.ErrConflict) {
			return Round{}, err
		}
	}
}

// count stores an interim publication: the round's number of responses,
// and nothing else.
func (s *Publisher) count(ctx context.Context, d *survey.Definition, round, basis string, live int, prev int64) error {
	_, err := s.st.Publish(ctx, store.Publication{SurveyID: d.ID, Round: round, Basis: basis, Responses: live, At: s.now(), Data: []byte{}}, prev)
	return err
}

// publish makes a round's publication from its tallies now and stores it
// in place of version prev.
func (s *Publisher) publish(ctx context.Context, d *survey.Definition, plan store.TallyPlan, round, basis string, prev int64) error {
	s.making.Lock()
	defer s.making.Unlock()
	if head, err := s.st.Publication(ctx, d.ID, round, false); err == nil && head.Version != prev {
		return nil // another request made it meanwhile
	}
	tallies, err := s.st.CellTallies(ctx, plan, round)
	if err != nil {
		return err
	}
	pub := report.Publish(d, round, Cells(tallies), s.now())
	data, err := pub.Encode()
	if err != nil {
		return err
	}
	stored, err := s.st.Publish(ctx, store.Publication{SurveyID: d.ID, Round: round, Basis: basis,
		Responses: pub.Responses, At: pub.At, Data: data}, prev)
	if err != nil {
		return err
	}
	s.put(d.ID, round, stored.Version, pub)
	return nil
}

// decoded returns the publication of a head read without its data, from
// the cache or the store; nil for a round never published.
func (s *Publisher) decoded(ctx context.Context, d *survey.Definition, head store.Publication) (*report.Publication, error) {
	if head.Version == 0 {
		return nil, nil
	}
	if pub := s.get(d.ID, head.Round, head.Version); pub != nil {
		return pub, nil
	}
	full, err := s.st.Publication(ctx, d.ID, head.Round, true)
	if err != nil {
		return nil, err
	}
	pub, err := report.DecodePublication(full.Data)
	if err != nil {
		return nil, fmt.Errorf("publish: %s/%s version %d: %w", d.ID, head.Round, full.Version, err)
	}
	s.put(d.ID, head.Round, full.Version, pub)
	return pub, nil
}

func (p *Publisher) get(surveyID, round string, version int64) *report.Publication {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.cached[[2]string{surveyID, round}]; ok && c.version == version {
		return c.pub
	}
	return nil
}

func (p *Publisher) put(surveyID, round string, version int64, pub *report.Publication) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cached == nil {
		p.cached = map[[2]string]cachedPublication{}
	}
	k := [2]string{surveyID, round}
	if c, ok := p.cached[k]; !ok || c.version < version {
		p.cached[k] = cachedPublication{version, pub}
	}
}

// Rounds returns the publications of rounds, in order.
func (s *Publisher) Rounds(ctx context.Context, d *survey.Definition, rounds []survey.Round) ([]Round, error) {
	out := make([]Round, len(rounds))
	for i, r := range rounds {
		p, err := s.Round(ctx, d, r.ID)
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// Compare builds the comparison of rounds for the group a filter names,
// from the rounds' publications.
func (s *Publisher) Compare(ctx context.Context, d *survey.Definition, rounds []survey.Round, f map[string]string) (*report.Comparison, []Round, error) {
	pubs, err := s.Rounds(ctx, d, rounds)
	if err != nil {
		return nil, nil, err
	}
	list := make([]*report.Publication, len(pubs))
	for i, p := range pubs {
		list[i] = p.Publication
	}
	return report.Compare(d, rounds, list, f), pubs, nil
}

// Pairs are the people who answered both of two rounds, read from the
// responses each round's figures were made from, once per pair of
// publications; nil until both rounds' figures are published (both have
// closed), since while either is open its figures are not shown.
func (s *Publisher) Pairs(ctx context.Context, d *survey.Definition, a, b string) (*report.Pairs, error) {
	pa, err := s.Round(ctx, d, a)
	if err != nil {
		return nil, err
	}
	pb, err := s.Round(ctx, d, b)
	if err != nil {
		return nil, err
	}
	if !pa.Final() || !pb.Final() {
		return nil, nil
	}
	key := pairsKey{d.ID, a, b, pa.At, pb.At}
	s.mu.Lock()
	pairs := s.pairs[key]
	s.mu.Unlock()
	if pairs != nil {
		return pairs, nil
	}
	// It reads every response of both rounds once: at the service's GC
	// ratio of 400 their garbage would grow the heap to five times what
	// the read keeps.
	defer gcratio.Lower()()
	if pairs, err = report.ReadPairsOf(ctx, d, a, b, [2]*report.Publication{pa.Publication, pb.Publication}, s.st.EachAnswers); err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.pairs == nil || len(s.pairs) > 64 {
		s.pairs = map[pairsKey]*report.Pairs{}
	}
	s.pairs[key] = pairs
	s.mu.Unlock()
	return pairs, nil
}
