package server

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"iwtoolkit/internal/report"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// publicationStore is what figures are read through: each round's
// publication, and the tallies a new one is made from.
type publicationStore interface {
	Publication(ctx context.Context, surveyID, round string, data bool) (store.Publication, error)
	Publish(ctx context.Context, p store.Publication, prev int64) (store.Publication, error)
	CellTallies(ctx context.Context, p store.TallyPlan, round string) (map[store.Cell]*store.Counts, error)
	CellSizes(ctx context.Context, p store.TallyPlan, rounds []string) (map[string]map[store.Cell]int, error)
}

// published is a round's publication as every output reads it, with how
// many responses have come in since it was made.
type published struct {
	*report.Publication
	// Pending is how many more (or, after deletions, fewer) responses the
	// round has now than the publication was made from.
	Pending int
}

// publications holds the decoded publications this instance has read, by
// survey and round, with their store version: a publication is immutable,
// so a cached one is good for as long as the store holds that version.
type publications struct {
	mu     sync.Mutex
	cached map[[2]string]cachedPublication
	pairs  map[pairsKey]*report.Pairs // the paired comparisons read, by the publications they follow
	making sync.Mutex                 // one publication made at a time, per instance
}

// pairsKey names the pairs of two rounds as of their publications.
type pairsKey struct {
	survey, a, b string
	atA, atB     time.Time
}

type cachedPublication struct {
	version int64
	pub     *report.Publication
}

// publication returns the round's figures as published, making a new
// publication first when the round has none, when the responses have
// moved by at least the survey's minimum group size since the last, or
// when the survey's file changed what figures are kept (unless fewer than
// the minimum responses have come or gone since: then the last stays, so
// that no step isolates a few responses). Of instances making one at the
// same moment, one stores it and the others read it (Publish's version).
// A closed round follows the same rule: its figures are final once they
// hold every response, and responses that came in within the last step
// before it closed wait, unshown, with the report saying how many.
func (s *Server) publication(ctx context.Context, d *survey.Definition, round string) (published, error) {
	plan := store.PlanFor(d)
	basis := report.Basis(d, plan.Fingerprint())
	for attempt := 0; ; attempt++ {
		head, err := s.store.Publication(ctx, d.ID, round, false)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return published{}, err
		}
		sizes, err := s.store.CellSizes(ctx, plan, []string{round})
		if err != nil {
			return published{}, err
		}
		live := 0
		for _, n := range sizes[round] {
			live += n
		}
		moved := live - head.Responses
		step := abs(moved) >= d.GroupSize()
		stale := head.Version == 0 || step || head.Basis != basis && moved == 0
		if !stale || attempt > 0 {
			pub, err := s.decoded(ctx, d, head)
			if err == nil || attempt > 0 {
				return published{pub, moved}, err
			}
			// A publication this version cannot read: make it again.
		}
		if err := s.publish(ctx, d, plan, round, basis, head.Version); err != nil && !errors.Is(err, store.ErrConflict) {
			return published{}, err
		}
	}
}

// publish makes a round's publication from its tallies now and stores it
// in place of version prev.
func (s *Server) publish(ctx context.Context, d *survey.Definition, plan store.TallyPlan, round, basis string, prev int64) error {
	s.pubs.making.Lock()
	defer s.pubs.making.Unlock()
	if head, err := s.store.Publication(ctx, d.ID, round, false); err == nil && head.Version != prev {
		return nil // another request made it meanwhile
	}
	tallies, err := s.store.CellTallies(ctx, plan, round)
	if err != nil {
		return err
	}
	cells := make([]report.CellCounts, 0, len(tallies))
	for c, n := range tallies {
		cells = append(cells, report.CellCounts{Cell: c, Responses: n.Responses, Answers: n.Answers})
	}
	pub := report.Publish(d, round, cells, s.now())
	data, err := pub.Encode()
	if err != nil {
		return err
	}
	stored, err := s.store.Publish(ctx, store.Publication{SurveyID: d.ID, Round: round, Basis: basis,
		Responses: pub.Responses, At: pub.At, Data: data}, prev)
	if err != nil {
		return err
	}
	s.pubs.put(d.ID, round, stored.Version, pub)
	return nil
}

// decoded returns the publication of a head read without its data, from
// the cache or the store; nil for a round never published.
func (s *Server) decoded(ctx context.Context, d *survey.Definition, head store.Publication) (*report.Publication, error) {
	if head.Version == 0 {
		return nil, nil
	}
	if pub := s.pubs.get(d.ID, head.Round, head.Version); pub != nil {
		return pub, nil
	}
	full, err := s.store.Publication(ctx, d.ID, head.Round, true)
	if err != nil {
		return nil, err
	}
	pub, err := report.DecodePublication(full.Data)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errInternal, err)
	}
	s.pubs.put(d.ID, head.Round, full.Version, pub)
	return pub, nil
}

func (p *publications) get(surveyID, round string, version int64) *report.Publication {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.cached[[2]string{surveyID, round}]; ok && c.version == version {
		return c.pub
	}
	return nil
}

func (p *publications) put(surveyID, round string, version int64, pub *report.Publication) {
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

// publicationsOf returns the publications of rounds, in order.
func (s *Server) publicationsOf(ctx context.Context, d *survey.Definition, rounds []survey.Round) ([]published, error) {
	out := make([]published, len(rounds))
	for i, r := range rounds {
		p, err := s.publication(ctx, d, r.ID)
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
