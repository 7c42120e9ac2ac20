package disclosure

import "math/bits"

// Whether a group's figures can be worked out from published ones by adding
// and subtracting is a question of linear algebra: each group is the set
// of atoms it holds, a 0/1 vector, and a group is worked out exactly when
// its vector is a sum of published groups' vectors with some coefficients.
// The vectors are reduced to echelon form in arithmetic modulo a prime,
// which is exact: the answer does not hang on rounding. A combination of
// 0/1 vectors that is zero modulo a prime of 61 bits but not over the
// rationals would need a determinant divisible by it, far beyond any table
// here.

const prime = 1<<61 - 1

func mulmod(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	// a*b = hi*2^64 + lo; 2^61 ≡ 1, so 2^64 ≡ 8.
	r := (lo & prime) + (lo >> 61) + (hi << 3)
	for r >= prime {
		r -= prime
	}
	return r
}

func submod(a, b uint64) uint64 {
	if a >= b {
		return a - b
	}
	return a + prime - b
}

func invmod(a uint64) uint64 {
	// Fermat: a^(p-2).
	result, base, e := uint64(1), a, uint64(prime-2)
	for e > 0 {
		if e&1 == 1 {
			result = mulmod(result, base)
		}
		base = mulmod(base, base)
		e >>= 1
	}
	return result
}

// basis is vectors in echelon form: each row has a 1 at its pivot, where
// every later row has 0. The rows also remember which of the vectors put
// in (by the index given to add) they were made from, so that a vector
// found in the span can be traced to the groups that give it away.
type basis struct {
	width  int
	rows   [][]uint64
	pivots []int
	from   []bitset
}

func newBasis(width int) *basis { return &basis{width: width} }

// reduce subtracts the rows from v, in order, and returns the rows used.
func (b *basis) reduce(v []uint64) bitset {
	var used bitset
	for i, row := range b.rows {
		x := v[b.pivots[i]]
		if x == 0 {
			continue
		}
		for j := b.pivots[i]; j < b.width; j++ {
			if row[j] != 0 {
				v[j] = submod(v[j], mulmod(x, row[j]))
			}
		}
		used = used.union(b.from[i])
	}
	return used
}

// add puts v in (v is changed), tagged with index id; it reports whether v
// added to the span.
func (b *basis) add(v []uint64, id int) bool {
	used := b.reduce(v)
	p := -1
	for j, x := range v {
		if x != 0 {
			p = j
			break
		}
	}
	if p < 0 {
		return false
	}
	inv := invmod(v[p])
	for j := p; j < b.width; j++ {
		if v[j] != 0 {
			v[j] = mulmod(v[j], inv)
		}
	}
	b.rows = append(b.rows, v)
	b.pivots = append(b.pivots, p)
	b.from = append(b.from, used.with(id))
	return true
}

// contains reports whether v is in the span, and which vectors put in
// give it (a superset of those needed).
func (b *basis) contains(v []uint64) (bool, bitset) {
	w := append([]uint64(nil), v...)
	used := b.reduce(w)
	for _, x := range w {
		if x != 0 {
			return false, nil
		}
	}
	return true, used
}

// reduceIn subtracts the rows from w, in order, as reduce does, but does
// not trace the rows used: w is left as its residual, nothing allocated.
func (b *basis) reduceIn(w []uint64) {
	for i, row := range b.rows {
		x := w[b.pivots[i]]
		if x == 0 {
			continue
		}
		for j := b.pivots[i]; j < b.width; j++ {
			if row[j] != 0 {
				w[j] = submod(w[j], mulmod(x, row[j]))
			}
		}
	}
}

// spans reports whether w is in the span, as contains does, but works in
// w itself (left reduced, to be cleared before it is used again) and does
// not trace the vectors that give it: nothing allocated.
func (b *basis) spans(w []uint64) bool {
	b.reduceIn(w)
	for _, x := range w {
		if x != 0 {
			return false
		}
	}
	return true
}

// containsIn is contains working in w itself (left reduced, to be cleared
// before it is used again) rather than in a copy.
func (b *basis) containsIn(w []uint64) (bool, bitset) {
	used := b.reduce(w)
	for _, x := range w {
		if x != 0 {
			return false, nil
		}
	}
	return true, used
}

// residual is v with the span taken out: zero on every pivot. Two
// vectors have the same residual exactly when they differ by a vector in
// the span.
func (b *basis) residual(v []uint64) []uint64 {
	w := append([]uint64(nil), v...)
	b.reduce(w)
	return w
}

// bitset is a set of small non-negative integers.
type bitset []uint64

func (s bitset) with(i int) bitset {
	w := i / 64
	out := make(bitset, max(len(s), w+1))
	copy(out, s)
	out[w] |= 1 << (i % 64)
	return out
}

func (s bitset) union(o bitset) bitset {
	if len(o) == 0 {
		return s
	}
	if len(s) == 0 {
		return o
	}
	out := make(bitset, max(len(s), len(o)))
	copy(out, s)
	for i, x := range o {
		out[i] |= x
	}
	return out
}

func (s bitset) each(fn func(int)) {
	for w, x := range s {
		for x != 0 {
			b := bits.TrailingZeros64(x)
			fn(w*64 + b)
			x &^= 1 << b
		}
	}
}
