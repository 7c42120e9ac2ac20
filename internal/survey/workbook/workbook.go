// Package workbook writes a survey definition as an Excel workbook laid out
// the way people who know XLSForm expect (a survey sheet of questions, a
// choices sheet, a settings sheet, translations in label::Cymraeg (cy)
// columns, and sheets of the toolkit's own for rounds, scales, texts, help
// contacts, tags, indicators and safeguarding words), and reads such a
// workbook back.
//
// Reading does not check a survey by rules of its own: it turns the workbook
// into a survey file and hands it to survey.Parse, so that a workbook and a
// YAML file meet one set of rules, and it reports each problem Parse finds
// at the cell it came from (survey sheet, row 14, column relevant: …).
// docs/surveys.md, "Surveys in a spreadsheet", says which part of XLSForm
// is supported.
package workbook

import (
	"fmt"
	"slices"
	"strings"

	"iwtoolkit/internal/survey"
)

// Limits of a workbook the reader accepts. The largest bundled survey (in
// two languages) is a 40 KB workbook unpacking to 160 KB; the limits leave
// room for surveys thirty times that, and refuse a zip bomb before it is
// unpacked. Reading a workbook at the unpacked limit (1,240 texts of 4,000
// characters) took 5 s and 160 MB of allocations on a busy 2-core machine:
// the limit keeps one upload from holding the service for long.
const (
	MaxFileSize     = 5 << 20 // bytes of the .xlsx file
	MaxUnzippedSize = 5 << 20 // bytes of all its parts unzipped
	MaxParts        = 1000    // files inside the .xlsx
	MaxRows         = 5000    // rows of one sheet
	MaxColumns      = 100     // columns of one sheet
)

// Problem is one thing wrong in a workbook, at a cell where it is known.
type Problem struct {
	Sheet   string // "" when the problem is the whole file's
	Row     int    // 1 is the header row; 0 when the problem is the sheet's
	Column  string // the column's header, "" when the problem is the row's
	Message string
}

func (p Problem) String() string {
	switch {
	case p.Sheet == "":
		return p.Message
	case p.Row == 0 && p.Column == "":
		return fmt.Sprintf("%s sheet: %s", p.Sheet, p.Message)
	case p.Row == 0:
		return fmt.Sprintf("%s sheet, column %s: %s", p.Sheet, p.Column, p.Message)
	case p.Column == "":
		return fmt.Sprintf("%s sheet, row %d: %s", p.Sheet, p.Row, p.Message)
	}
	return fmt.Sprintf("%s sheet, row %d, column %s: %s", p.Sheet, p.Row, p.Column, p.Message)
}

// Problems is every problem found in a workbook, one a line.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// column is one column of a sheet: its header, whether it has a column per
// language (label, label::Cymraeg (cy), …), and what it holds, for the
// header's comment and the Read me sheet.
type column struct {
	name       string
	translated bool
	width      float64
	help       string
}

// sheet is one sheet of the workbook, its columns in order.
type sheet struct {
	name    string
	help    string
	columns []column
}

// Sheet names.
const (
	sheetSurvey     = "survey"
	sheetChoices    = "choices"
	sheetSettings   = "settings"
	sheetTexts      = "texts"
	sheetRounds     = "rounds"
	sheetScales     = "scales"
	sheetContacts   = "help_contacts"
	sheetTags       = "tags"
	sheetIndicators = "indicators"
	sheetWords      = "safeguarding_words"
	sheetReadMe     = "Read me"
)

// layout is every sheet and column the writer makes and the reader
// accepts: the one list of them, which the Read me sheet prints.
var layout = []sheet{
	{sheetSurvey, "The questions, one a row, in order. Each section is a begin_group row, its questions, and an end_group row; a grid is a group inside a section, with appearance table-list, whose rows are its statements.", []column{
		{"type", false, 22, "begin_group, end_group, select_one LIST, select_multiple LIST, integer or text. LIST names a list of the choices sheet, a scale (scales sheet), a preset list (sectors, roles, workforce) or yes_no."},
		{"name", false, 22, "The id: lowercase letters, digits and hyphens. Keep it the same between rounds: reports compare by it."},
		{"label", true, 50, "The question (or the section's title, or the grid's heading, or the statement)."},
		{"hint", true, 40, "Help shown under the question (or the section's description)."},
		{"required", false, 10, "yes if the question must be answered; blank lets people skip it."},
		{"required_message", true, 30, "What to tell someone who left a required question unanswered, in few words (Choose how you feel about school)."},
		{"relevant", false, 30, "Ask the question (or show the section) only when an earlier answer is one of some values: ${question} = 'value' or ${question} = 'other', or selected(${question}, 'value') for a select_multiple."},
		{"appearance", false, 12, "multiline for a box of text; likert for a rating; table-list for a grid."},
		{"min", false, 8, "integer: the smallest number accepted."},
		{"max", false, 8, "integer: the largest number accepted."},
		{"bands", false, 16, "integer: the bands reports count the answers in, lowest first, each with its first and last number and the last with + for or more: 0, 1-2, 3-5, 6+. Blank for the usual bands (0, 1-2, 3-5, 6-10, 11-20, 21+ from min)."},
		{"max_length", false, 10, "text: the most characters accepted."},
		{"pattern", false, 16, "text: a regular expression the whole answer must match."},
		{"pattern_message", true, 30, "text: what to tell someone whose answer does not match the pattern."},
		{"none", true, 24, "select_multiple: the label of an exclusive None of these answer."},
		{"prefer_not_to_say", false, 10, "yes to add a Prefer not to say answer."},
		{"breakdown", false, 14, "The report breakdown this answer gives: sector, organisation, audience, workforce, age-band or locality."},
	}},
	{sheetChoices, "The answers of select_one and select_multiple questions, one a row, grouped by list_name; a scale's levels are the list named after the scale.", []column{
		{"list_name", false, 20, "The list this answer belongs to: named in the type of its questions, or a scale's name."},
		{"name", false, 20, "The value stored: lowercase letters, digits and hyphens; for a scale's level, a whole number."},
		{"label", true, 40, "What people read."},
		{"hint", true, 30, "Help shown under an answer (not for a scale's levels)."},
		{"descriptor", true, 40, "A scale's level only: what this level looks like in practice."},
		{"face", false, 10, "A scale's level only: happy, okay or sad, for a smiley face beside the label."},
	}},
	{sheetSettings, "The survey as a whole: one row of values under the headers.", []column{
		{"form_title", true, 40, "The survey's title."},
		{"form_id", false, 24, "The survey's id, as in its link (/s/ID/ROUND): lowercase letters, digits and hyphens."},
		{"version", false, 14, "The version the workbook was made from (the toolkit works out each version itself: this is for your information)."},
		{"default_language", false, 16, "Always English (en): the columns without ::language."},
		{"audience", false, 16, "Who answers: staff, organisations, children, young-people or parents-carers."},
		{"min_group_size", false, 14, "The smallest group a report shows (5 or more; blank for 5)."},
		{"round_counts_to", false, 14, "Round every published count to a multiple of this (2 to 10; blank for exact counts)."},
		{"retention_months", false, 14, "How many months a round's responses are kept after it closes (1 to 120; blank if the Trust has not decided)."},
		{"exit_page", false, 30, "Where Exit this page leads, for children and young people: a full https address."},
		{"task_list", false, 10, "yes to show a task list of the sections (long self-assessments)."},
		{"invitation_only", false, 14, "yes to take answers only through invitation links."},
		{"reminder_days", false, 14, "Days after an invitation when reminders go, for example 7 14."},
		{"safeguarding_lead", false, 30, "The email address of the named safeguarding lead, told at once when an answer is flagged (blank: the service's own setting)."},
		{"email_contact", false, 30, "Whom people may ask about the survey, named in invitations: a name and an email address or telephone number (blank: the service's own contact)."},
	}},
	{sheetTexts, "The survey's longer texts, one a row, by name: introduction, time_to_complete, how_answers_are_used, privacy_notice, help_text, safeguarding_notice, the survey's own words for the service's (words_…, for children and young people) and the email wording.", []column{
		{"name", false, 24, "Which text: " + strings.Join(textNames(), ", ") + "."},
		{"text", true, 80, "The wording."},
	}},
	{sheetRounds, "The rounds of the survey (a baseline, a follow-up), one a row.", []column{
		{"id", false, 20, "The round's id, as in its link: lowercase letters, digits and hyphens."},
		{"label", true, 40, "The round's name as staff and reports show it."},
		{"open", false, 8, "yes if the round starts open for answers."},
		{"practice", false, 10, "yes for a practice round, kept out of comparisons."},
	}},
	{sheetScales, "The rating scales, one a row; each scale's levels are rows of the choices sheet whose list_name is the scale's name.", []column{
		{"name", false, 20, "The scale's name, used in select_one NAME."},
		{"dont_know", false, 12, "yes to add a Don't know answer."},
		{"not_applicable", false, 14, "yes to add a Not applicable answer."},
	}},
	{sheetContacts, "Where respondents can get help, shown at the end, one a row.", []column{
		{"name", true, 30, "The service's name."},
		{"phone", false, 16, "A phone number."},
		{"website", false, 30, "A full web address."},
		{"description", true, 50, "What the service does, in a sentence."},
	}},
	{sheetTags, "Tags that tie a section to the Trust's plans, one a row.", []column{
		{"section", false, 24, "The name of a section (a begin_group row of the survey sheet)."},
		{"kind", false, 22, "ecm_outcomes, workforce_priorities or jar_areas."},
		{"tag", false, 50, "The tag: for ecm_outcomes one of be-healthy, stay-safe, enjoy-and-achieve, make-a-positive-contribution, achieve-economic-well-being."},
	}},
	{sheetIndicators, "Figures the Trust's plans name, worked out from the answers and shown in every report of a round, one a row: reaches (the share whose answer to one question reaches the level they give in another) or demand (the answers of multiple-choice questions ranked by how many chose them).", []column{
		{"name", false, 24, "The indicator's id: lowercase letters, digits and hyphens. Keep it the same between rounds: reports compare by it."},
		{"type", false, 12, "reaches or demand."},
		{"label", true, 50, "The indicator's title, as reports show it."},
		{"answer", false, 24, "reaches: the name of the select_one question whose answer must reach the level; its answers are the levels, lowest first."},
		{"level", false, 24, "reaches: the name of the select_one question whose answer is the level to reach; each of its answers is one of the answer question's (or under apart)."},
		{"apart", false, 20, "reaches: answers (to either question) counted apart, neither reaching the level nor not, for example not-sure; several with commas between."},
		{"questions", false, 40, "demand: the names of the select_multiple questions whose answers are ranked, with commas between."},
		{"by", false, 20, "The breakdowns the indicator is also shown by (sector, organisation, audience, workforce, age-band or locality), with commas between; blank for everyone only."},
	}},
	{sheetWords, "Words and phrases that flag a free-text answer for a safeguarding review by staff, one a row.", []column{
		{"word", false, 30, "A word or phrase, matched as whole words."},
	}},
}

// textNames are the names of the texts sheet's rows.
func textNames() []string {
	return []string{"introduction", "time_to_complete", "how_answers_are_used", "privacy_notice", "help_text",
		"safeguarding_notice", "words_optional_question", "words_prefer_not_to_say_answer", "words_text_limit", "words_no_answer",
		"email_asking", "email_subject", "email_body", "email_reminder_subject", "email_reminder_body"}
}

func sheetOf(name string) (sheet, bool) {
	i := slices.IndexFunc(layout, func(s sheet) bool { return s.name == name })
	if i < 0 {
		return sheet{}, false
	}
	return layout[i], true
}

// languageHeader is the header of a column in a language besides English,
// as XLSForm writes it: label::Cymraeg (cy).
func languageHeader(col, lang string) string {
	for _, l := range survey.Languages {
		if l.Value == lang {
			return col + "::" + l.Label + " (" + lang + ")"
		}
	}
	return col + "::" + lang
}

// nearest returns the candidate closest to word, if it is close enough to
// be what was meant.
func nearest(word string, candidates []string) (string, bool) {
	best, bestD := "", len(word)/3+2
	for _, c := range candidates {
		if len(word) >= 3 && strings.HasPrefix(c, strings.ToLower(word)) {
			return c, true
		}
	}
	for _, c := range candidates {
		if d := distance(strings.ToLower(word), c); d < bestD {
			best, bestD = c, d
		}
	}
	return best, best != ""
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur := make([]int, len(rb)+1)
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(rb)]
}
