package publish

import (
	"iwtoolkit/internal/report"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// Cells turns a store's tallies of a round, by breakdown cell, into the
// cells a publication is made from.
func Cells(tallies map[store.Cell]*store.Counts) []report.CellCounts {
	out := make([]report.CellCounts, 0, len(tallies))
	for c, n := range tallies {
		out = append(out, report.CellCounts{Cell: c, Responses: n.Responses, Answers: n.Answers})
	}
	return out
}

// CellsOf counts responses into cells as a store's tallies count them: for
// the auditor, which checks figures against the responses themselves.
func CellsOf(d *survey.Definition, rs []survey.Response) []report.CellCounts {
	plan := store.PlanFor(d)
	byCell := map[store.Cell]*store.Counts{}
	for _, r := range rs {
		c := plan.CellOf(r)
		if byCell[c] == nil {
			byCell[c] = store.NewCounts()
		}
		byCell[c].AddResponse(plan, r)
	}
	return Cells(byCell)
}
