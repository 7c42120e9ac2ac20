package survey

// OrganisationLabel is how pages name an organisation: the label of the
// option with that value in the first survey whose organisation question
// (breakdown: organisation) offers it, as respondents read it. An
// organisation no survey offers (a survey asked in words, or an account
// made before the list changed) is named by its value.
func (c *Catalogue) OrganisationLabel(value string) string {
	if c == nil || value == "" {
		return value
	}
	for _, d := range c.All() {
		if q, ok := d.BreakdownQuestion("organisation"); ok {
			if l := q.OptionLabel(value); l != "" {
				return l
			}
		}
	}
	return value
}
