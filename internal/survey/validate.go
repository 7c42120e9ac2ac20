package survey

import (
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// idPattern is what IDs look like: they appear in links and in stored
// answers, so they are kept to lowercase letters, digits and hyphens.
var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

const idRule = "lowercase letters, digits and hyphens, starting with a letter or digit, at most 63 characters"

type problem struct {
	at      at
	message string
}

// validator collects every problem in a definition rather than stopping at
// the first, so that a survey author can fix them all in one go.
type validator struct {
	problems []problem
	lang     string // the language of the definition checked, for presets' labels
}

func (v *validator) add(a at, format string, args ...any) {
	v.problems = append(v.problems, problem{a, fmt.Sprintf(format, args...)})
}

func (v *validator) required(a at, name, value string) {
	if strings.TrimSpace(value) == "" {
		v.add(a, "%s is required", name)
	}
}

func (v *validator) id(a at, what, id string, seen map[string]bool) {
	switch {
	case id == "":
		v.add(a, "%s id is required", what)
	case !idPattern.MatchString(id):
		v.add(a, "%s id %q must be %s", what, id, idRule)
	case seen[id]:
		v.add(a, "%s id %q is used twice", what, id)
	}
	seen[id] = true
}

func (v *validator) definition(d *Definition) {
	v.lang = d.Lang
	root := at{}
	if !idPattern.MatchString(d.ID) {
		v.add(root, "the file name %q must be a survey id: %s, then .yaml", d.ID+".yaml", idRule)
	}
	v.required(root.key("title"), "title", d.Title)
	v.required(root.key("introduction"), "introduction", d.Introduction)
	if !slices.Contains(Audiences, d.Audience) {
		v.add(root.key("audience"), "audience %q must be one of: %s", d.Audience, strings.Join(Audiences, ", "))
	}
	v.required(root.key("how_answers_are_used"), "how_answers_are_used", d.HowAnswersAreUsed)
	if d.MinGroupSize != 0 && d.MinGroupSize < DefaultMinGroupSize {
		v.add(root.key("min_group_size"), "min_group_size must be %d or more (or left out for %d): smaller groups could let people be identified", DefaultMinGroupSize, DefaultMinGroupSize)
	}
	if u, err := url.Parse(d.ExitPage); d.ExitPage != "" && (err != nil || u.Scheme != "https" || u.Host == "") {
		v.add(root.key("exit_page"), "exit_page must be a full https address of a neutral page, for example %s", DefaultExitPage)
	}
	if d.ExitPage == "" && d.ForYoungPeople() {
		d.ExitPage = DefaultExitPage
	}
	if d.Email != nil && !ValidReminderDays(d.Email.ReminderDays) {
		v.add(root.key("email").key("reminder_days"), "reminder_days must be at most %d different whole numbers of days from 1 to %d, for example [7, 14]", MaxReminders, MaxReminderDay)
	}
	if d.Email != nil && d.Email.Contact != "" && !ValidContact(d.Email.Contact) {
		v.add(root.key("email").key("contact"), "contact must be one line of at most %d characters with an email address or a telephone number, for example \"Sam Patel, integrated.working@example.org\"", MaxContact)
	}
	if d.Email != nil {
		slices.Sort(d.Email.ReminderDays) // once here, not on every page that asks for a round
	}
	if d.RetentionMonths < 0 || d.RetentionMonths > MaxRetentionMonths {
		v.add(root.key("retention_months"), "retention_months must be a whole number of months from 1 to %d, for example 24 (or left out if the Trust has not decided)", MaxRetentionMonths)
	}
	if d.RoundCountsTo != 0 && (d.RoundCountsTo < 2 || d.RoundCountsTo > 10) {
		v.add(root.key("round_counts_to"), "round_counts_to must be from 2 to 10, for example 5 (or left out for exact counts)")
	}

	if len(d.Rounds) == 0 {
		v.add(root, "rounds: at least one round is required")
	}
	seen := map[string]bool{}
	for i, r := range d.Rounds {
		a := root.key("rounds").index(i)
		v.id(a.key("id"), "round", r.ID, seen)
		v.required(a.key("label"), "round label", r.Label)
	}

	if len(d.Languages) == 0 {
		d.Languages = []string{"en"}
	}
	langs := map[string]bool{}
	for i, l := range d.Languages {
		a := root.key("languages").index(i)
		switch {
		case i == 0 && l != "en":
			v.add(a, "languages must start with en: English is the default")
		case !slices.ContainsFunc(Languages, func(o Option) bool { return o.Value == l }):
			v.add(a, "language %q is not one the service speaks (%s)", l, languageCodes())
		case langs[l]:
			v.add(a, "language %q is listed twice", l)
		}
		langs[l] = true
	}
	if d.ForYoungPeople() {
		v.required(root.key("privacy_notice"), "privacy_notice (for children and young people)", d.PrivacyNotice)
	}
	if d.ForYoungPeople() {
		var w Words
		if d.Words != nil {
			w = *d.Words
		}
		for _, f := range []struct{ key, value string }{{"optional_question", w.Optional}, {"prefer_not_to_say_answer", w.PreferNotToSay}, {"text_limit", w.TextLimit}, {"no_answer", w.NoAnswer}} {
			v.required(root.key("words").key(f.key), "words: "+f.key+" (the survey's own words, for children and young people)", f.value)
		}
	}
	if d.ForYoungPeople() && len(d.SafeguardingWords) > 0 {
		v.required(root.key("safeguarding_notice"), "safeguarding_notice (with safeguarding_words, for children and young people)", d.SafeguardingNotice)
	}
	if a, err := mail.ParseAddress(d.SafeguardingLead); d.SafeguardingLead != "" && (err != nil || a.Address != d.SafeguardingLead) {
		v.add(root.key("safeguarding_lead"), "safeguarding_lead must be one email address, for example safeguarding@example.org")
	}
	if d.Help != nil {
		for i, c := range d.Help.Contacts {
			v.required(root.key("help").key("contacts").index(i).key("name"), "contact name", c.Name)
		}
	}

	if len(d.Scales) == 0 {
		v.add(root, "scales: at least one scale is required")
	}
	names := make([]string, 0, len(d.Scales))
	for name := range d.Scales {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		v.scale(root.key("scales").key(name), name, d.Scales[name])
	}

	if len(d.Sections) == 0 {
		v.add(root, "sections: at least one section is required")
	}
	sections := map[string]bool{}
	answers := map[string]*Question{} // every answer key so far: question and statement IDs
	breakdowns := map[string]bool{}
	for i, s := range d.Sections {
		v.section(root.key("sections").index(i), d, s, sections, answers, breakdowns)
	}
	seenIndicators := map[string]bool{}
	for i, in := range d.Indicators {
		v.indicator(root.key("indicators").index(i), d, in, seenIndicators)
	}
	// A section's id names its page and its strand's figures; a question's
	// names an answer. One name for two things would mix them up in links
	// and reports.
	for i, s := range d.Sections {
		if s == nil {
			continue
		}
		if q, ok := answers[s.ID]; ok && s.ID != "" {
			what := "question"
			if q.ID != s.ID {
				what = "grid statement"
			}
			v.add(root.key("sections").index(i).key("id"), "section id %q is also the id of a %s: give the section a name of its own", s.ID, what)
		}
	}
}

func (v *validator) scale(a at, name string, s *Scale) {
	if !idPattern.MatchString(name) {
		v.add(a, "scale name %q must be %s", name, idRule)
	}
	if s == nil || len(s.Levels) < 2 {
		v.add(a, "scale %q needs at least two levels", name)
		return
	}
	values := map[int]bool{}
	for i, l := range s.Levels {
		la := a.key("levels").index(i)
		if values[l.Value] {
			v.add(la.key("value"), "level value %d is used twice in scale %q", l.Value, name)
		}
		values[l.Value] = true
		if i > 0 && l.Value <= s.Levels[i-1].Value {
			v.add(la.key("value"), "level values must go up from the first level to the last: %d comes after %d", l.Value, s.Levels[i-1].Value)
		}
		v.required(la.key("label"), "level label", l.Label)
		if l.Face != "" && !slices.Contains(Faces, l.Face) {
			v.add(la.key("face"), "face %q must be one of: %s", l.Face, strings.Join(Faces, ", "))
		}
		if (l.Face == "") != (s.Levels[0].Face == "") {
			v.add(la, "in scale %q, give every level a face or none", name)
		}
	}
}

func presetNames() []string {
	names := make([]string, 0, len(Presets))
	for n := range Presets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (v *validator) section(a at, d *Definition, s *Section, seen map[string]bool, answers map[string]*Question, breakdowns map[string]bool) {
	if s == nil {
		v.add(a, "section is empty")
		return
	}
	v.id(a.key("id"), "section", s.ID, seen)
	v.required(a.key("title"), "section title", s.Title)
	v.condition(a.key("show_if"), d, s.ShowIf, answers)
	if len(s.Questions) == 0 {
		v.add(a, "section %q needs at least one question", s.ID)
	}
	scale := ""
	for i, q := range s.Questions {
		qa := a.key("questions").index(i)
		if q == nil {
			v.add(qa, "question is empty")
			continue
		}
		// A question's condition may only look back, never at itself.
		v.condition(qa.key("show_if"), d, q.ShowIf, answers)
		v.question(qa, d, q, answers, breakdowns)
		if q.Spec().Rated {
			if scale != "" && q.Scale != scale {
				v.add(qa.key("scale"), "section %q rates on scale %q already: every rated question of a section uses one scale, so that the section has one average", s.ID, scale)
			}
			scale = q.Scale
		}
	}
	for i, o := range s.Tags.ECMOutcomes {
		if !slices.ContainsFunc(ECMOutcomes, func(e Option) bool { return e.Value == o }) {
			v.add(a.key("tags").key("ecm_outcomes").index(i), "Every Child Matters outcome %q must be one of: %s", o, ecmValues())
		}
	}
}

// answerKey checks a question or statement ID, which is the key of its
// answer: it must be unique in the whole survey.
func (v *validator) answerKey(a at, what, id string, q *Question, answers map[string]*Question) {
	seen := map[string]bool{}
	for k := range answers {
		seen[k] = true
	}
	v.id(a, what, id, seen)
	if id != "" {
		answers[id] = q
	}
}

func (v *validator) question(a at, d *Definition, q *Question, answers map[string]*Question, breakdowns map[string]bool) {
	v.answerKey(a.key("id"), "question", q.ID, q, answers)
	if !slices.Contains(QuestionTypes, q.Type) {
		v.add(a.key("type"), "question type %q must be one of: %s", q.Type, strings.Join(QuestionTypes, ", "))
		return
	}
	v.required(a.key("text"), "question text", q.Text)
	spec := q.Spec()
	if spec.Rated {
		if _, ok := d.Scales[q.Scale]; !ok {
			v.add(a.key("scale"), "question %q: scale %q is not defined under scales", q.ID, q.Scale)
		}
	} else if q.Scale != "" {
		v.add(a.key("scale"), "only %s questions have a scale", namesOf("scale"))
	}
	if spec.Statements {
		if len(q.Statements) == 0 {
			v.add(a, "grid %q needs at least one statement", q.ID)
		}
		for i, st := range q.Statements {
			sa := a.key("statements").index(i)
			if st == nil {
				v.add(sa, "statement is empty")
				continue
			}
			v.answerKey(sa.key("id"), "statement", st.ID, q, answers)
			v.required(sa.key("text"), "statement text", st.Text)
		}
	} else if len(q.Statements) > 0 {
		v.add(a.key("statements"), "only %s questions have statements", namesOf("statements"))
	}
	switch {
	case spec.Options && spec.Given == nil:
		v.options(a, q)
	case spec.Options:
		q.Options = make([]Option, len(spec.Given))
		for i, o := range spec.Given {
			q.Options[i] = Option{Value: o, Label: Message(d.Lang, o)}
		}
	case len(q.Options) > 0 || q.Preset != "":
		v.add(a.key("options"), "only %s questions have options", namesOf("options"))
	}
	if q.None != "" && !spec.Multiple {
		v.add(a.key("none"), "only %s questions have a “none of these” answer", namesOf("none"))
	}
	if q.PreferNotToSay && (spec.Text || spec.Number) {
		v.add(a.key("prefer_not_to_say"), "a %s question can be left blank instead: make it optional", q.Type)
	}
	if (q.Min != nil || q.Max != nil) && !spec.Number {
		v.add(a, "only %s questions have min and max", namesOf("min"))
	}
	if q.Min != nil && q.Max != nil && *q.Min > *q.Max {
		v.add(a.key("max"), "max %d is less than min %d", *q.Max, *q.Min)
	}
	if len(q.Bands) > 0 {
		switch {
		case !spec.Number:
			v.add(a.key("bands"), "only %s questions have bands", namesOf("min"))
		case !slices.IsSorted(q.Bands) || len(slices.Compact(slices.Clone(q.Bands))) != len(q.Bands):
			v.add(a.key("bands"), "bands must go up, each once: %v", q.Bands)
		case q.Min != nil && q.Bands[0] > *q.Min:
			v.add(a.key("bands"), "the first band begins at %d, above min %d: answers from %d would be in no band", q.Bands[0], *q.Min, *q.Min)
		case q.Max != nil && q.Bands[len(q.Bands)-1] > *q.Max:
			v.add(a.key("bands"), "a band begins at %d, above max %d: it could never have anyone in it", q.Bands[len(q.Bands)-1], *q.Max)
		}
	}
	if spec.Text {
		switch {
		case q.MaxLength == 0:
			q.MaxLength = spec.DefaultLength
		case q.MaxLength < 0 || q.MaxLength > DefaultLongTextLength*5:
			v.add(a.key("max_length"), "max_length must be between 1 and %d", DefaultLongTextLength*5)
		}
		if q.Pattern != "" {
			re, err := regexp.Compile(`^(?:` + q.Pattern + `)$`)
			if err != nil {
				v.add(a.key("pattern"), "pattern is not a regular expression: %v", err)
			}
			q.pattern = re
		}
		if d.ForYoungPeople() && !q.Optional {
			v.add(a, "question %q: free-text questions for children and young people must be optional", q.ID)
		}
	} else if q.MaxLength != 0 || q.Pattern != "" {
		v.add(a, "only %s questions have max_length and pattern", namesOf("max_length"))
	}
	if q.Breakdown != "" {
		switch {
		case !slices.Contains(Breakdowns, q.Breakdown):
			v.add(a.key("breakdown"), "breakdown %q must be one of: %s", q.Breakdown, strings.Join(Breakdowns, ", "))
		case !spec.Breakdown:
			v.add(a.key("breakdown"), "only %s questions can give a breakdown", namesOf("breakdown"))
		case breakdowns[q.Breakdown]:
			v.add(a.key("breakdown"), "breakdown %q is given by another question already", q.Breakdown)
		}
		breakdowns[q.Breakdown] = true
	}
}

func (v *validator) options(a at, q *Question) {
	switch {
	case q.Preset != "" && len(q.Options) > 0:
		v.add(a.key("preset"), "give either preset or options, not both")
	case q.Preset != "":
		opts, ok := Presets[q.Preset]
		if !ok {
			v.add(a.key("preset"), "preset %q must be one of: %s", q.Preset, strings.Join(presetNames(), ", "))
			return
		}
		// The labels in the respondent's language: the service's words
		// (preset-sectors-health, say) hold each preset's labels.
		q.Options = make([]Option, len(opts))
		for i, o := range opts {
			if label, ok := messages[v.lang]["preset-"+q.Preset+"-"+o.Value]; ok {
				o.Label = label
			}
			q.Options[i] = o
		}
	case len(q.Options) < 2:
		v.add(a, "question %q needs a preset or at least two options", q.ID)
	default:
		values := map[string]bool{NoneOfThese: true, PreferNotToSay: true}
		for i, o := range q.Options {
			oa := a.key("options").index(i)
			if o.Value == NoneOfThese || o.Value == PreferNotToSay {
				v.add(oa.key("value"), "option value %q is kept for the answer it names: use the question's none or prefer_not_to_say instead", o.Value)
				continue
			}
			if o.Value == NotAsked || o.Value == Invalid {
				v.add(oa.key("value"), "option value %q is kept for the exports, which write it in a cell with no answer: choose another", o.Value)
				continue
			}
			v.id(oa.key("value"), "option", o.Value, values)
			v.required(oa.key("label"), "option label", o.Label)
		}
	}
}

// condition checks that a condition looks back at a question already asked,
// and at answers it can have.
func (v *validator) condition(a at, d *Definition, c *Condition, answers map[string]*Question) {
	if c == nil {
		return
	}
	q, ok := answers[c.Question]
	if !ok {
		v.add(a.key("question"), "show_if: question %q must be asked earlier in the survey", c.Question)
		return
	}
	if len(c.AnswerIs) == 0 {
		v.add(a, "show_if needs answer_is: the answers that show this")
	}
	if q.Spec().Long {
		v.add(a.key("question"), "show_if: question %q is a long text, whose answers are free writing that no condition can match reliably: base the condition on a question with options", c.Question)
		return
	}
	offered := func(v string) bool { return q.OptionLabel(v) != "" }
	switch {
	case q.Spec().Rated:
		scale, ok := d.Scales[q.Scale]
		if !ok {
			return // reported with the question
		}
		offered = scale.Valid
	case len(q.Options) == 0:
		return // a number or text: any value may match
	}
	for i, want := range c.AnswerIs {
		if !offered(want) && want != PreferNotToSay && want != NoneOfThese {
			v.add(a.key("answer_is").index(i), "show_if: %q is not an answer to question %q", want, c.Question)
		}
	}
}

func ecmValues() string {
	vs := make([]string, len(ECMOutcomes))
	for i, o := range ECMOutcomes {
		vs[i] = o.Value
	}
	return strings.Join(vs, ", ")
}
