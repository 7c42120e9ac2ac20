package workbook

import (
	"regexp"
	"strings"

	"iwtoolkit/internal/survey"
)

// parseProblem reports what survey.Parse said of a line at the cell the
// line came from, in the workbook's words.
func (r *reader) parseProblem(s *source, p survey.Problem) {
	msg := reword(p.Message)
	var c cell
	if p.Line >= 1 && p.Line <= len(s.cells) {
		c = s.cells[p.Line-1]
	}
	if c.sheet == "" {
		c = rootCell(msg)
	}
	if c.row > 0 && r.broken[rowKey{c.sheet, c.row}] {
		return // follows from the problem already reported in this row
	}
	r.problems = append(r.problems, Problem{Sheet: c.sheet, Row: c.row, Column: c.column, Message: msg})
}

// rootCell places a problem of the whole survey on its sheet.
func rootCell(msg string) cell {
	for _, p := range []struct{ prefix, sheet, column string }{
		{"rounds:", sheetRounds, ""},
		{"scales:", sheetScales, ""},
		{"sections:", sheetSurvey, ""},
		{"indicators:", sheetIndicators, ""},
		{"form_id", sheetSettings, "form_id"},
		{"form_title", sheetSettings, "form_title"},
		{"audience", sheetSettings, "audience"},
		{"introduction", sheetTexts, ""},
		{"how_answers_are_used", sheetTexts, ""},
		{"privacy_notice", sheetTexts, ""},
	} {
		if strings.HasPrefix(msg, p.prefix) {
			if p.sheet == sheetSettings {
				return cell{p.sheet, 2, p.column}
			}
			return cell{sheet: p.sheet}
		}
	}
	return cell{}
}

var rewordings = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`^the file name "(.*)\.yaml" must be a survey id: (.*), then \.yaml$`), `form_id "$1" must be $2`},
	{regexp.MustCompile(`^title is required$`), `form_title is required`},
	{regexp.MustCompile(`^(introduction|how_answers_are_used) is required$`), `$1 is required: add a row named $1 with its text`},
	{regexp.MustCompile(`^privacy_notice \(for children and young people\) is required$`), `privacy_notice is required for children and young people: add a row named privacy_notice with its text`},
	{regexp.MustCompile(`^\w+ has no (\w+) wording$`), `there is no $1 wording: write it in this cell`},
	{regexp.MustCompile(`^(question|statement) text is required$`), `label is required: the $1's wording`},
	{regexp.MustCompile(`^section title is required$`), `label is required: the section's title`},
	{regexp.MustCompile(`^indicator title is required$`), `label is required: the indicator's title, as reports show it`},
	{regexp.MustCompile(`^indicator type "(.*)" must be (\w+) or (\w+)$`), `type "$1" must be $2 or $3`},
	{regexp.MustCompile(`^show_if needs answer_is.*`), `relevant needs an answer: ${question} = 'answer'`},
	{regexp.MustCompile(`show_if: `), `relevant: `},
	{regexp.MustCompile(`must be optional$`), `must not be required: leave required blank`},
	{regexp.MustCompile(`can be left blank instead: make it optional$`), `can be left blank instead: leave prefer_not_to_say and required blank`},
	{regexp.MustCompile(`needs a preset or at least two options$`), `needs at least two answers on the choices sheet (list_name as in its type), or a preset list: sectors, roles or workforce`},
	{regexp.MustCompile(`is not defined under scales$`), `is not on the scales sheet`},
	{regexp.MustCompile(`use the question's none or prefer_not_to_say instead$`), `use the question's none or prefer_not_to_say column instead`},
	{regexp.MustCompile(`^(\w+) id (".*") (is used twice|must be)`), `name $2 $3`},
}

// reword says a problem in the workbook's words: its columns rather than a
// survey file's fields.
func reword(msg string) string {
	for _, w := range rewordings {
		msg = w.re.ReplaceAllString(msg, w.with)
	}
	return msg
}
