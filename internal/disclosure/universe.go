// Package disclosure decides which groups of people a round's figures may
// be shown for, so that no figure about fewer than a minimum number of
// people is shown or can be worked out by adding and subtracting what is
// shown, and checks, independently, that the figures a service publishes
// keep that promise (Check).
//
// The people of a round are split into atoms: everyone who gave the same
// answers to the breakdown questions (a Cell) and is in the same
// populations (asked the same conditional strands, come through an
// invitation or not). Every figure a report shows is about a group: the
// people of one population whose cell matches a filter of at most two
// breakdown answers (a Key). A group is a set of atoms, so what can be
// worked out from shown groups is a question of linear algebra over atoms
// (span.go).
package disclosure

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Problem is a round as the protection sees it.
type Problem struct {
	// Dims is the number of breakdown questions: every cell has a value
	// for each ("" for no answer).
	Dims int
	// Pops are the populations. The first is everyone, which every atom is
	// in.
	Pops []Population
	// Cells are the round's non-empty cells.
	Cells []Cell
	// Min is the smallest group whose figures may be shown.
	Min int
	// Settled, if set, has already decided the groups of the first
	// SettledPops populations: Protect keeps each as it is, shown or
	// hidden, and hides only groups of the others to protect a small
	// group. A multiple-choice option's choosers are protected so, one
	// option at a time, beside the groups of the round already chosen.
	Settled     *Pattern
	SettledPops int
}

// Population says in which tables a population's groups are published.
type Population struct {
	Name string
	// MaxWay is how many breakdown answers a filter of its groups may
	// name: 2 for the total, every breakdown and every crossing of two.
	MaxWay int
	// Dims, if set, are the only breakdowns its groups may be filtered by.
	Dims []int
	// Measures is how many figures each of its groups has besides its
	// size: one per answer key and value, for instance.
	Measures int
	// Within is the population it is part of (0, everyone, by default):
	// the people of that population not in this one are as much a group
	// as those in it. The people who chose an option of a multiple choice
	// are a population within those asked the question: those asked who
	// did not choose it must not be few either.
	Within int
}

// Cell is the people who gave one set of answers to the breakdown
// questions.
type Cell struct {
	Values []string
	// Sizes counts the cell's people by the populations they are in (bit i
	// for population i; bit 0, everyone, is always set): its atoms.
	Sizes map[Pops]int
	// Measures[p] are, for population p, its measures summed over the
	// cell's people in it; nil where the cell has none of them.
	Measures [][]int
}

// Pops is a set of populations, by index.
type Pops uint64

// Has reports whether population p is in the set.
func (s Pops) Has(p int) bool { return s&(1<<p) != 0 }

// Key names a group: a population and a filter of up to two breakdown
// answers, the breakdowns in increasing order (Dim -1 where unused).
type Key struct {
	Pop   int
	Dim   [2]int
	Value [2]string
}

// Total is the key of a population's whole.
func Total(pop int) Key { return Key{Pop: pop, Dim: [2]int{-1, -1}} }

// Way is how many breakdown answers the key names.
func (k Key) Way() int {
	n := 0
	for _, d := range k.Dim {
		if d >= 0 {
			n++
		}
	}
	return n
}

// With returns the key narrowed to one more breakdown answer, or false if
// it names that breakdown already or names two.
func (k Key) With(dim int, value string) (Key, bool) {
	switch {
	case k.Dim[0] < 0:
		k.Dim[0], k.Value[0] = dim, value
	case k.Dim[1] < 0 && k.Dim[0] != dim:
		k.Dim[1], k.Value[1] = dim, value
		if k.Dim[1] < k.Dim[0] {
			k.Dim[0], k.Dim[1] = k.Dim[1], k.Dim[0]
			k.Value[0], k.Value[1] = k.Value[1], k.Value[0]
		}
	default:
		return k, false
	}
	return k, true
}

// without returns the key with its i-th breakdown answer dropped.
func (k Key) without(i int) Key {
	out := Total(k.Pop)
	if j := 1 - i; k.Dim[j] >= 0 {
		out.Dim[0], out.Value[0] = k.Dim[j], k.Value[j]
	}
	return out
}

// Matches reports whether a cell's values fall in the key's filter.
func (k Key) Matches(values []string) bool {
	for i, d := range k.Dim {
		if d >= 0 && values[d] != k.Value[i] {
			return false
		}
	}
	return true
}

func (k Key) String() string {
	var parts []string
	for i, d := range k.Dim {
		if d >= 0 {
			parts = append(parts, strconv.Itoa(d)+"="+k.Value[i])
		}
	}
	return "population " + strconv.Itoa(k.Pop) + " [" + strings.Join(parts, " ") + "]"
}

// universe is every group the round's tables can show, with the atoms and
// cells each holds and the lines they make up.
type universe struct {
	pr     *Problem
	atoms  []atom
	groups []group
	index  map[Key]int
	lines  []line
	setsOf [][]set // per population, made when first asked for
}

// atom is the people of one cell in one set of populations.
type atom struct {
	cell int
	pops Pops
	n    int
}

type group struct {
	key   Key
	atoms []int // indexes in universe.atoms
	cells []int // indexes in Problem.Cells of the cells with people of key.Pop
	size  int
	lines []int // the lines it is one part of
}

// line is a group (the parent) split into parts by the answers to one more
// breakdown: the parts add up to the parent, so that hiding one part alone
// hides nothing.
type line struct {
	parent int
	parts  []int
}

// dimsOf lists the breakdowns a population's groups may be filtered by.
func (pr *Problem) dimsOf(p int) []int {
	if pr.Pops[p].Dims != nil {
		return pr.Pops[p].Dims
	}
	all := make([]int, pr.Dims)
	for i := range all {
		all[i] = i
	}
	return all
}

// appendKeys appends the keys of population p's groups that hold a cell,
// its breakdowns being dims (dimsOf).
func (pr *Problem) appendKeys(keys []Key, p int, dims []int, values []string) []Key {
	keys = append(keys, Total(p))
	if pr.Pops[p].MaxWay < 1 {
		return keys
	}
	for i, d := range dims {
		one, _ := Total(p).With(d, values[d])
		keys = append(keys, one)
		if pr.Pops[p].MaxWay < 2 {
			continue
		}
		for _, e := range dims[i+1:] {
			two, _ := one.With(e, values[e])
			keys = append(keys, two)
		}
	}
	return keys
}

// sig is a set of populations (bit 0 set) and a number of people in it.
type sig struct {
	pops Pops
	n    int
}

func newUniverse(pr *Problem) *universe {
	u := &universe{pr: pr, index: map[Key]int{}}
	groupOf := func(k Key) int {
		i, ok := u.index[k]
		if !ok {
			i = len(u.groups)
			u.index[k] = i
			u.groups = append(u.groups, group{key: k})
		}
		return i
	}
	dims := make([][]int, len(pr.Pops))
	for p := range pr.Pops {
		dims[p] = pr.dimsOf(p)
	}
	// Every atom of a cell in population p is in the same groups of p:
	// they are found at its first atom in p (groupsOf[p], known[p]), in
	// the order keys lists them, and kept for the others.
	var (
		sigs     []sig
		keys     []Key
		groupsOf = make([][]int, len(pr.Pops))
		known    = make([]bool, len(pr.Pops))
	)
	for ci, c := range pr.Cells {
		// The cell's atoms: its sizes by populations with everyone added,
		// in increasing order, each with people.
		sigs = sigs[:0]
		for s, n := range c.Sizes {
			sigs = append(sigs, sig{s | 1, n})
		}
		slices.SortFunc(sigs, func(a, b sig) int { return cmp.Compare(a.pops, b.pops) })
		clear(known)
		for i := 0; i < len(sigs); {
			s, n, any := sigs[i].pops, 0, false
			for ; i < len(sigs) && sigs[i].pops == s; i++ {
				n += sigs[i].n
				any = any || sigs[i].n > 0
			}
			if !any {
				continue
			}
			ai := len(u.atoms)
			u.atoms = append(u.atoms, atom{cell: ci, pops: s, n: n})
			for p := range pr.Pops {
				if !s.Has(p) {
					continue
				}
				if !known[p] {
					known[p] = true
					keys = pr.appendKeys(keys[:0], p, dims[p], c.Values)
					groupsOf[p] = groupsOf[p][:0]
					for _, k := range keys {
						groupsOf[p] = append(groupsOf[p], groupOf(k))
					}
				}
				for _, gi := range groupsOf[p] {
					g := &u.groups[gi]
					g.atoms = append(g.atoms, ai)
					g.size += n
					if len(g.cells) == 0 || g.cells[len(g.cells)-1] != ci {
						g.cells = append(g.cells, ci)
					}
				}
			}
		}
	}
	// Lines: each group of two answers is a part of the line of each group
	// of one answer it narrows, split by the other; each group of one
	// answer is a part of its population's total, split by its breakdown.
	lineOf := map[[2]int]int{}
	for gi := range u.groups {
		k := u.groups[gi].key
		for i := range k.Way() {
			parent := u.index[k.without(i)]
			lk := [2]int{parent, k.Dim[i]}
			li, ok := lineOf[lk]
			if !ok {
				li = len(u.lines)
				lineOf[lk] = li
				u.lines = append(u.lines, line{parent: parent})
			}
			u.lines[li].parts = append(u.lines[li].parts, gi)
			u.groups[gi].lines = append(u.groups[gi].lines, li)
		}
	}
	return u
}

// vector is a group's atoms as a 0/1 vector.
func (u *universe) vector(g int) []uint64 {
	v := make([]uint64, len(u.atoms))
	for _, a := range u.groups[g].atoms {
		v[a] = 1
	}
	return v
}

// set is a group of any way: the people of one population whose cells
// agree on some breakdowns, whether or not a table shows it. Reports show
// groups of up to two breakdowns, but a group of three can be just as
// small, and is protected as well.
type set struct {
	name  string
	atoms []int
	cells []int
	size  int
}

// candidates lists every set of people whose size must not be worked
// out when small: every group of each population, of any way (sets), and
// of the people not in each population but the first (a round's group
// less its invited, or less those asked a strand, is as small as it is),
// within the population it is part of (Population.Within).
func (u *universe) candidates() [][]set {
	var out [][]set
	for p := range u.pr.Pops {
		out = append(out, u.sets(p))
	}
	for p := 1; p < len(u.pr.Pops); p++ {
		out = append(out, u.sets(-p))
	}
	return out
}

// sets lists every group of population p, of any way, with people; for a
// negative p, every group of the people not in population -p. The sets
// come in the order their first atom is met, and within an atom by the
// breakdowns they are filtered by (a bit mask, smallest first).
func (u *universe) sets(p int) []set {
	if u.setsOf == nil {
		u.setsOf = make([][]set, 2*len(u.pr.Pops))
	}
	slot, in, prefix := p, true, "population "+strconv.Itoa(p)+" ["
	if p < 0 {
		slot, in, prefix, p = len(u.pr.Pops)-p, false, "not in population "+strconv.Itoa(-p)+" [", -p
	}
	if u.setsOf[slot] != nil {
		return u.setsOf[slot]
	}
	// A set is named by the population and its filter's answers; the name
	// is also its key, made in one buffer and kept only for a new set
	// (looking a []byte up as a string does not copy it). Every atom of a
	// cell is in the same sets, so they are looked up once a run of a
	// cell's atoms (they are next to each other). The sets' atoms and
	// cells are counted first, then put in slices of one array each.
	index := map[string]int{}
	var out []set
	var buf []byte
	masks := 1 << u.pr.Dims
	var (
		quals  []int // the atoms in the sets, in order
		starts []int // where in quals each run of one cell's atoms starts
		of     []int // each run's sets, by mask
		atoms  []int // how many atoms each set has
		cells  []int // and how many cells
		last   []int // the last cell counted in each set
	)
	cell := -1
	within := u.pr.Pops[p].Within
	for ai, a := range u.atoms {
		if a.pops.Has(p) != in || !in && !a.pops.Has(within) {
			continue
		}
		if a.cell != cell {
			cell = a.cell
			starts = append(starts, len(quals))
			values := u.pr.Cells[cell].Values
			for mask := range masks {
				buf = append(buf[:0], prefix...)
				for d := range u.pr.Dims {
					if mask&(1<<d) != 0 {
						buf = append(buf, ' ')
						buf = strconv.AppendInt(buf, int64(d), 10)
						buf = append(buf, '=')
						buf = append(buf, values[d]...)
					}
				}
				buf = append(buf, " ]"...)
				i, ok := index[string(buf)]
				if !ok {
					i = len(out)
					name := string(buf)
					index[name] = i
					out = append(out, set{name: name})
					atoms, cells, last = append(atoms, 0), append(cells, 0), append(last, -1)
				}
				of = append(of, i)
				if last[i] != cell {
					last[i] = cell
					cells[i]++
				}
			}
		}
		quals = append(quals, ai)
		for _, i := range of[len(of)-masks:] {
			atoms[i]++
			out[i].size += a.n
		}
	}
	atomsAll, cellsAll := make([]int, 0, len(quals)*masks), make([]int, 0, len(starts)*masks)
	for i := range out {
		out[i].atoms = atomsAll[len(atomsAll) : len(atomsAll) : len(atomsAll)+atoms[i]]
		atomsAll = atomsAll[:len(atomsAll)+atoms[i]]
		out[i].cells = cellsAll[len(cellsAll) : len(cellsAll) : len(cellsAll)+cells[i]]
		cellsAll = cellsAll[:len(cellsAll)+cells[i]]
	}
	starts = append(starts, len(quals))
	for r := range len(starts) - 1 {
		for _, ai := range quals[starts[r]:starts[r+1]] {
			c := u.atoms[ai].cell
			for _, i := range of[r*masks : (r+1)*masks] {
				s := &out[i]
				s.atoms = append(s.atoms, ai)
				if len(s.cells) == 0 || s.cells[len(s.cells)-1] != c {
					s.cells = append(s.cells, c)
				}
			}
		}
	}
	u.setsOf[slot] = out
	return out
}

// GroupOf is one group of a round, as Pattern.Groups lists them.
type GroupOf struct {
	Key   Key
	Cells []int // indexes in Problem.Cells of the cells with people in it
	Size  int
}
