package disclosure

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// refUniverse is newUniverse as it was first written (the keys of each
// population listed afresh for every atom), kept as the reference.
func refUniverse(pr *Problem) *universe {
	u := &universe{pr: pr, index: map[Key]int{}}
	groupOf := func(k Key) *group {
		i, ok := u.index[k]
		if !ok {
			i = len(u.groups)
			u.index[k] = i
			u.groups = append(u.groups, group{key: k})
		}
		return &u.groups[i]
	}
	keysOf := func(p int, values []string) []Key {
		keys := []Key{Total(p)}
		if pr.Pops[p].MaxWay < 1 {
			return keys
		}
		dims := pr.dimsOf(p)
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
	for ci, c := range pr.Cells {
		sigs := make([]Pops, 0, len(c.Sizes))
		for s, n := range c.Sizes {
			if n > 0 {
				sigs = append(sigs, s|1)
			}
		}
		slices.Sort(sigs)
		sigs = slices.Compact(sigs)
		for _, s := range sigs {
			ai := len(u.atoms)
			n := 0
			for t, m := range c.Sizes {
				if t|1 == s {
					n += m
				}
			}
			u.atoms = append(u.atoms, atom{cell: ci, pops: s, n: n})
			for p := range pr.Pops {
				if !s.Has(p) {
					continue
				}
				for _, k := range keysOf(p, c.Values) {
					g := groupOf(k)
					g.atoms = append(g.atoms, ai)
					g.size += n
					if len(g.cells) == 0 || g.cells[len(g.cells)-1] != ci {
						g.cells = append(g.cells, ci)
					}
				}
			}
		}
	}
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

// refSets is sets as it was first written (a name made with fmt for every
// atom and filter), kept as the reference the faster one must match.
func refSets(u *universe, p int) []set {
	slot, in, name := p, true, fmt.Sprintf("population %d", p)
	if p < 0 {
		slot, in, name, p = len(u.pr.Pops)-p, false, fmt.Sprintf("not in population %d", -p), -p
	}
	_ = slot
	index := map[string]int{}
	var out []set
	within := u.pr.Pops[p].Within
	for ai, a := range u.atoms {
		if a.pops.Has(p) != in || !in && !a.pops.Has(within) {
			continue
		}
		values := u.pr.Cells[a.cell].Values
		for mask := 0; mask < 1<<u.pr.Dims; mask++ {
			var b strings.Builder
			fmt.Fprintf(&b, "%s [", name)
			for d := range u.pr.Dims {
				if mask&(1<<d) != 0 {
					fmt.Fprintf(&b, " %d=%s", d, values[d])
				}
			}
			b.WriteString(" ]")
			name := b.String()
			i, ok := index[name]
			if !ok {
				i = len(out)
				index[name] = i
				out = append(out, set{name: name})
			}
			s := &out[i]
			s.atoms = append(s.atoms, ai)
			s.size += a.n
			if len(s.cells) == 0 || s.cells[len(s.cells)-1] != a.cell {
				s.cells = append(s.cells, a.cell)
			}
		}
	}
	return out
}

// refSizes is checker.sizes as it was first written: a fresh vector for
// every small set and atom, copied again by contains.
func refSizes(pr *Problem, pub Published) []Leak {
	u := newUniverse(pr)
	c := &checker{pr: pr, u: u, pub: pub}
	width := len(u.atoms)
	b := newBasis(width)
	seen := map[Key]bool{}
	for _, f := range pub.Figures {
		if f.Measure != -1 || seen[f.Key] {
			continue
		}
		seen[f.Key] = true
		if i, ok := u.index[f.Key]; ok {
			b.add(u.vector(i), 0)
		}
	}
	var all [][]set
	for p := range pr.Pops {
		all = append(all, refSets(u, p))
	}
	for p := 1; p < len(pr.Pops); p++ {
		all = append(all, refSets(u, -p))
	}
	for _, sets := range all {
		for _, s := range sets {
			if s.size >= pr.Min {
				continue
			}
			v := make([]uint64, width)
			for _, a := range s.atoms {
				v[a] = 1
			}
			if in, _ := b.contains(v); in {
				c.leak(s.name, -1, s.size, s.size, "is a sum and difference of shown sizes")
			}
		}
	}
	for i, a := range u.atoms {
		if a.n < pr.Min {
			v := make([]uint64, width)
			v[i] = 1
			if in, _ := b.contains(v); in {
				c.leak(fmt.Sprintf("cell %v, populations %b", pr.Cells[a.cell].Values, a.pops), -1, a.n, a.n, "is a sum and difference of shown sizes")
			}
		}
	}
	return c.leaks
}

// pairsLike is a round as the "what changed most" view checks it: the
// round's populations, then for each strand those paired on it and those
// not, most people paired on all or none, an eighth on a random few; what
// is published is the round's shown groups and the number paired on each
// strand.
func pairsLike(rng *rand.Rand, n, strands int) (*Problem, Published) {
	pr := realistic(rng, n, 2, 1, 2)
	pat := Protect(pr)
	var pub Published
	for _, g := range pat.Groups() {
		if pat.Shown(g.Key) {
			pub.Figures = append(pub.Figures, Figure{Key: g.Key, Measure: -1, Value: g.Size})
		}
	}
	base := len(pr.Pops)
	for p := range pr.Pops {
		pr.Pops[p].Measures = 0
	}
	for i := range strands {
		pr.Pops = append(pr.Pops, Population{Name: fmt.Sprint("paired ", i)}, Population{Name: fmt.Sprint("not paired ", i)})
	}
	paired := make([]int, strands)
	for ci := range pr.Cells {
		sizes := map[Pops]int{}
		for sig, k := range pr.Cells[ci].Sizes {
			for range k {
				s := sig
				mixed := rng.IntN(8) == 0 // most people are paired on every strand they answered, or on none
				all := rng.IntN(3)
				for i := range strands {
					state := all
					if mixed {
						state = rng.IntN(3)
					}
					switch state {
					case 0:
						s |= 1 << (base + 2*i)
						paired[i]++
					case 1:
						s |= 1 << (base + 2*i + 1)
					}
				}
				sizes[s]++
			}
		}
		pr.Cells[ci].Sizes = sizes
		pr.Cells[ci].Measures = nil
	}
	for i, k := range paired {
		pub.Figures = append(pub.Figures, Figure{Key: Total(base + 2*i), Measure: -1, Value: k})
	}
	return pr, pub
}

// TestSetsMatchReference pins the universe, its sets and the size check
// to the code they were first written as: the same atoms, groups and
// lines, the same sets (names, atoms, cells, sizes) in the
// same order, in every population and every population's complement, and
// the same leaks in the same order, on random rounds of every shape the
// tests make, with answers that hold spaces and "=" as well.
func TestSetsMatchReference(t *testing.T) {
	type round struct {
		pr  *Problem
		pub Published
	}
	var rounds []round
	for seed := range uint64(60) {
		rng := rand.New(rand.NewPCG(seed, 28))
		pr := randomProblem(rng)
		if seed%3 == 0 { // answers that could run into one another's names
			for ci := range pr.Cells {
				for d, v := range pr.Cells[ci].Values {
					if rng.IntN(2) == 0 {
						pr.Cells[ci].Values[d] = v + " 1=" + v
					}
				}
			}
		}
		if seed%4 == 1 { // sizes kept without everyone's bit, and sizes of 0
			for ci := range pr.Cells {
				for sig, n := range pr.Cells[ci].Sizes {
					if n > 1 && rng.IntN(2) == 0 {
						pr.Cells[ci].Sizes[sig] = n - 1
						pr.Cells[ci].Sizes[sig&^1]++
					}
				}
				pr.Cells[ci].Sizes[Pops(rng.IntN(8))<<1|1] += 0
			}
		}
		pub := publishAll(pr, Protect(pr))
		if seed%2 == 0 { // show some small groups too
			for _, g := range newUniverse(pr).groups {
				if g.size < pr.Min && rng.IntN(2) == 0 {
					pub.Figures = append(pub.Figures, Figure{Key: g.key, Measure: -1, Value: g.size})
				}
			}
		}
		rounds = append(rounds, round{pr, pub})
	}
	for seed := range uint64(3) {
		pr, pub := pairsLike(rand.New(rand.NewPCG(seed, 29)), 150+int(seed)*50, 2+int(seed))
		rounds = append(rounds, round{pr, pub})
	}
	leaked := 0
	for r, x := range rounds {
		u, ref := newUniverse(x.pr), refUniverse(x.pr)
		if !reflect.DeepEqual(u.atoms, ref.atoms) || !reflect.DeepEqual(u.groups, ref.groups) ||
			!reflect.DeepEqual(u.index, ref.index) || !reflect.DeepEqual(u.lines, ref.lines) {
			t.Fatalf("round %d: the universe differs from the reference", r)
		}
		for p := range x.pr.Pops {
			for _, q := range []int{p, -p} {
				if q == 0 && p != 0 {
					continue
				}
				got, want := u.sets(q), refSets(u, q)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("round %d, population %d: sets differ from the reference:\n got %v\nwant %v", r, q, got, want)
				}
			}
		}
		c := &checker{pr: x.pr, u: newUniverse(x.pr), pub: x.pub}
		c.sizes()
		if want := refSizes(x.pr, x.pub); !reflect.DeepEqual(c.leaks, want) {
			t.Fatalf("round %d: size leaks differ from the reference:\n got %v\nwant %v", r, c.leaks, want)
		}
		leaked += len(c.leaks)
	}
	if leaked == 0 {
		t.Fatal("no round leaked: the comparison of leaks proves nothing")
	}
	t.Logf("%d rounds, %d size leaks compared", len(rounds), leaked)
}
