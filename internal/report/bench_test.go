package report_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"iwtoolkit/internal/report"
	"iwtoolkit/internal/store/sqlite"
	"iwtoolkit/internal/survey"
)

// BenchmarkReportEmbedded measures what the report page does on every
// request, through the same functions: count a survey's baseline and
// follow-up responses from the embedded store and build the charts.
func BenchmarkReportEmbedded(b *testing.B) {
	c, err := survey.LoadDir(os.DirFS("../../surveys"), "surveys")
	if err != nil {
		b.Fatal(err)
	}
	d, _ := c.Survey("integrated-working")
	for _, n := range []int{1_000, 10_000} {
		b.Run(fmt.Sprintf("responses=%d", n), func(b *testing.B) {
			ctx := context.Background()
			st, err := sqlite.Open(ctx, b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close(ctx)
			rng := rand.New(rand.NewPCG(1, 2))
			values := d.Scales["maturity"].Values()
			for i := range n {
				r := d.Response(survey.Draft{Key: fmt.Sprint(i), Round: d.Rounds[i%2].ID})
				for _, s := range d.Sections {
					statements, _ := s.Rated()
					for _, st := range statements {
						r.Answers[st.ID] = values[rng.IntN(len(values))]
					}
				}
				r.Reference, r.Submitted = fmt.Sprintf("R%09d", i), time.Now()
				if _, err := st.Submit(ctx, r); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			for b.Loop() {
				cmp, err := report.Count(ctx, d, d.Rounds[:2], st.EachResponse)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := cmp.BarChart(); err != nil {
					b.Fatal(err)
				}
				if _, err := cmp.RadarChart(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
