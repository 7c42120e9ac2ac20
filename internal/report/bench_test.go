package report_test

import (
	"context"
	"fmt"
	"io"
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

// benchSurvey is the bundled self-assessment the benchmarks report on.
func benchSurvey(b *testing.B) *survey.Definition {
	b.Helper()
	c, err := survey.LoadDir(os.DirFS("../../surveys"), "surveys")
	if err != nil {
		b.Fatal(err)
	}
	d, _ := c.Survey("integrated-working")
	return d
}

// seeded opens an embedded store holding n synthetic responses, half in
// each of the first two rounds, submitted through the store so that its
// tallies are kept as in service. Seeding 250,000 takes minutes, so each
// size is seeded once into a folder under the system's temporary folder
// and reused by later runs; delete iwtoolkit-bench-* there to start again.
func seeded(b *testing.B, d *survey.Definition, n int) *sqlite.Store {
	b.Helper()
	ctx := context.Background()
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("iwtoolkit-bench-%s-%d", d.Version, n))
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
	if err := synthetic.Seed(ctx, st, d, d.Rounds[:2], n, 2, 2); err != nil {
		b.Fatal(err)
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

// BenchmarkReportEmbedded measures what the report page does on every
// request, through the same functions: read the tallies of a survey's
// baseline and follow-up from the embedded store, summed over the cells a
// filter keeps, build the comparison with its tests of change, and build
// the charts.
func BenchmarkReportEmbedded(b *testing.B) {
	d := benchSurvey(b)
	plan := store.PlanFor(d)
	ids := []string{d.Rounds[0].ID, d.Rounds[1].ID}
	for _, n := range benchSizes(b) {
		b.Run(fmt.Sprintf("responses=%d", n), func(b *testing.B) {
			st := seeded(b, d, n)
			for _, f := range benchFilters {
				b.Run("filter="+f.name, func(b *testing.B) {
					ctx := context.Background()
					for b.Loop() {
						counts, err := st.Tallies(ctx, plan, ids, f.filter)
						if err != nil {
							b.Fatal(err)
						}
						tallies := []*report.Tally{
							report.FromCounts(counts[ids[0]].Responses, counts[ids[0]].Answers),
							report.FromCounts(counts[ids[1]].Responses, counts[ids[1]].Answers),
						}
						cmp := report.Compare(d, d.Rounds[:2], tallies)
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
				if err := report.WriteCSV(context.Background(), io.Discard, d, nil, st.EachResponse); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
