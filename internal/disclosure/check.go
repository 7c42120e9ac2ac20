package disclosure

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"
)

// Figure is one figure a round's outputs publish: a measure of a group
// (Measure -1 for its number of people), as shown.
type Figure struct {
	Key     Key
	Measure int
	Value   int
}

// Published is everything a round's outputs show, gathered from them.
type Published struct {
	Figures []Figure
	// Rounding is the base counts are rounded to (0 or 1 for none).
	Rounding int
}

// Leak is a figure about fewer than the minimum number of people that is
// shown, or can be worked out from what is shown.
type Leak struct {
	// Group names the people: a population and their answers to some
	// breakdown questions.
	Group string
	// Measure is -1 for the group's number of people.
	Measure int
	Size    int // the group's number of people
	Value   int // the figure that can be worked out
	How     string
	// ThroughZeros is set on a count fixed only with the help of shown
	// zeros: a shown group of at least Min people, none of whom gave an
	// answer, says so of every part of it, and subtracting the other
	// parts' counts can then leave a small part's. Protect does not
	// prevent these (see its comment); Check reports them so that they
	// can be counted and read.
	ThroughZeros bool
}

func (l Leak) String() string {
	what := "its number of people"
	if l.Measure >= 0 {
		what = fmt.Sprintf("its count of measure %d (%d)", l.Measure, l.Value)
	}
	return fmt.Sprintf("%s, %d people: %s %s", l.Group, l.Size, what, l.How)
}

// lpLimit bounds the problems Check solves linear programs for: past it,
// Check takes as forced to zero only cells in a shown group with none,
// which may miss a zero that several groups force together.
const lpLimit = 600

// Check is the auditor. It takes a round as it is (pr: every cell, with
// its true sizes and measures) and what its outputs show (pub), and
// reports every leak it finds:
//
//   - a shown figure of a group with 1 to Min-1 people;
//   - a shown figure that differs from the truth by more than rounding;
//   - a group with 1 to Min-1 people whose size is fixed by the shown
//     sizes: the range of values it could take given them collapses to
//     one. Groups are every combination of answers to any breakdown
//     questions, not only those the tables show, in each population, and
//     each atom. The service shows a group with no people as hidden too,
//     so a hidden group may hold no one, and every atom holds at least one
//     person: the true sizes lie inside every bound of the range, which
//     therefore collapses exactly when the size is a sum and difference of
//     shown sizes;
//   - such a group whose count of a measure is a sum and difference of
//     shown counts;
//   - apart (ThroughZeros), such a group whose count of a measure is fixed
//     above zero only by the shown counts together with no count being
//     negative: the range of values it could take collapses to one.
//
// A count fixed at zero is not reported: it follows from shown groups of
// at least Min people having none of it (see docs/data-protection.md).
// Exact linear algebra finds what adding and subtracting give away; a
// linear program (gonum's simplex) finds which cells the shown counts
// force to zero, in rounds of up to lpLimit cells.
func Check(pr *Problem, pub Published) []Leak {
	leaks, _ := CheckContext(context.Background(), pr, pub, true)
	return leaks
}

// CheckContext is Check that stops when ctx is done, with the leaks found
// so far and ctx's error. Without zeros it solves no linear program, so
// counts fixed only through shown zeros are not looked for: the exact
// checks are all made, in far less time on a large round.
func CheckContext(ctx context.Context, pr *Problem, pub Published, zeros bool) ([]Leak, error) {
	u := newUniverse(pr)
	c := &checker{pr: pr, u: u, pub: pub, zeros: zeros, spans: map[string]*span{}}
	c.direct()
	c.sizes()
	for p := range pr.Pops {
		for m := range pr.Pops[p].Measures {
			if err := ctx.Err(); err != nil {
				return c.leaks, err
			}
			c.measure(p, m)
		}
	}
	return c.leaks, nil
}

type checker struct {
	pr    *Problem
	u     *universe
	pub   Published
	leaks []Leak
	zeros bool
	spans map[string]*span // by population and the groups whose counts are shown
	// counts lists, by population and measure, the groups whose counts
	// of it are shown, as often and in the order the figures show them.
	counts map[[2]int][]Key
	// cellsOf is each population's cells, by population, made when first
	// asked for.
	cellsOf map[int]*popCells
}

// span is the shown groups of one population as vectors over its cells:
// the same for every measure whose counts the same groups show, so made
// once for them all.
type span struct {
	b       *basis
	groups  []int // the groups whose vectors went in, in order
	covered []bool
	// rows are the groups' vectors over the cells as the linear program
	// takes them (read, never changed): the same for every measure.
	rows [][]float64
}

func (c *checker) leak(name string, m, size, value int, how string) {
	c.leaks = append(c.leaks, Leak{Group: name, Measure: m, Size: size, Value: value, How: how})
}

// direct checks each shown figure against the group's true figures.
func (c *checker) direct() {
	for _, f := range c.pub.Figures {
		size, value := 0, 0
		if i, ok := c.u.index[f.Key]; ok {
			size = c.u.groups[i].size
			value = size
			if f.Measure >= 0 {
				value = c.trueValue(c.u.groups[i].cells, f.Key.Pop, f.Measure)
			}
		}
		if size > 0 && size < c.pr.Min {
			c.leak(f.Key.String(), f.Measure, size, f.Value, "is shown")
		}
		base := max(c.pub.Rounding, 1)
		if d := f.Value - value; d <= -base || d >= base {
			c.leak(f.Key.String(), f.Measure, size, f.Value, fmt.Sprintf("is shown as %d but is %d", f.Value, value))
		}
	}
}

func (c *checker) trueValue(cells []int, p, m int) int {
	n := 0
	for _, ci := range cells {
		if ms := c.pr.Cells[ci].Measures; p < len(ms) && ms[p] != nil {
			n += ms[p][m]
		}
	}
	return n
}

// sizes checks that no small group's size is fixed.
func (c *checker) sizes() {
	width := len(c.u.atoms)
	b := newBasis(width)
	seen := map[Key]bool{}
	for _, f := range c.pub.Figures {
		if f.Measure != -1 || seen[f.Key] {
			continue
		}
		seen[f.Key] = true
		if i, ok := c.u.index[f.Key]; ok { // a group with no people constrains nothing
			b.add(c.u.vector(i), 0)
		}
	}
	v := make([]uint64, width) // one vector for every small set and atom in turn
	for _, sets := range c.u.candidates() {
		for _, s := range sets {
			if s.size >= c.pr.Min {
				continue
			}
			clear(v)
			for _, a := range s.atoms {
				v[a] = 1
			}
			if b.spans(v) {
				c.leak(s.name, -1, s.size, s.size, "is a sum and difference of shown sizes")
			}
		}
	}
	for i, a := range c.u.atoms {
		if a.n < c.pr.Min {
			clear(v)
			v[i] = 1
			if b.spans(v) {
				c.leak(fmt.Sprintf("cell %v, populations %b", c.pr.Cells[a.cell].Values, a.pops), -1, a.n, a.n, "is a sum and difference of shown sizes")
			}
		}
	}
}

// measure checks that no small group's count of one measure is fixed
// above zero.
func (c *checker) measure(p, m int) {
	pc := c.popCells(p)
	col, cells := pc.col, pc.cells
	width := len(cells)
	truth := make([]float64, width)
	for j, ci := range cells {
		if ms := c.pr.Cells[ci].Measures; p < len(ms) && ms[p] != nil {
			truth[j] = float64(ms[p][m])
		}
	}
	if c.counts == nil { // the shown counts' groups, by population and measure, in the order shown
		c.counts = map[[2]int][]Key{}
		for _, f := range c.pub.Figures {
			if f.Measure >= 0 {
				pm := [2]int{f.Key.Pop, f.Measure}
				c.counts[pm] = append(c.counts[pm], f.Key)
			}
		}
	}
	seen := map[Key]bool{}
	var shown []int
	for _, k := range c.counts[[2]int{p, m}] {
		if seen[k] {
			continue
		}
		seen[k] = true
		if i, ok := c.u.index[k]; ok {
			shown = append(shown, i)
		}
	}
	sp := c.span(p, shown, col, width)
	b, covered := sp.b, sp.covered
	rows := sp.rows
	rhs := make([]float64, len(sp.groups))
	for r, i := range sp.groups {
		sum := 0.0
		for _, ci := range c.u.groups[i].cells {
			sum += truth[col[ci]]
		}
		rhs[r] = sum
	}
	var small []set
	for _, s := range c.u.sets(p) {
		if s.size < c.pr.Min && c.trueValue(s.cells, p, m) > 0 {
			small = append(small, s)
		}
	}
	if len(small) == 0 || len(rows) == 0 {
		return
	}
	// The cells known to have none: those no feasible count can make
	// positive.
	var zero []int
	if c.zeros {
		zero = forcedZero(rows, rhs, truth, covered)
	}
	z := newBasis(width)
	for _, j := range zero {
		e := make([]uint64, width)
		e[j] = 1
		z.add(b.residual(e), 0)
	}
	v := make([]uint64, width) // one vector for every small set in turn
	for _, s := range small {
		clear(v)
		for _, ci := range s.cells {
			v[col[ci]] = 1
		}
		b.reduceIn(v) // v is now its residual
		if !slices.ContainsFunc(v, func(x uint64) bool { return x != 0 }) {
			c.leak(s.name, m, s.size, c.trueValue(s.cells, p, m), "is a sum and difference of shown counts")
		} else if z.spans(v) {
			c.leaks = append(c.leaks, Leak{Group: s.name, Measure: m, Size: s.size, Value: c.trueValue(s.cells, p, m),
				How: "is fixed by the shown counts together with the zeros they show", ThroughZeros: true})
		}
	}
}

// popCells is the cells with people of one population, in the order of
// their first atom, and each one's column (its index in cells).
type popCells struct {
	col   map[int]int
	cells []int
}

// popCells returns population p's cells, made once for all its measures.
func (c *checker) popCells(p int) *popCells {
	if pc, ok := c.cellsOf[p]; ok {
		return pc
	}
	pc := &popCells{col: map[int]int{}}
	for _, a := range c.u.atoms {
		if a.pops.Has(p) {
			if _, ok := pc.col[a.cell]; !ok {
				pc.col[a.cell] = len(pc.cells)
				pc.cells = append(pc.cells, a.cell)
			}
		}
	}
	if c.cellsOf == nil {
		c.cellsOf = map[int]*popCells{}
	}
	c.cellsOf[p] = pc
	return pc
}

// span returns the span of the given groups of population p over its
// cells (col), made once for each set of groups.
func (c *checker) span(p int, groups []int, col map[int]int, width int) *span {
	key := make([]byte, 0, 4*(len(groups)+1))
	key = binary.AppendUvarint(key, uint64(p))
	for _, i := range groups {
		key = binary.AppendUvarint(key, uint64(i))
	}
	if sp, ok := c.spans[string(key)]; ok {
		return sp
	}
	sp := &span{b: newBasis(width), covered: make([]bool, width)}
	for _, i := range groups {
		v := make([]uint64, width)
		for _, ci := range c.u.groups[i].cells {
			j := col[ci]
			v[j], sp.covered[j] = 1, true
		}
		if sp.b.add(v, 0) {
			sp.groups = append(sp.groups, i)
		}
	}
	for _, i := range sp.groups {
		row := make([]float64, width)
		for _, ci := range c.u.groups[i].cells {
			row[col[ci]] = 1
		}
		sp.rows = append(sp.rows, row)
	}
	c.spans[string(key)] = sp
	return sp
}

// forcedZero lists the columns with a true value of 0 that every
// solution of rows·x = rhs, x ≥ 0 has at 0. Columns in no row are free.
// Past lpLimit columns it takes only those in a row whose total is 0.
func forcedZero(rows [][]float64, rhs, truth []float64, covered []bool) []int {
	var candidates []int
	for j, t := range truth {
		if t == 0 && covered[j] {
			candidates = append(candidates, j)
		}
	}
	if len(candidates) == 0 {
		return nil
	}
	if len(truth) > lpLimit {
		var out []int
		for _, j := range candidates {
			for i, row := range rows {
				if row[j] != 0 && rhs[i] == 0 {
					out = append(out, j)
					break
				}
			}
		}
		return out
	}
	// The linear program: maximise the sum of the candidates not yet
	// known to be free, each at most 1 (so that it is bounded), over the
	// covered columns (gonum refuses a column of zeros), with a slack for
	// each bound. A candidate positive in the answer is free; repeat until
	// the best sum is 0.
	var cols []int
	for j := range truth {
		if covered[j] {
			cols = append(cols, j)
		}
	}
	// A candidate whose column is a combination of columns of cells that
	// have some of the measure can be raised, lowering those: free, with
	// no linear program.
	free := map[int]bool{}
	colBasis := newBasis(len(rows))
	column := func(j int) []uint64 {
		v := make([]uint64, len(rows))
		for i, row := range rows {
			if row[j] != 0 {
				v[i] = uint64(row[j])
			}
		}
		return v
	}
	for j, t := range truth {
		if t != 0 && covered[j] {
			colBasis.add(column(j), 0)
		}
	}
	for _, j := range candidates {
		if in, _ := colBasis.contains(column(j)); in {
			free[j] = true
		}
	}
	for {
		var open []int
		for k, j := range cols {
			if truth[j] == 0 && !free[j] {
				open = append(open, k)
			}
		}
		if len(open) == 0 {
			break
		}
		width := len(cols) + len(open)
		a := mat.NewDense(len(rows)+len(open), width, nil)
		b := make([]float64, len(rows)+len(open))
		for i, row := range rows {
			for k, j := range cols {
				a.Set(i, k, row[j])
			}
			b[i] = rhs[i]
		}
		obj := make([]float64, width)
		for o, k := range open {
			i := len(rows) + o
			a.Set(i, k, 1)
			a.Set(i, len(cols)+o, 1)
			b[i] = 1
			obj[k] = -1
		}
		opt, x, err := lp.Simplex(obj, a, b, 1e-9, nil)
		if err != nil || -opt < 1e-6 {
			break // on a failure nothing more is freed: the check stays strict
		}
		for _, k := range open {
			if x[k] > 1e-6 {
				free[cols[k]] = true
			}
		}
	}
	var out []int
	for _, j := range candidates {
		if !free[j] {
			out = append(out, j)
		}
	}
	slices.Sort(out)
	return out
}
