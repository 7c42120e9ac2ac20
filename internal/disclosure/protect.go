package disclosure

import (
	"encoding/binary"
	"slices"
	"strings"
)

// Pattern says which groups of a round are shown: the protection, made
// once per published state of a round and used by every output.
type Pattern struct {
	Min    int
	sizes  map[Key]int
	hidden map[Key]bool
	groups []GroupOf
}

// Groups lists every group of the round that has people, shown or not:
// what a publication sums each shown group's figures over.
func (p *Pattern) Groups() []GroupOf { return p.groups }

// Shown reports whether a group's figures may be shown. A group with no
// people is not: a service shows it as hidden too, so that hidden says
// nothing of whether a group has anyone in it (Check relies on that).
func (p *Pattern) Shown(k Key) bool { _, ok := p.sizes[k]; return ok && !p.hidden[k] }

// Size is a group's number of people (0 when it has none). Only a shown
// group's size may be published.
func (p *Pattern) Size(k Key) int { return p.sizes[k] }

// Hidden lists the hidden groups.
func (p *Pattern) Hidden() []Key {
	var out []Key
	for k := range p.hidden {
		out = append(out, k)
	}
	slices.SortFunc(out, compareKeys)
	return out
}

func compareKeys(a, b Key) int {
	return strings.Compare(a.String(), b.String())
}

// Protect works out which groups to hide. Every group of 1 to Min-1 people
// is hidden (primary suppression). Then, until nothing changes:
//
//   - in every line (a group split by one more breakdown's answers), the
//     hidden parts are at least two and hold at least Min people together,
//     or there are none, so subtracting the shown parts from the whole
//     gives away only a group that could have been shown; the part hidden
//     next is chosen to complete other lines where it can (so that a
//     crossing hides a rectangle of cells, not a cascade);
//   - no group of fewer than Min people (any combination of answers to
//     any breakdowns, in any population, shown in a table or not), and no
//     atom of fewer, is a combination of shown groups, across every table
//     of the round and every population: if one is, the smallest shown
//     group its combination uses is hidden too.
//
// Every figure of a group (its count of each answer, its mean) is a sum
// over its atoms as its size is, so a group whose size cannot be worked
// out by adding and subtracting shown sizes cannot have any figure worked
// out that way either. What this does not stop is a zero speaking for the
// parts of a group: a shown group of at least Min people none of whom
// gave an answer says that of every part of it too, and with other
// figures that can fix a small part's count (Check reports these apart;
// docs/data-protection.md, "What remains").
//
// The whole of everyone is never hidden to protect another group: when a
// round is that small it is hidden because it is small.
func Protect(pr *Problem) *Pattern {
	u := newUniverse(pr)
	hidden := make([]bool, len(u.groups))
	for i, g := range u.groups {
		if u.fixed(i) {
			hidden[i] = !pr.Settled.Shown(g.key)
			continue
		}
		hidden[i] = g.size < pr.Min
	}
	for {
		u.balance(hidden)
		if !u.unlink(hidden) {
			break
		}
	}
	p := &Pattern{Min: pr.Min, sizes: map[Key]int{}, hidden: map[Key]bool{}}
	for i, g := range u.groups {
		p.sizes[g.key] = g.size
		p.groups = append(p.groups, GroupOf{Key: g.key, Cells: g.cells, Size: g.size})
		if hidden[i] {
			p.hidden[g.key] = true
		}
	}
	return p
}

// balance hides parts of lines until every line is balanced: no hidden
// part, or at least two holding at least Min people together, or nothing
// left to hide.
func (u *universe) balance(hidden []bool) {
	for changed := true; changed; {
		changed = false
		for li := range u.lines {
			for !u.balanced(li, hidden) {
				c := u.nextToHide(li, hidden)
				if c < 0 {
					break
				}
				hidden[c], changed = true, true
			}
		}
	}
}

func (u *universe) balanced(li int, hidden []bool) bool {
	count, sum, shown := 0, 0, 0
	for _, g := range u.lines[li].parts {
		if hidden[g] {
			count++
			sum += u.groups[g].size
		} else {
			shown++
		}
	}
	return count == 0 || shown == 0 || count >= 2 && sum >= u.pr.Min
}

// nextToHide picks the shown part of a line to hide next: the one that
// leaves fewest other lines needing more, then the smallest.
func (u *universe) nextToHide(li int, hidden []bool) int {
	best, bestNeed, bestSize := -1, 0, 0
	for _, g := range u.lines[li].parts {
		if hidden[g] || u.fixed(g) {
			continue
		}
		need := 0
		for _, other := range u.groups[g].lines {
			if other == li {
				continue
			}
			switch {
			case u.hiddenParts(other, hidden) == 0:
				need++ // it would start a line with one hidden part
			case !u.balanced(other, hidden):
				need-- // it helps a line that needs another
			}
		}
		size := u.groups[g].size
		if best < 0 || need < bestNeed || need == bestNeed && size < bestSize {
			best, bestNeed, bestSize = g, need, size
		}
	}
	return best
}

func (u *universe) hiddenParts(li int, hidden []bool) int {
	n := 0
	for _, g := range u.lines[li].parts {
		if hidden[g] {
			n++
		}
	}
	return n
}

// sacred is a group never hidden to protect another: everyone, and the
// groups a Problem has settled already.
func (u *universe) sacred(g int) bool { return u.groups[g].key == Total(0) || u.fixed(g) }

// fixed reports whether a group's state was settled before (Problem.Settled).
func (u *universe) fixed(g int) bool {
	return u.pr.Settled != nil && u.groups[g].key.Pop < u.pr.SettledPops
}

// shownInOrder lists the shown groups, everyone first, then the largest:
// the order in which they go into a basis, so that a combination found
// is traced to the small groups last.
func (u *universe) shownInOrder(hidden []bool, pop int) []int {
	var shown []int
	for i := range u.groups {
		if !hidden[i] && (pop < 0 || u.groups[i].key.Pop == pop) {
			shown = append(shown, i)
		}
	}
	slices.SortStableFunc(shown, func(a, b int) int {
		if u.sacred(a) != u.sacred(b) {
			if u.sacred(a) {
				return -1
			}
			return 1
		}
		return u.groups[b].size - u.groups[a].size
	})
	return shown
}

// unlink hides more groups where a small hidden group, or a small atom,
// is a combination of shown groups. It reports whether it hid any.
func (u *universe) unlink(hidden []bool) bool {
	// The small sets and atoms to look for, each once: when a round has
	// none (a large one), there is nothing to work out.
	var small [][]int // each as its atoms
	seen := map[string]bool{}
	var key []byte // a small set's atoms, as the key of seen
	for _, sets := range u.candidates() {
		for _, st := range sets {
			if st.size >= u.pr.Min {
				continue
			}
			key = key[:0]
			for _, a := range st.atoms {
				key = binary.AppendUvarint(key, uint64(a))
			}
			if !seen[string(key)] {
				seen[string(key)] = true
				small = append(small, st.atoms)
			}
		}
	}
	for i, a := range u.atoms {
		if a.n < u.pr.Min {
			small = append(small, []int{i})
		}
	}
	if len(small) == 0 {
		return false
	}
	shown := u.shownInOrder(hidden, -1)
	b := newBasis(len(u.atoms))
	for i, g := range shown {
		b.add(u.vector(g), i)
	}
	var victims bitset
	changed := false
	v := make([]uint64, len(u.atoms)) // one vector for every small set and atom in turn
	for _, atoms := range small {
		clear(v)
		for _, a := range atoms {
			v[a] = 1
		}
		in, used := b.containsIn(v)
		if !in {
			continue
		}
		broken := false
		for i, x := range victims {
			if i < len(used) && used[i]&x != 0 {
				broken = true // a group hidden for another breaks this one too, most likely
			}
		}
		victim := -1
		used.each(func(i int) {
			g := shown[i]
			if u.sacred(g) {
				return
			}
			if victim < 0 || u.groups[g].size < u.groups[shown[victim]].size {
				victim = i
			}
		})
		if broken || victim < 0 {
			continue // victim < 0: only everyone, the whole round, hidden as small
		}
		victims = victims.with(victim)
		hidden[shown[victim]], changed = true, true
	}
	return changed
}
