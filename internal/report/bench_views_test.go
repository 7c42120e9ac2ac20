package report_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"iwtoolkit/internal/report"
	"iwtoolkit/internal/store"
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

// BenchmarkEveryViewEmbedded measures each view of the report under each
// filter, as a request does once both rounds are published: read each
// round's publication head and its number of responses now, build the
// comparison of the filtered group from the two publications, and the
// view's own figures and charts ("changes" with the pairs read before,
// as the publisher keeps them; "overview" without completion, which reads
// invitations, none here).
func BenchmarkEveryViewEmbedded(b *testing.B) {
	d := benchSurvey(b)
	plan := store.PlanFor(d)
	for _, n := range benchSizes(b) {
		b.Run(fmt.Sprintf("responses=%d", n), func(b *testing.B) {
			st := seeded(b, d, n)
			ctx := context.Background()
			pubs := []*report.Publication{publish(b, st, d, d.Rounds[0].ID), publish(b, st, d, d.Rounds[1].ID)}
			pairs, err := report.ReadPairsOf(ctx, d, d.Rounds[0].ID, d.Rounds[1].ID, [2]*report.Publication{pubs[0], pubs[1]}, st.EachAnswers)
			if err != nil {
				b.Fatal(err)
			}
			org, _ := d.BreakdownQuestion("organisation")
			views := []struct {
				name string
				view func(cmp *report.Comparison, f store.Filter) error
			}{
				{"overview", func(cmp *report.Comparison, f store.Filter) error {
					for _, o := range org.Options {
						g := store.Filter{"organisation": o.Value}
						for k, v := range f {
							if k != "organisation" {
								g[k] = v
							}
						}
						for _, pub := range pubs {
							if x := pub.Group(g, 0); x != nil {
								_ = pub.Count(x.Size)
							}
						}
					}
					return nil
				}},
				{"statements", func(cmp *report.Comparison, _ store.Filter) error {
					for i := range cmp.Sections {
						if _, err := cmp.DistributionChart(i); err != nil {
							return err
						}
					}
					return nil
				}},
				{"breakdown", func(_ *report.Comparison, f store.Filter) error {
					q, _ := d.BreakdownQuestion("sector")
					_, err := report.NewBreakdown(d, "sector", q, d.Rounds[0], pubs[0], f).HeatmapChart(1, 5)
					return err
				}},
				{"at-least", func(cmp *report.Comparison, _ store.Filter) error {
					rows := cmp.SharesAtLeast(4)
					_, err := cmp.SharesChart(rows, "at or above level 4")
					return err
				}},
				{"changes", func(cmp *report.Comparison, f store.Filter) error {
					cmp.Changes()
					pairs.Tests(f)
					return nil
				}},
				{"cross-reference", func(cmp *report.Comparison, _ store.Filter) error {
					cmp.CrossReferences()
					return nil
				}},
			}
			for _, v := range views {
				for _, f := range benchFilters {
					b.Run("view="+v.name+"/filter="+f.name, func(b *testing.B) {
						for b.Loop() {
							for _, r := range d.Rounds[:2] {
								if _, err := st.CellSizes(ctx, plan, []string{r.ID}); err != nil {
									b.Fatal(err)
								}
								if _, err := st.Publication(ctx, d.ID, r.ID, false); err != nil && !errors.Is(err, store.ErrNotFound) {
									b.Fatal(err)
								}
							}
							if err := v.view(report.Compare(d, d.Rounds[:2], pubs, f.filter), f.filter); err != nil {
								b.Fatal(err)
							}
						}
					})
				}
			}
		})
	}
}
