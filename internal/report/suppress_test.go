package report

import (
	"slices"
	"testing"
)

// Worked cases of Suppress with a minimum group size of 5.
func TestSuppress(t *testing.T) {
	for _, tc := range []struct {
		name  string
		sizes []int
		want  []bool
	}{
		{"nothing small", []int{5, 9, 20}, []bool{false, false, false}},
		// One hidden group in a row of organisations whose total (3+12+7+40
		// = 62) is shown: 62 − 12 − 40 would give the 3 away unless another
		// group goes, the next smallest (7).
		{"one hidden cell in a row", []int{3, 12, 7, 40}, []bool{true, false, true, false}},
		// Two hidden groups of 1 and 2: their sum, 3, could be worked out
		// from the total; the next smallest (6) goes too, making 9.
		{"hidden groups too small together", []int{1, 20, 2, 6}, []bool{true, false, true, true}},
		// Two hidden groups that together reach 5 need no more.
		{"hidden groups big enough together", []int{4, 3, 30, 8}, []bool{true, true, false, false}},
		// Zero cells are shown (there is nothing in them to protect) and are
		// not chosen as the second hidden group, which would protect nothing.
		{"zero cells", []int{0, 2, 0, 11, 9}, []bool{false, true, false, false, true}},
		{"all zero", []int{0, 0}, []bool{false, false}},
		// Equal sizes: the first in order goes.
		{"ties", []int{2, 8, 8}, []bool{true, true, false}},
		// Nothing else to hide: all with responses are hidden, and the total
		// (4) is itself below the minimum.
		{"only one group with responses", []int{4, 0}, []bool{true, false}},
		{"totals shown: every group small", []int{1, 1, 2}, []bool{true, true, true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Suppress(tc.sizes, 5)
			if !slices.Equal(got, tc.want) {
				t.Errorf("Suppress(%v, 5) = %v, want %v", tc.sizes, got, tc.want)
			}
			// Whatever is hidden, the hidden groups together hold at least 5
			// responses or nothing can be subtracted to find them.
			sum, count := 0, 0
			for i, h := range got {
				if h {
					sum, count = sum+tc.sizes[i], count+1
				}
			}
			shownWithResponses := 0
			for i, h := range got {
				if !h && tc.sizes[i] > 0 {
					shownWithResponses++
				}
			}
			if count > 0 && (sum < 5 || count < 2) && shownWithResponses > 0 {
				t.Errorf("hidden groups %v could be recovered from the total", got)
			}
		})
	}
}
