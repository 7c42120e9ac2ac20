package report

import "sort"

// Suppress says which of a set of groups to hide, given their numbers of
// responses and the survey's minimum group size. The groups are the parts
// of one total (the organisations of a round, the sectors of a row of a
// breakdown), and that total is taken to be known: it is shown elsewhere,
// or can be read from a wider report.
//
// A group with at least one response but fewer than min is hidden
// (primary suppression). Then, so that no hidden group can be worked out
// by subtracting the shown groups from the total, more groups are hidden,
// the smallest first, until the hidden groups together have at least min
// responses and are at least two (secondary suppression): subtracting
// then reveals only the sum of two or more groups, itself no smaller than
// a group the report would show.
//
// A group with no responses has nothing to protect and is never hidden;
// nor is it chosen as a second group to hide, since "none" is usually
// known anyway (an organisation outside a sector) and so protects nothing.
// When the groups with responses cannot meet the rule they are all hidden.
//
// Every aggregate the service shows — pages, charts, the JSON API and the
// CSV of aggregates — decides what to hide through this function.
func Suppress(sizes []int, min int) []bool {
	hidden := make([]bool, len(sizes))
	var count, sum int
	for i, n := range sizes {
		if n > 0 && n < min {
			hidden[i] = true
			count++
			sum += n
		}
	}
	if count == 0 {
		return hidden
	}
	// The shown groups with responses, smallest first (by position among
	// equals, so the choice is stable).
	var order []int
	for i, n := range sizes {
		if n > 0 && !hidden[i] {
			order = append(order, i)
		}
	}
	sort.SliceStable(order, func(a, b int) bool { return sizes[order[a]] < sizes[order[b]] })
	for _, i := range order {
		if count >= 2 && sum >= min {
			break
		}
		hidden[i] = true
		count++
		sum += sizes[i]
	}
	return hidden
}
