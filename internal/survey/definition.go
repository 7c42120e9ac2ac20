// Package survey is the domain of the toolkit: survey definitions (loaded from
// YAML and validated), the answers a respondent gives, and the responses and
// drafts that the stores keep. It knows nothing of HTTP or databases.
package survey

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Definition is one survey as written in a YAML file in the surveys folder.
// The file name (without .yaml) is the survey's ID.
//
// Every field of text a respondent reads may be written as a mapping from
// language code to wording (see Languages); the loader makes one Definition
// per language, so the rest of the service only ever sees plain strings.
type Definition struct {
	ID      string `yaml:"-"`
	Version string `yaml:"-"` // first 12 hex digits of the SHA-256 of the file
	File    string `yaml:"-"`
	// Lang is the language this copy of the definition is in.
	Lang string `yaml:"-"`
	// Warnings are things in the file that are probably mistakes but
	// need not be (a # cutting a text short): check prints them, serve
	// logs them.
	Warnings Problems `yaml:"-"`

	Title        string `yaml:"title"`
	Audience     string `yaml:"audience"` // who answers: see Audiences
	Introduction string `yaml:"introduction"`
	// TimeToComplete tells respondents on the start page how long it takes,
	// for example "15 minutes".
	TimeToComplete string `yaml:"time_to_complete"`
	// HowAnswersAreUsed is shown on the start page.
	HowAnswersAreUsed string `yaml:"how_answers_are_used"`
	// PrivacyNotice is a page of its own before the first question, in words
	// the audience understands. Surveys for children and young people must
	// have one.
	PrivacyNotice string `yaml:"privacy_notice"`
	// Help is shown on the last page: where to get help. Surveys for
	// children and young people always show Childline as well.
	Help *Help `yaml:"help"`
	// Email is the wording of invitations and reminders sent by email
	// (optional: Email.Or fills in defaults).
	Email *Email `yaml:"email"`
	// SafeguardingWords flag a free-text answer containing any of them for
	// a safeguarding review by staff. Flagging only: nothing is judged.
	SafeguardingWords []string `yaml:"safeguarding_words"`
	// SafeguardingLead is the address of the named safeguarding lead who
	// is emailed at once when an answer is flagged: an alert with no
	// answer in it, only a link to sign in and read it. Without one the
	// service's setting (IWT_SAFEGUARDING_EMAIL) is used.
	SafeguardingLead string `yaml:"safeguarding_lead"`
	// SafeguardingNotice tells a child, on the confirmation page, in the
	// survey's own words, that a grown-up may read what they wrote.
	// Required with safeguarding_words on surveys for children and young
	// people.
	SafeguardingNotice string `yaml:"safeguarding_notice"`
	// Words are the survey's own wording for the few words the service
	// otherwise puts on its pages ("(optional)", "Prefer not to say", the
	// length limit, "None given"): required for children and young
	// people, whose pages should read in their words.
	Words *Words `yaml:"words"`
	// ExitPage is where GOV.UK's "Exit this page" button, on every page of
	// a survey for children and young people, leads at once: a neutral
	// page (DefaultExitPage when the file names none).
	ExitPage string `yaml:"exit_page"`
	// TaskList shows a task list of the sections, with which are done,
	// instead of leading from one section to the next: for long
	// self-assessments answered over several sittings.
	TaskList bool `yaml:"task_list"`
	// InvitationOnly takes answers only through invitation links: with one
	// invitation for each organisation, one response per organisation.
	InvitationOnly bool `yaml:"invitation_only"`
	// Languages are the languages the survey is written in besides English
	// ("en", always first). Every text must then have each of them.
	Languages []string `yaml:"languages"`
	// MinGroupSize is the smallest group whose figures a report shows;
	// smaller groups are suppressed. Zero means DefaultMinGroupSize.
	MinGroupSize int `yaml:"min_group_size"`
	// RoundCountsTo rounds every count a report publishes to the nearest
	// multiple of it (5, say), as UK official statistics often do; means
	// and percentages are worked from the rounded counts, so that none
	// gives an exact count back. Zero publishes exact counts.
	RoundCountsTo int `yaml:"round_counts_to"`
	// RetentionMonths is how long a round's responses are kept after it
	// closes, as the Trust has decided: each round's page shows the date
	// it gives, and the dashboard a round past it. Zero: none is set, and
	// the pages say so.
	RetentionMonths int `yaml:"retention_months"`

	Rounds   []Round           `yaml:"rounds"`
	Scales   map[string]*Scale `yaml:"scales"`
	Sections []*Section        `yaml:"sections"`
	// Indicators are figures the Trust's plans name, worked out from the
	// answers: see Indicator.
	Indicators []*Indicator `yaml:"indicators"`

	translations map[string]*Definition
	// memo is what other packages make once from this definition: see
	// Memo. A copy of the definition (its owner is not the copy) keeps
	// nothing.
	memo *memo
}

type memo struct {
	owner *Definition
	kept  sync.Map
}

// keepMemos lets d keep what Memo makes; a definition made otherwise
// than by loading makes it afresh on every call.
func (d *Definition) keepMemos() { d.memo = &memo{owner: d} }

// Memo returns what make made for key from this definition, making it on
// the first call (two callers at once may both make it; one is kept). A
// definition does not change once loaded, and a new version is a new
// definition, so what is kept here is never stale and goes with the
// definition. Keys are of a type of the caller's own, so that packages do
// not clash; make must depend only on the definition and the key.
func (d *Definition) Memo(key any, make func() any) any {
	if d.memo == nil || d.memo.owner != d {
		return make()
	}
	if v, ok := d.memo.kept.Load(key); ok {
		return v
	}
	v, _ := d.memo.kept.LoadOrStore(key, make())
	return v
}

// DefaultExitPage is the neutral page "Exit this page" leads to when a
// survey names none: the one GOV.UK's guidance suggests.
const DefaultExitPage = "https://www.bbc.co.uk/weather"

// DefaultMinGroupSize is the suppression threshold when a survey sets none.
const DefaultMinGroupSize = 5

// Audiences are the kinds of people a survey can be written for.
var Audiences = []string{"staff", "organisations", "children", "young-people", "parents-carers"}

// ForWorkforce reports whether the survey is answered by the people who
// work in the partnership's organisations (staff, or an organisation's
// own self-assessment): the surveys an organisation's co-ordinator invites
// people to. Children's, young people's and parents' consultations are
// run by the Trust's administrators.
func (d *Definition) ForWorkforce() bool {
	return d.Audience == "staff" || d.Audience == "organisations"
}

// ForYoungPeople reports whether the survey is answered by children or young
// people, who get a privacy notice page, a way out on every page, help
// contacts at the end, and never a required free-text question.
func (d *Definition) ForYoungPeople() bool {
	return d.Audience == "children" || d.Audience == "young-people"
}

// Consultation reports whether the survey asks the people services are
// for (children, young people, parents and carers): they are told what
// the Board did about their answers ("You said, we did").
func (d *Definition) Consultation() bool {
	return d.Audience == "children" || d.Audience == "young-people" || d.Audience == "parents-carers"
}

// YouSaidPath is the address of a consultation round's "You said, we did"
// page (served by the Board pack's package).
func YouSaidPath(surveyID, round string) string { return "/you-said/" + surveyID + "/" + round }

// Words are a survey's own wording for service words (Definition.Word).
type Words struct {
	Optional       string `yaml:"optional_question"`        // after a question that may be skipped
	PreferNotToSay string `yaml:"prefer_not_to_say_answer"` // the answer that declines
	TextLimit      string `yaml:"text_limit"`               // under a comment box; {n} is the limit
	NoAnswer       string `yaml:"no_answer"`                // check answers, for a question skipped
}

// Word is the wording of one of the service's words (survey.Message's
// key) in the definition's language: the survey's own (Words) where it
// has one, else the service's.
func (d *Definition) Word(key string, args ...any) string {
	var own string
	if w := d.Words; w != nil {
		switch key {
		case "optional":
			own = w.Optional
		case "prefer-not-to-say":
			own = w.PreferNotToSay
		case "none-given":
			own = w.NoAnswer
		case "up-to-chars":
			if len(args) == 1 && w.TextLimit != "" {
				return strings.ReplaceAll(w.TextLimit, "{n}", fmt.Sprint(args[0]))
			}
		}
	}
	if own != "" {
		return own
	}
	return Message(d.Lang, key, args...)
}

// Help is where a respondent can get help, shown at the end.
type Help struct {
	Text     string    `yaml:"text"`
	Contacts []Contact `yaml:"contacts"`
}

// Email is the wording of the emails that invite people to a round and
// remind them. Any field may be left out for its default (the email-*
// words, in the contact's language). Subjects and bodies may use {title}, {asking}, {closes}, {link},
// {opt_out} and {name}, which the sender fills in.
type Email struct {
	Asking string `yaml:"asking"` // who is asking, for example "Haringey Children's Trust": also the sender's name
	// Contact is whom to ask about the survey, in the invitation: a name
	// and an email address or telephone number, on one line (for example
	// "Sam Patel, integrated.working@example.org"). Left out: the
	// service's IWT_CONTACT_EMAIL.
	Contact         string `yaml:"contact"`
	Subject         string `yaml:"subject"`
	Body            string `yaml:"body"`
	ReminderSubject string `yaml:"reminder_subject"`
	ReminderBody    string `yaml:"reminder_body"`
	// ReminderDays are when reminders go to those whose link is unused,
	// in days after their invitation, ascending (the loader sorts them),
	// for example [7, 14]: at most one
	// reminder per entry, and none once the round has closed. It is each
	// round's first schedule, as Round.Open is its first state: staff set
	// a round's own (store.RoundState.Reminders).
	ReminderDays []int `yaml:"reminder_days"`
}

// MaxRetentionMonths is the longest retention_months (ten years).
const MaxRetentionMonths = 120

// MaxContact is the longest email.contact a survey file may give.
const MaxContact = 200

var (
	contactAddress = regexp.MustCompile(`[^\s@,;<>()]+@[^\s@,;<>()]+\.[a-zA-Z]{2,}`)
	contactPhone   = regexp.MustCompile(`\+?[0-9][0-9 ]{8,}[0-9]`)
)

// ValidContact reports whether s says whom to ask in a way a person can
// use: one line, not too long, with an email address or a telephone
// number in it.
func ValidContact(s string) bool {
	return len(s) <= MaxContact && !strings.ContainsAny(s, "\r\n") &&
		(contactAddress.MatchString(s) || contactPhone.MatchString(s))
}

// Limits of a reminder schedule, in a survey file or set by staff: a
// schedule is for nudging, not for filling inboxes.
const (
	MaxReminderDay = 365 // days after the invitation
	MaxReminders   = 10  // reminders to one person
)

// ValidReminderDays reports whether days are a schedule within the
// limits: each from 1 to MaxReminderDay, each once, at most MaxReminders.
func ValidReminderDays(days []int) bool {
	if len(days) > MaxReminders {
		return false
	}
	seen := map[int]bool{}
	for _, d := range days {
		if d < 1 || d > MaxReminderDay || seen[d] {
			return false
		}
		seen[d] = true
	}
	return true
}

// Contact is one place to get help.
type Contact struct {
	Name        string `yaml:"name"`
	Phone       string `yaml:"phone"`
	Website     string `yaml:"website"`
	Description string `yaml:"description"`
}

// Round is one run of a survey: a baseline, a follow-up, a practice round.
type Round struct {
	ID    string `yaml:"id"`
	Label string `yaml:"label"`
	Open  bool   `yaml:"open"`
	// Practice rounds are kept out of comparisons.
	Practice bool `yaml:"practice"`
}

// Scale is a rating scale defined once in a survey and used by questions.
type Scale struct {
	Levels []Level `yaml:"levels"`
	// DontKnow and NotApplicable add those answers; they are counted but
	// left out of means.
	DontKnow      bool `yaml:"dont_know"`
	NotApplicable bool `yaml:"not_applicable"`
}

// Level is one point of a scale.
type Level struct {
	Value      int    `yaml:"value"`
	Label      string `yaml:"label"`
	Descriptor string `yaml:"descriptor"` // what this level looks like in practice
	// Face shows a smiley face beside the label, for children: happy, okay
	// or sad. The label is always shown too.
	Face string `yaml:"face"`
}

// Faces are the smiley faces a level can show.
var Faces = []string{"happy", "okay", "sad"}

// Answer values besides a level's value or an option's.
const (
	DontKnow       = "dont-know"
	NotApplicable  = "not-applicable"
	PreferNotToSay = "prefer-not-to-say"
	// NoneOfThese is the exclusive "none of these" of a multiple choice.
	NoneOfThese = "none"
	// NotAsked and Invalid are no answers: the raw exports (package
	// report) write them for a question a respondent was not asked and
	// for a stored answer that is not one of its question's values.
	NotAsked = "not-asked"
	Invalid  = "invalid"
)

// Option is one choice of a choice question.
type Option struct {
	Value string `yaml:"value"`
	Label string `yaml:"label"`
	Hint  string `yaml:"hint"`
}

// Default length limits of text answers, in characters.
const (
	DefaultTextLength     = 200
	DefaultLongTextLength = 2000
)

// Question is one question of a section.
type Question struct {
	ID   string `yaml:"id"`
	Type string `yaml:"type"`
	// Text is the question, or a grid's heading.
	Text string `yaml:"text"`
	Hint string `yaml:"hint"`
	// Error is what a respondent is told who leaves a question that is not
	// optional unanswered, in few words, as GOV.UK asks ("Choose how you
	// feel about school"). Without it the service says "Answer ‘…’" with
	// the whole question.
	Error string `yaml:"error"`
	// Scale names a scale of Definition.Scales: for scale and grid questions.
	Scale string `yaml:"scale"`
	// Statements are a grid's rows, each rated on the scale; their IDs are
	// the keys of their answers.
	Statements []*Statement `yaml:"statements"`
	// Options are a choice or multiple choice's answers; Preset names a list
	// the toolkit knows instead: see Presets.
	Options []Option `yaml:"options"`
	Preset  string   `yaml:"preset"`
	// None adds an exclusive "none of these" answer with this label to a
	// multiple choice.
	None string `yaml:"none"`
	// PreferNotToSay adds a "Prefer not to say" answer.
	PreferNotToSay bool `yaml:"prefer_not_to_say"`
	// Optional questions may be left unanswered. Text questions in surveys
	// for children and young people must be optional.
	Optional bool `yaml:"optional"`
	// Min and Max bound a number.
	Min *int `yaml:"min"`
	Max *int `yaml:"max"`
	// Bands are where the bands a number's answers are counted in for
	// reports begin, lowest first: [0, 1, 3] counts 0, 1 to 2 and 3 or
	// more. Without them reports use DefaultBands.
	Bands []int `yaml:"bands"`
	// MaxLength bounds a text answer, in characters.
	MaxLength int `yaml:"max_length"`
	// Pattern is a regular expression a text answer must match whole, and
	// PatternMessage what to tell a respondent whose answer does not.
	Pattern        string         `yaml:"pattern"`
	PatternMessage string         `yaml:"pattern_message"`
	pattern        *regexp.Regexp // Pattern matching the whole answer, compiled once by the loader
	// ShowIf asks the question only when an earlier answer matches.
	ShowIf *Condition `yaml:"show_if"`
	// Breakdown names the report breakdown this question's answer gives:
	// see Breakdowns.
	Breakdown string `yaml:"breakdown"`
}

// Breakdowns are the ways reports can split results, each taken from the
// answer to the question that names it.
var Breakdowns = []string{"sector", "organisation", "audience", "workforce", "age-band", "locality"}

// Condition holds when an earlier question's answer is one of AnswerIs.
type Condition struct {
	Question string   `yaml:"question"`
	AnswerIs []string `yaml:"answer_is"`
}

// Section is a page of questions: a strand of a self-assessment, or a part
// of a consultation, with tags that tie it to the Trust's plans.
type Section struct {
	ID          string      `yaml:"id"`
	Title       string      `yaml:"title"`
	Description string      `yaml:"description"`
	Questions   []*Question `yaml:"questions"`
	// ShowIf shows the whole section only when an earlier answer matches.
	ShowIf *Condition `yaml:"show_if"`
	Tags   Tags       `yaml:"tags"`
}

// Statement is one row of a grid.
type Statement struct {
	ID   string `yaml:"id"`
	Text string `yaml:"text"`
	Hint string `yaml:"hint"`
}

// Tags cross-reference a section to Every Child Matters outcomes, workforce
// priorities and Joint Area Review areas for improvement.
type Tags struct {
	ECMOutcomes         []string `yaml:"ecm_outcomes"`
	WorkforcePriorities []string `yaml:"workforce_priorities"`
	JARAreas            []string `yaml:"jar_areas"`
}

// ECMOutcomes are the five Every Child Matters outcomes, by tag value.
var ECMOutcomes = []Option{
	{Value: "be-healthy", Label: "Be healthy"},
	{Value: "stay-safe", Label: "Stay safe"},
	{Value: "enjoy-and-achieve", Label: "Enjoy and achieve"},
	{Value: "make-a-positive-contribution", Label: "Make a positive contribution"},
	{Value: "achieve-economic-well-being", Label: "Achieve economic well-being"},
}

// Presets are option lists a choice question can name instead of listing
// its own.
var Presets = map[string][]Option{
	"sectors": {
		{Value: "education", Label: "Education"},
		{Value: "health", Label: "Health"},
		{Value: "social-family-community-support", Label: "Social, family and community support"},
		{Value: "youth", Label: "Youth"},
		{Value: "justice-crime-prevention", Label: "Justice and crime prevention"},
		{Value: "sport-culture", Label: "Sport and culture"},
		{Value: "early-years-childcare", Label: "Early years and childcare"},
		{Value: "managers-leaders", Label: "Managers and leaders"},
	},
	"roles": {
		{Value: "leader-manager", Label: "Leader or manager"},
		{Value: "frontline", Label: "Frontline practitioner"},
	},
	"workforce": {
		{Value: "core", Label: "Core workforce: I work with children, young people or families all the time"},
		{Value: "wider", Label: "Wider workforce: I work with children, young people or families part of the time"},
	},
}

// In returns the definition in the given language, or in English when the
// survey is not written in it.
func (d *Definition) In(lang string) *Definition {
	if t, ok := d.translations[lang]; ok {
		return t
	}
	return d
}

// Round returns the round with the given ID.
func (d *Definition) Round(id string) (Round, bool) {
	for _, r := range d.Rounds {
		if r.ID == id {
			return r, true
		}
	}
	return Round{}, false
}

// Section returns the section with the given ID.
func (d *Definition) Section(id string) (*Section, bool) {
	for _, s := range d.Sections {
		if s.ID == id {
			return s, true
		}
	}
	return nil, false
}

// Question returns the question with the given ID, and its section.
func (d *Definition) Question(id string) (*Question, *Section, bool) {
	for _, s := range d.Sections {
		for _, q := range s.Questions {
			if q.ID == id {
				return q, s, true
			}
		}
	}
	return nil, nil, false
}

// QuestionOf returns the question an answer key belongs to: the question
// with that ID, or the grid with that statement.
func (d *Definition) QuestionOf(key string) (*Question, *Section, bool) {
	for _, s := range d.Sections {
		for _, q := range s.Questions {
			if slices.Contains(q.Keys(), key) {
				return q, s, true
			}
		}
	}
	return nil, nil, false
}

// ScaleOf returns the scale a scale or grid question is rated on, or nil.
func (d *Definition) ScaleOf(q *Question) *Scale { return d.Scales[q.Scale] }

// Rated returns a section's rated items, in order, with their scale: each
// scale question and each statement of a grid. Reports summarise these;
// validation makes every rated item of a section use one scale.
func (s *Section) Rated() (items []Statement, scale string) {
	for _, q := range s.Questions {
		switch spec := q.Spec(); {
		case spec.Statements:
			for _, st := range q.Statements {
				items = append(items, *st)
			}
			scale = q.Scale
		case spec.Rated:
			items = append(items, Statement{ID: q.ID, Text: q.Text, Hint: q.Hint})
			scale = q.Scale
		}
	}
	return items, scale
}

// GroupSize is the suppression threshold for this survey's reports.
func (d *Definition) GroupSize() int {
	if d.MinGroupSize > 0 {
		return d.MinGroupSize
	}
	return DefaultMinGroupSize
}

// BreakdownQuestion returns the question that gives a breakdown, if any.
func (d *Definition) BreakdownQuestion(name string) (*Question, bool) {
	for _, s := range d.Sections {
		for _, q := range s.Questions {
			if q.Breakdown == name {
				return q, true
			}
		}
	}
	return nil, false
}

// Level returns the level with the given answer value ("1", "2", …).
func (s *Scale) Level(value string) (Level, bool) {
	for _, l := range s.Levels {
		if strconv.Itoa(l.Value) == value {
			return l, true
		}
	}
	return Level{}, false
}

// Valid reports whether value is an answer this scale accepts.
func (s *Scale) Valid(value string) bool {
	if _, ok := s.Level(value); ok {
		return true
	}
	return (value == DontKnow && s.DontKnow) || (value == NotApplicable && s.NotApplicable)
}

// Faces reports whether the scale shows smiley faces.
func (s *Scale) Faces() bool { return len(s.Levels) > 0 && s.Levels[0].Face != "" }

// AnswerLabel returns the text of an answer value in the given language,
// for check-answers pages and reports.
func (s *Scale) AnswerLabel(lang, value string) string {
	if l, ok := s.Level(value); ok {
		if s.Faces() {
			return l.Label
		}
		return strconv.Itoa(l.Value) + " – " + l.Label
	}
	switch value {
	case DontKnow:
		return Message(lang, "dont-know")
	case NotApplicable:
		return Message(lang, "not-applicable")
	case PreferNotToSay:
		return Message(lang, "prefer-not-to-say")
	}
	return ""
}

// Values lists the answer values of a scale in order: the levels, then
// Don't know and Not applicable where the scale has them.
func (s *Scale) Values() []string {
	vs := make([]string, 0, len(s.Levels)+2)
	for _, l := range s.Levels {
		vs = append(vs, strconv.Itoa(l.Value))
	}
	if s.DontKnow {
		vs = append(vs, DontKnow)
	}
	if s.NotApplicable {
		vs = append(vs, NotApplicable)
	}
	return vs
}

// OptionLabel returns the text of an option value of a choice question.
func (q *Question) OptionLabel(value string) string {
	for _, o := range q.Options {
		if o.Value == value {
			return o.Label
		}
	}
	return ""
}

// Choices splits a multiple-choice answer into its option values. A
// multiple-choice answer is stored as its values joined by spaces, which
// option values cannot contain.
func Choices(answer string) []string { return strings.Fields(answer) }

// Holds reports whether the condition holds for the answers given.
func (c *Condition) Holds(answers map[string]string) bool {
	if c == nil {
		return true
	}
	for _, v := range Choices(answers[c.Question]) {
		for _, want := range c.AnswerIs {
			if v == want {
				return true
			}
		}
	}
	return false
}
