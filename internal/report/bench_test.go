package report_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"iwtoolkit/internal/report"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/store/sqlite"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/synthetic"
)

// benchSizes are the numbers of responses benchmarked; IWT_BENCH_SIZES
// (comma-separated) picks others.
func benchSizes(b *testing.B) []int {
	sizes := []int{1_000, 10_000, 100_000, 250_000}
	if env := os.Getenv("IWT_BENCH_SIZES"); env != "" {
		sizes = nil
		for _, f := range strings.Split(env, ",") {
			n, err := strconv.Atoi(f)
			if err != nil {
				b.Fatalf("IWT_BENCH_SIZES: %v", err)
			}
			sizes = append(sizes, n)
		}
	}
	return sizes
}

// benchSurvey is the bundled survey the benchmarks report on: the
// self-assessment, or the one IWT_BENCH_SURVEY names (training-needs has
// every kind of closed question: multiple choices, a number, choices).
func benchSurvey(b *testing.B) *survey.Definition {
	b.Helper()
	c, err := survey.LoadDir(os.DirFS("../../surveys"), "surveys")
	if err != nil {
		b.Fatal(err)
	}
	id := cmp.Or(os.Getenv("IWT_BENCH_SURVEY"), "integrated-working")
	d, ok := c.Survey(id)
	if !ok {
		b.Fatalf("IWT_BENCH_SURVEY: no bundled survey %q", id)
	}
	return d
}

// seeded opens an embedded store holding n synthetic responses, half in
// each of the first two rounds, stored through the store's bulk path
// (SubmitMany, which keeps the tallies as Submit does). Two in three
// people answer both rounds with the same respondent key, as invited
// people do (the bulk path takes no invitation keys), so that the paired
// comparison has pairs to read and protect. Each size is seeded once into
// a folder under the system's temporary folder and reused by later runs;
// delete iwtoolkit-bench-* there to start again.
func seeded(b *testing.B, d *survey.Definition, n int) *sqlite.Store {
	b.Helper()
	ctx := context.Background()
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("iwtoolkit-bench-2-%s-%d", d.Version, n))
	if d.ID != "integrated-working" {
		dir = filepath.Join(os.TempDir(), fmt.Sprintf("iwtoolkit-bench-2-%s-%s-%d", d.ID, d.Version, n))
	}
	done := filepath.Join(dir, "seeded")
	if _, err := os.Stat(done); err != nil {
		os.RemoveAll(dir)
	}
	st, err := sqlite.Open(ctx, dir)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close(ctx) })
	st.PlanTallies(store.PlanFor(d))
	if _, err := os.Stat(done); err == nil {
		return st
	}
	start := time.Now()
	rng := rand.New(rand.NewPCG(2, 0))
	rounds := d.Rounds[:2]
	for from := 0; from < n; from += synthetic.SeedBatch {
		rs := make([]survey.Response, 0, synthetic.SeedBatch)
		for i := from; i < min(n, from+synthetic.SeedBatch); i++ {
			r := synthetic.Response(d, rng, i, rounds, start)
			if person := i / len(rounds); person%3 != 0 {
				r.RespondentKey = fmt.Sprintf("person-%d", person)
			}
			rs = append(rs, r)
		}
		if _, err := st.SubmitMany(ctx, rs); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("seeded %d responses in %v", n, time.Since(start).Round(time.Millisecond))
	if err := os.WriteFile(done, nil, 0o600); err != nil {
		b.Fatal(err)
	}
	return st
}

var benchFilters = []struct {
	name   string
	filter store.Filter
}{
	{"everyone", nil},
	{"sector", store.Filter{"sector": "health"}},
	{"audience", store.Filter{"audience": "frontline"}},
	{"sector+organisation", store.Filter{"sector": "education", "organisation": "primary-school"}},
	{"all-four", store.Filter{"sector": "education", "organisation": "primary-school", "audience": "frontline", "workforce": "core"}},
}

// publish makes a round's publication from the store's tallies, as the
// server does when a round's figures move.
func publish(b *testing.B, st *sqlite.Store, d *survey.Definition, round string) *report.Publication {
	b.Helper()
	tallies, err := st.CellTallies(context.Background(), store.PlanFor(d), round)
	if err != nil {
		b.Fatal(err)
	}
	cells := make([]report.CellCounts, 0, len(tallies))
	for c, n := range tallies {
		cells = append(cells, report.CellCounts{Cell: c, Responses: n.Responses, Answers: n.Answers})
	}
	return report.Publish(d, round, cells, time.Now())
}

// BenchmarkPublishEmbedded measures making a round's publication: reading
// its tallies cell by cell, choosing the groups to hide across every table
// and population (disclosure.Protect), and summing the shown groups'
// figures. It runs once per step of a round's figures, not per request.
func BenchmarkPublishEmbedded(b *testing.B) {
	d := benchSurvey(b)
	for _, n := range benchSizes(b) {
		b.Run(fmt.Sprintf("responses=%d", n), func(b *testing.B) {
			st := seeded(b, d, n)
			for b.Loop() {
				publish(b, st, d, d.Rounds[0].ID)
			}
		})
	}
}

// BenchmarkReportEmbedded measures what the report page does on every
// request once the rounds are published: count each round's responses
// now (to see whether its figures move), build the comparison of the
// filtered group from the two publications, with its tests of change, and
// build the charts.
func BenchmarkReportEmbedded(b *testing.B) {
	d := benchSurvey(b)
	plan := store.PlanFor(d)
	for _, n := range benchSizes(b) {
		b.Run(fmt.Sprintf("responses=%d", n), func(b *testing.B) {
			st := seeded(b, d, n)
			pubs := []*report.Publication{publish(b, st, d, d.Rounds[0].ID), publish(b, st, d, d.Rounds[1].ID)}
			for _, f := range benchFilters {
				b.Run("filter="+f.name, func(b *testing.B) {
					ctx := context.Background()
					for b.Loop() {
						for _, r := range d.Rounds[:2] {
							if _, err := st.CellSizes(ctx, plan, []string{r.ID}); err != nil {
								b.Fatal(err)
							}
							if _, err := st.Publication(ctx, d.ID, r.ID, false); err != nil && !errors.Is(err, store.ErrNotFound) {
								b.Fatal(err)
							}
						}
						cmp := report.Compare(d, d.Rounds[:2], pubs, f.filter)
						if _, err := cmp.BarChart(); err != nil {
							b.Fatal(err)
						}
						if _, err := cmp.RadarChart(); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}

// BenchmarkResponsesCSV streams every response of the seeded store as the
// raw-responses CSV, to nowhere.
func BenchmarkResponsesCSV(b *testing.B) {
	d := benchSurvey(b)
	for _, n := range benchSizes(b) {
		b.Run(fmt.Sprintf("responses=%d", n), func(b *testing.B) {
			st := seeded(b, d, n)
			for b.Loop() {
				if _, err := report.WriteCSV(context.Background(), io.Discard, d, d.Rounds, st.EachResponse); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
