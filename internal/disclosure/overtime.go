package disclosure

import (
	"context"
	"fmt"
	"slices"
	"strconv"
)

// Reading is what a reader saw of a round at one moment: figures of groups
// of the people who had answered by then, those of epochs 1 to Epoch.
type Reading struct {
	Epoch   int
	Figures []Figure
}

// EpochDim joins the people of a round who answered in each epoch (one
// problem each, alike but for their cells: epochs[0] those who answered
// before the first reading, epochs[1] between the first and the second,
// and so on) into one problem whose cells have one more breakdown value,
// their epoch ("1", "2", …), so that the people who came between two
// readings are groups of their own.
func EpochDim(epochs []*Problem) *Problem {
	first := epochs[0]
	out := &Problem{Dims: first.Dims + 1, Pops: first.Pops, Min: first.Min}
	for e, pr := range epochs {
		for _, c := range pr.Cells {
			values := append(slices.Clone(c.Values), strconv.Itoa(e+1))
			out.Cells = append(out.Cells, Cell{Values: values, Sizes: c.Sizes})
		}
	}
	return out
}

// CheckReadings is the auditor over time. pr is a round split by epoch
// (EpochDim: its last breakdown is the epoch), and readings are what was
// shown of it at several moments, each figure's group named over the
// round's other breakdowns. It reports every group of 1 to Min-1 people,
// of any combination of answers and epoch, in any population, and every
// small atom, whose size is a sum and difference of the sizes read, across
// every reading together: two readings of a group differing by one person
// give that person's figures away. Every figure of a group is a sum over
// its people as its size is, so sizes are what is checked (as Check's do).
// It stops when ctx is done.
func CheckReadings(ctx context.Context, pr *Problem, readings []Reading) ([]Leak, error) {
	u := newUniverse(pr)
	epochDim := pr.Dims - 1
	epochOf := func(a atom) int {
		e, _ := strconv.Atoi(pr.Cells[a.cell].Values[epochDim])
		return e
	}
	b := newBasis(len(u.atoms))
	var leaks []Leak
	for _, r := range readings {
		for _, f := range r.Figures {
			if f.Measure != -1 {
				continue
			}
			v := make([]uint64, len(u.atoms))
			size := 0
			for i, a := range u.atoms {
				if a.pops.Has(f.Key.Pop) && epochOf(a) <= r.Epoch && f.Key.Matches(pr.Cells[a.cell].Values) {
					v[i] = 1
					size += a.n
				}
			}
			if size > 0 && size < pr.Min {
				leaks = append(leaks, Leak{Group: fmt.Sprintf("%v in reading %d", f.Key, r.Epoch), Measure: -1, Size: size, Value: f.Value, How: "is shown"})
			}
			b.add(v, 0)
		}
		if err := ctx.Err(); err != nil {
			return leaks, err
		}
	}
	for _, sets := range u.candidates() {
		for _, s := range sets {
			if s.size >= pr.Min {
				continue
			}
			v := make([]uint64, len(u.atoms))
			for _, a := range s.atoms {
				v[a] = 1
			}
			if in, _ := b.contains(v); in {
				leaks = append(leaks, Leak{Group: s.name + " (the last breakdown is when they answered)", Measure: -1, Size: s.size, Value: s.size,
					How: "is a sum and difference of the sizes read over time"})
			}
		}
		if err := ctx.Err(); err != nil {
			return leaks, err
		}
	}
	for i, a := range u.atoms {
		if a.n >= pr.Min {
			continue
		}
		v := make([]uint64, len(u.atoms))
		v[i] = 1
		if in, _ := b.contains(v); in {
			leaks = append(leaks, Leak{Group: fmt.Sprintf("cell %v (the last value is when they answered), populations %b", pr.Cells[a.cell].Values, a.pops),
				Measure: -1, Size: a.n, Value: a.n, How: "is a sum and difference of the sizes read over time"})
		}
	}
	return leaks, nil
}
