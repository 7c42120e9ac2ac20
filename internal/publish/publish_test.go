package publish_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"iwtoolkit/internal/disclosure"
	"iwtoolkit/internal/publish"
	"iwtoolkit/internal/report"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/store/sqlite"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/synthetic"
)

func bundled(t *testing.T) *survey.Definition {
	t.Helper()
	c, err := survey.LoadDir(os.DirFS("../../surveys"), "surveys")
	if err != nil {
		t.Fatal(err)
	}
	d, _ := c.Survey("integrated-working")
	return d
}

// clock is a time that moves on by a second each time it is read, so that
// every response and publication has a moment of its own.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { c.t = c.t.Add(time.Second); return c.t }

// round is a round as the test grows it: its responses by epoch (those
// sent between two readings), and everything read of it.
type round struct {
	d        *survey.Definition
	id       string
	epochs   [][]survey.Response
	readings []disclosure.Reading
	made     map[*report.Publication]int // the epoch each publication read was made in
}

func (r *round) submit(t *testing.T, st store.Store, rs []survey.Response) {
	t.Helper()
	for _, x := range rs {
		if _, err := st.Submit(context.Background(), x); err != nil {
			t.Fatal(err)
		}
	}
	r.epochs[len(r.epochs)-1] = append(r.epochs[len(r.epochs)-1], rs...)
}

// read is a reader looking at everything the service shows of the round
// now: while it is open, a count rounded down (no exact figure); once it
// has figures, every figure every output shows (report.Gather).
func (r *round) read(t *testing.T, p *publish.Publisher) publish.Round {
	t.Helper()
	got, err := p.Round(context.Background(), r.d, r.id)
	if err != nil {
		t.Fatal(err)
	}
	reading := disclosure.Reading{Epoch: len(r.epochs)}
	if got.Final() {
		if r.made == nil {
			r.made = map[*report.Publication]int{}
		}
		if e, ok := r.made[got.Publication]; ok {
			reading.Epoch = e // figures made before, read again
		}
		r.made[got.Publication] = reading.Epoch
		reading.Figures = report.Gather(r.d, got.Publication).Figures
	} else if got.Counted%r.d.GroupSize() != 0 {
		t.Errorf("an open round's count %d is not a multiple of %d", got.Counted, r.d.GroupSize())
	}
	r.readings = append(r.readings, reading)
	r.epochs = append(r.epochs, nil)
	return got
}

// leaks audits every reading of the round together, with the people who
// came between two readings as groups of their own.
func (r *round) leaks(t *testing.T) []disclosure.Leak {
	t.Helper()
	var problems []*disclosure.Problem
	for _, rs := range r.epochs {
		pr, _ := report.Problem(r.d, r.id, publish.CellsOf(r.d, rs))
		problems = append(problems, pr)
	}
	leaks, err := disclosure.CheckReadings(context.Background(), disclosure.EpochDim(problems), r.readings)
	if err != nil {
		t.Fatal(err)
	}
	return leaks
}

// responses are n synthetic responses to a round, most of them in a few
// common cells; planted ones all give one rare organisation.
func responses(d *survey.Definition, rng *rand.Rand, c *clock, roundID string, n int, rare string, keys []string) []survey.Response {
	org, _ := d.BreakdownQuestion("organisation")
	var out []survey.Response
	for i := range n {
		r := synthetic.Response(d, rng, i, []survey.Round{{ID: roundID}}, c.now())
		if rare != "" {
			r.Answers[org.ID] = rare
		} else {
			r.Answers[org.ID] = org.Options[len(org.Options)-1-rng.IntN(3)].Value
		}
		ref, at := fmt.Sprint(r.Reference, roundID, i, rare), r.Submitted
		r = d.Response(survey.Draft{Key: ref, SurveyID: d.ID, Round: roundID, Answers: r.Answers})
		r.Reference, r.Submitted = ref, at
		if i < len(keys) {
			r.RespondentKey, r.Invitation = keys[i], keys[i]+roundID
		}
		out = append(out, r)
	}
	return out
}

// TestNothingGivenAwayOverTime is the auditor's property test over time,
// through the real publisher on a real store: random rounds read by a
// reader after every change, while open (with small groups planted that
// grow by 1 to the minimum less one between readings), after closing, and
// after a response is erased and the round opened again and answered;
// then the paired comparison of two such rounds beside both. Every
// reading, together with every other, gives no group of fewer than the
// minimum away, and the figures published are the round's once closed.
func TestNothingGivenAwayOverTime(t *testing.T) {
	d := bundled(t)
	org, _ := d.BreakdownQuestion("organisation")
	ctx := context.Background()
	for seed := range uint64(6) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 22))
			st, err := sqlite.Open(ctx, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close(ctx) })
			st.PlanTallies(store.PlanFor(d))
			c := &clock{t: time.Now().Add(-time.Hour)}
			p := publish.New(st, c.now)
			keys := make([]string, 12)
			for i := range keys {
				keys[i] = fmt.Sprint("person-", seed, "-", i)
			}
			var rounds [2]*round
			for i, id := range []string{"baseline", "follow-up"} {
				r := &round{d: d, id: id, epochs: [][]survey.Response{nil}}
				rounds[i] = r
				r.submit(t, st, responses(d, rng, c, id, 10+rng.IntN(10), "", keys))
				r.read(t, p)
				rare := org.Options[rng.IntN(3)].Value
				for range 3 {
					// A small group grows by 1 to 4 between readings,
					// with enough others for the round to move a step.
					r.submit(t, st, responses(d, rng, c, id, 1+rng.IntN(d.GroupSize()-1), rare, nil))
					r.submit(t, st, responses(d, rng, c, id, rng.IntN(6), "", nil))
					if got := r.read(t, p); got.Final() || !got.Open {
						t.Fatalf("%s: an open round's figures are published", id)
					}
				}
				if err := st.SetRoundState(ctx, store.RoundState{SurveyID: d.ID, Round: id}); err != nil {
					t.Fatal(err)
				}
				closed := r.read(t, p)
				want := 0
				for _, rs := range r.epochs {
					want += len(rs)
				}
				if !closed.Final() || closed.Responses != want {
					t.Fatalf("%s closed: %d responses in its figures, want all %d", id, closed.Responses, want)
				}
				// Erase one, open again, answer, close: the figures stay.
				if err := st.DeleteResponse(ctx, r.epochs[0][0].Reference); err != nil {
					t.Fatal(err)
				}
				if err := st.SetRoundState(ctx, store.RoundState{SurveyID: d.ID, Round: id, Open: true}); err != nil {
					t.Fatal(err)
				}
				r.submit(t, st, responses(d, rng, c, id, 2+rng.IntN(d.GroupSize()-2), rare, nil))
				if got := r.read(t, p); got.Publication != closed.Publication || got.Pending <= 0 {
					t.Errorf("%s opened again: figures changed, or nothing said of later responses", id)
				}
				if err := st.SetRoundState(ctx, store.RoundState{SurveyID: d.ID, Round: id}); err != nil {
					t.Fatal(err)
				}
				if got := r.read(t, p); got.Publication != closed.Publication {
					t.Errorf("%s closed again: figures made again", id)
				}
				for _, l := range r.leaks(t) {
					t.Errorf("%s: %v", id, l)
				}
			}
			pairs, err := p.Pairs(ctx, d, "baseline", "follow-up")
			if err != nil || pairs == nil {
				t.Fatalf("pairs of two closed rounds: %v, %v", pairs, err)
			}
			// A baseline response was erased after its figures were made:
			// pairs read now would be one person short of pairs read
			// before, so none are shown.
			for id, pt := range pairs.Tests(nil) {
				if !pt.Hidden {
					t.Errorf("pairs of strand %s shown after an erasure", id)
				}
			}
			for _, l := range pairs.Audit() {
				if !l.ThroughZeros {
					t.Errorf("pairs: %v", l)
				}
			}
		})
	}
}
