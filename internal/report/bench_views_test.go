package report_test

import (
	"fmt"
	"testing"

	"iwtoolkit/internal/report"
)

// BenchmarkViewsEmbedded measures the breakdown heatmap from a round's
// publication: the breakdown with its hidden groups, and the heatmap.
func BenchmarkViewsEmbedded(b *testing.B) {
	d := benchSurvey(b)
	for _, n := range benchSizes(b) {
		b.Run(fmt.Sprintf("responses=%d", n), func(b *testing.B) {
			st := seeded(b, d, n)
			pub := publish(b, st, d, d.Rounds[0].ID)
			for _, by := range []string{"sector", "organisation", "audience"} {
				b.Run("breakdown="+by, func(b *testing.B) {
					q, _ := d.BreakdownQuestion(by)
					for b.Loop() {
						if _, err := report.NewBreakdown(d, by, q, d.Rounds[0], pub, nil).HeatmapChart(1, 5); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
