package report_test

import (
	"context"
	"fmt"
	"testing"

	"iwtoolkit/internal/report"
	"iwtoolkit/internal/store"
)

// BenchmarkViewsEmbedded measures the tallies-based views on the seeded
// embedded store: the breakdown heatmap (tallies split by a breakdown in
// one read, a breakdown with its suppression, the heatmap), and the extra
// read a filtered report makes for secondary suppression (the responses of
// the filtered group's neighbours, no counts decoded).
func BenchmarkViewsEmbedded(b *testing.B) {
	d := benchSurvey(b)
	plan := store.PlanFor(d)
	ids := []string{d.Rounds[0].ID, d.Rounds[1].ID}
	for _, n := range benchSizes(b) {
		b.Run(fmt.Sprintf("responses=%d", n), func(b *testing.B) {
			st := seeded(b, d, n)
			ctx := context.Background()
			for _, by := range []string{"sector", "organisation", "audience"} {
				b.Run("breakdown="+by, func(b *testing.B) {
					q, _ := d.BreakdownQuestion(by)
					for b.Loop() {
						counts, err := st.TalliesBy(ctx, plan, ids[:1], nil, by, true)
						if err != nil {
							b.Fatal(err)
						}
						groups := map[string]*report.Tally{}
						for v, c := range counts[ids[0]] {
							groups[v] = report.FromCounts(c.Responses, c.Answers)
						}
						if _, err := report.NewBreakdown(d, by, q, d.Rounds[0], groups).HeatmapChart(1, 5); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
			b.Run("suppression-check=sector+organisation", func(b *testing.B) {
				for b.Loop() {
					for _, name := range []string{"sector", "organisation"} {
						others := store.Filter{"sector": "education", "organisation": "primary-school"}
						delete(others, name)
						if _, err := st.TalliesBy(ctx, plan, ids, others, name, false); err != nil {
							b.Fatal(err)
						}
					}
				}
			})
		})
	}
}
