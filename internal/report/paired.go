package report

import (
	"context"
	"strconv"

	"iwtoolkit/internal/stats"
	"iwtoolkit/internal/survey"
)

// PairedTest is the change in a strand for the respondents who answered
// both rounds through invitations with the same respondent key: each
// person is compared with themselves (Wilcoxon signed-rank test on their
// change in strand score), which the independent test cannot do.
type PairedTest struct {
	Pairs  int        // respondents with a strand score in both rounds
	Hidden bool       // fewer pairs than the survey's minimum group size
	Means  [2]float64 // the pairs' mean strand score in each round
	Mean   stats.MeanDifference
	Rank   stats.SignedRankTest
	// MoreThanChance is set when the signed-rank test says so.
	MoreThanChance bool
	Sentence       string
}

// PValue is the signed-rank p value as the page shows it.
func (p *PairedTest) PValue() string {
	if p.Rank.P < 0.001 {
		return "< 0.001"
	}
	return strconv.FormatFloat(p.Rank.P, 'f', 3, 64)
}

// Paired reads the responses of two rounds that keep returns true for and
// pairs those that share a respondent key, strand by strand. It reads
// every response of the two rounds, so its cost grows with them (see
// docs/performance.md). A strand with fewer pairs than the survey's
// minimum group size is hidden.
func Paired(ctx context.Context, d *survey.Definition, from, to string, each EachResponse, keep func(survey.Response) bool) (map[string]*PairedTest, error) {
	type strand struct {
		id    string
		items []survey.Statement
	}
	var strands []strand
	for _, s := range d.Sections {
		items, scale := s.Rated()
		if d.Scales[scale] != nil {
			strands = append(strands, strand{s.ID, items})
		}
	}
	// scores[respondent][round 0 or 1][strand] = score × StrandScale, or -1.
	scores := map[string]*[2][]int{}
	err := each(ctx, d.ID, []string{from, to}, func(r survey.Response) error {
		if r.RespondentKey == "" || !keep(r) {
			return nil
		}
		side := 0
		if r.Round == to {
			side = 1
		}
		p := scores[r.RespondentKey]
		if p == nil {
			p = &[2][]int{}
			scores[r.RespondentKey] = p
		}
		row := make([]int, len(strands))
		for i, s := range strands {
			sum, n := 0, 0
			for _, it := range s.items {
				if v, err := strconv.Atoi(r.Answers[it.ID]); err == nil {
					sum, n = sum+v, n+1
				}
			}
			row[i] = -1
			if n > 0 {
				row[i] = (sum*StrandScale + n/2) / n
			}
		}
		p[side] = row // a second response in a round replaces the first
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := map[string]*PairedTest{}
	for i, s := range strands {
		diffs := stats.Histogram{}
		pairs, sum0, sum1 := 0, 0, 0
		for _, p := range scores {
			if p[0] == nil || p[1] == nil || p[0][i] < 0 || p[1][i] < 0 {
				continue
			}
			diffs[p[1][i]-p[0][i]]++
			pairs++
			sum0, sum1 = sum0+p[0][i], sum1+p[1][i]
		}
		pt := &PairedTest{Pairs: pairs, Hidden: Suppress([]int{pairs}, d.GroupSize())[0]}
		if pairs == 0 || pt.Hidden {
			out[s.id] = pt
			continue
		}
		pt.Mean = stats.PairedT(diffs)
		for _, x := range []*float64{&pt.Mean.Difference, &pt.Mean.Low, &pt.Mean.High, &pt.Mean.SE} {
			*x /= StrandScale
		}
		pt.Rank = stats.SignedRank(diffs)
		pt.MoreThanChance = pt.Rank.MoreThanChance()
		pt.Means = [2]float64{float64(sum0) / float64(pairs) / StrandScale, float64(sum1) / float64(pairs) / StrandScale}
		pt.Sentence = pt.Rank.Sentence(pt.Means[0], pt.Means[1])
		out[s.id] = pt
	}
	return out, nil
}
