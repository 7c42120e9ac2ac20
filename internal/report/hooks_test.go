package report

// UnpairedOf counts the people of one side of the joint check marked not
// paired on some strand.
func UnpairedOf(p *Pairs, side int) int {
	sd := p.sides[side]
	n := 0
	for _, c := range sd.pr.Cells {
		for sig, m := range c.Sizes {
			for i := range p.strands {
				if sig.Has(sd.unpaired(i)) {
					n += m
					break
				}
			}
		}
	}
	return n
}
