package stats

import "math"

// Summary describes one round's answers. It is what a report shows beside a
// test: how many answered, the mean the Board is used to, and the median and
// counts, which respect that the scale is ordered rather than measured.
type Summary struct {
	Computable bool   // false when there are no answers or the counts are unusable
	Reason     string // why not, when Computable is false
	N          int
	Mean       float64
	SD         float64 // sample standard deviation; 0 when N < 2
	// Median is the middle answer, or halfway between the two middle
	// answers when N is even.
	Median float64
	Counts Histogram // a copy of the counts, without zero entries
}

// Summarise describes the answers counted in h.
func Summarise(h Histogram) Summary {
	vs, why := levels(h)
	if why != "" {
		return Summary{Reason: why}
	}
	n, mean, ss := moments(h, vs)
	if n == 0 {
		return Summary{Reason: reasonEmpty}
	}
	s := Summary{Computable: true, N: int(n), Mean: mean, Counts: Histogram{}}
	if n > 1 {
		s.SD = math.Sqrt(ss / (n - 1))
	}
	for _, v := range vs {
		s.Counts[v] = h[v]
	}
	s.Median = median(h, vs, s.N)
	if !allFinite(s.Mean, s.SD, s.Median) {
		return Summary{Reason: reasonOverflow}
	}
	return s
}

// median of n answers counted in h at the levels vs (in order).
func median(h Histogram, vs []int, n int) float64 {
	at := func(k int) int { // the value of the k-th answer (0-based) in order
		for _, v := range vs {
			if k < h[v] {
				return v
			}
			k -= h[v]
		}
		return vs[len(vs)-1]
	}
	if n%2 == 1 {
		return float64(at(n / 2))
	}
	return (float64(at(n/2-1)) + float64(at(n/2))) / 2
}
