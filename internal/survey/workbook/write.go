package workbook

import (
	"bytes"
	_ "embed"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"iwtoolkit/internal/survey"
)

// Write makes the workbook of a survey as loaded (survey.Parse), in every
// language it is written in. Reading the workbook back gives the same
// definition (docs/surveys.md says the little that does not travel).
func Write(d *survey.Definition) ([]byte, error) {
	t := &table{langs: d.Languages, rows: map[string][]map[string]string{}}
	if len(t.langs) == 0 {
		t.langs = []string{"en"}
	}
	t.define(d)
	return t.workbook()
}

// Template is a workbook with every sheet and column and no survey in it,
// for someone who starts a survey from nothing.
func Template() ([]byte, error) {
	t := &table{langs: []string{"en"}, rows: map[string][]map[string]string{}}
	t.add(sheetSettings, map[string]string{"default_language": "English (en)"})
	return t.workbook()
}

// table is a workbook being written: for each sheet its rows, each a
// header → value map, in the languages of the survey.
type table struct {
	langs []string
	rows  map[string][]map[string]string
}

func (t *table) add(sheet string, row map[string]string) { t.rows[sheet] = append(t.rows[sheet], row) }

// text puts a text in every language into row: col for English, col::Name
// (code) for the others. get gives the text of the definition in a language.
func (t *table) text(row map[string]string, col string, d *survey.Definition, get func(*survey.Definition) string) {
	for _, lang := range t.langs {
		h := col
		if lang != "en" {
			h = languageHeader(col, lang)
		}
		row[h] = get(d.In(lang))
	}
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return ""
}

func number(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func (t *table) define(d *survey.Definition) {
	settings := map[string]string{
		"form_id": d.ID, "version": d.Version, "default_language": "English (en)", "audience": d.Audience,
		"min_group_size": number(d.MinGroupSize), "round_counts_to": number(d.RoundCountsTo), "exit_page": d.ExitPage,
		"retention_months": number(d.RetentionMonths),
		"task_list":        yes(d.TaskList), "invitation_only": yes(d.InvitationOnly), "safeguarding_lead": d.SafeguardingLead,
	}
	t.text(settings, "form_title", d, func(d *survey.Definition) string { return d.Title })
	if d.Email != nil {
		days := make([]string, len(d.Email.ReminderDays))
		for i, n := range d.Email.ReminderDays {
			days[i] = strconv.Itoa(n)
		}
		settings["reminder_days"] = strings.Join(days, " ")
		settings["email_contact"] = d.Email.Contact
	}
	t.add(sheetSettings, settings)

	for _, name := range textNames() {
		get := textGetter(name)
		if get(d) == "" && !slices.ContainsFunc(t.langs, func(l string) bool { return get(d.In(l)) != "" }) {
			continue
		}
		row := map[string]string{"name": name}
		t.text(row, "text", d, get)
		t.add(sheetTexts, row)
	}
	for i, r := range d.Rounds {
		row := map[string]string{"id": r.ID, "open": yes(r.Open), "practice": yes(r.Practice)}
		t.text(row, "label", d, func(d *survey.Definition) string { return d.Rounds[i].Label })
		t.add(sheetRounds, row)
	}
	if d.Help != nil {
		for i, c := range d.Help.Contacts {
			row := map[string]string{"phone": c.Phone, "website": c.Website}
			t.text(row, "name", d, func(d *survey.Definition) string { return d.Help.Contacts[i].Name })
			t.text(row, "description", d, func(d *survey.Definition) string { return d.Help.Contacts[i].Description })
			t.add(sheetContacts, row)
		}
	}
	for _, w := range d.SafeguardingWords {
		t.add(sheetWords, map[string]string{"word": w})
	}

	scales := make([]string, 0, len(d.Scales))
	for name := range d.Scales {
		scales = append(scales, name)
	}
	sort.Strings(scales)
	lists := map[string]bool{"yes_no": true}
	for _, name := range scales {
		s := d.Scales[name]
		lists[name] = true
		t.add(sheetScales, map[string]string{"name": name, "dont_know": yes(s.DontKnow), "not_applicable": yes(s.NotApplicable)})
		for i, l := range s.Levels {
			row := map[string]string{"list_name": name, "name": strconv.Itoa(l.Value), "face": l.Face}
			t.text(row, "label", d, func(d *survey.Definition) string { return d.Scales[name].Levels[i].Label })
			t.text(row, "descriptor", d, func(d *survey.Definition) string { return d.Scales[name].Levels[i].Descriptor })
			t.add(sheetChoices, row)
		}
	}
	for p := range survey.Presets {
		lists[p] = true
	}

	for si, s := range d.Sections {
		row := map[string]string{"type": "begin_group", "name": s.ID, "relevant": relevant(d, s.ShowIf)}
		t.text(row, "label", d, func(d *survey.Definition) string { return d.Sections[si].Title })
		t.text(row, "hint", d, func(d *survey.Definition) string { return d.Sections[si].Description })
		t.add(sheetSurvey, row)
		for _, k := range tagKinds {
			for _, tag := range k.get(&s.Tags) {
				t.add(sheetTags, map[string]string{"section": s.ID, "kind": k.name, "tag": tag})
			}
		}
		for qi, q := range s.Questions {
			t.question(d, si, qi, q, lists)
		}
		t.add(sheetSurvey, map[string]string{"type": "end_group"})
	}
	for i, in := range d.Indicators {
		t.indicator(d, i, in)
	}
}

// indicator writes an indicator's row of the indicators sheet.
func (t *table) indicator(d *survey.Definition, i int, in *survey.Indicator) {
	row := map[string]string{"name": in.ID, "type": in.Type, "answer": in.Answer, "level": in.Level,
		"apart": strings.Join(in.Apart, ", "), "questions": strings.Join(in.Questions, ", "), "by": strings.Join(in.By, ", ")}
	t.text(row, "label", d, func(d *survey.Definition) string { return d.Indicators[i].Title })
	t.add(sheetIndicators, row)
}

// bandsText writes a number question's bands as people read them: 0,
// 1-2, 3-5, 6+ (blank for the usual bands).
func bandsText(q *survey.Question) string {
	if len(q.Bands) == 0 {
		return ""
	}
	bands := q.NumberBands()
	parts := make([]string, len(bands))
	for i, b := range bands {
		parts[i] = b.Value()
	}
	return strings.Join(parts, ", ")
}

// tagKinds are the kinds of tag, as the tags sheet names them.
var tagKinds = []struct {
	name string
	get  func(*survey.Tags) []string
}{
	{"ecm_outcomes", func(t *survey.Tags) []string { return t.ECMOutcomes }},
	{"workforce_priorities", func(t *survey.Tags) []string { return t.WorkforcePriorities }},
	{"jar_areas", func(t *survey.Tags) []string { return t.JARAreas }},
}

// textGetter returns the text of the texts sheet's row name.
func textGetter(name string) func(*survey.Definition) string {
	email := func(f func(*survey.Email) string) func(*survey.Definition) string {
		return func(d *survey.Definition) string {
			if d.Email == nil {
				return ""
			}
			return f(d.Email)
		}
	}
	words := func(f func(*survey.Words) string) func(*survey.Definition) string {
		return func(d *survey.Definition) string {
			if d.Words == nil {
				return ""
			}
			return f(d.Words)
		}
	}
	switch name {
	case "introduction":
		return func(d *survey.Definition) string { return d.Introduction }
	case "time_to_complete":
		return func(d *survey.Definition) string { return d.TimeToComplete }
	case "how_answers_are_used":
		return func(d *survey.Definition) string { return d.HowAnswersAreUsed }
	case "privacy_notice":
		return func(d *survey.Definition) string { return d.PrivacyNotice }
	case "help_text":
		return func(d *survey.Definition) string {
			if d.Help == nil {
				return ""
			}
			return d.Help.Text
		}
	case "safeguarding_notice":
		return func(d *survey.Definition) string { return d.SafeguardingNotice }
	case "words_optional_question":
		return words(func(w *survey.Words) string { return w.Optional })
	case "words_prefer_not_to_say_answer":
		return words(func(w *survey.Words) string { return w.PreferNotToSay })
	case "words_text_limit":
		return words(func(w *survey.Words) string { return w.TextLimit })
	case "words_no_answer":
		return words(func(w *survey.Words) string { return w.NoAnswer })
	case "email_asking":
		return email(func(e *survey.Email) string { return e.Asking })
	case "email_subject":
		return email(func(e *survey.Email) string { return e.Subject })
	case "email_body":
		return email(func(e *survey.Email) string { return e.Body })
	case "email_reminder_subject":
		return email(func(e *survey.Email) string { return e.ReminderSubject })
	case "email_reminder_body":
		return email(func(e *survey.Email) string { return e.ReminderBody })
	}
	return func(*survey.Definition) string { return "" }
}

func (t *table) question(d *survey.Definition, si, qi int, q *survey.Question, lists map[string]bool) {
	in := func(d *survey.Definition) *survey.Question { return d.Sections[si].Questions[qi] }
	row := map[string]string{"name": q.ID, "required": yes(!q.Optional), "relevant": relevant(d, q.ShowIf),
		"prefer_not_to_say": yes(q.PreferNotToSay), "breakdown": q.Breakdown}
	t.text(row, "label", d, func(d *survey.Definition) string { return in(d).Text })
	t.text(row, "hint", d, func(d *survey.Definition) string { return in(d).Hint })
	t.text(row, "required_message", d, func(d *survey.Definition) string { return in(d).Error })
	spec := q.Spec()
	x := spec.XLSForm
	row["type"] = x.Type
	if x.Appearance != "" {
		row["appearance"] = x.Appearance
	}
	switch {
	case spec.Statements:
		t.add(sheetSurvey, row)
		for i, st := range q.Statements {
			srow := map[string]string{"type": ratingType().XLSForm.Type + " " + q.Scale, "name": st.ID}
			t.text(srow, "label", d, func(d *survey.Definition) string { return in(d).Statements[i].Text })
			t.text(srow, "hint", d, func(d *survey.Definition) string { return in(d).Statements[i].Hint })
			t.add(sheetSurvey, srow)
		}
		t.add(sheetSurvey, map[string]string{"type": "end_group"})
		return
	case spec.Rated:
		row["type"] = x.Type + " " + q.Scale
	case x.List != "":
		row["type"] = x.Type + " " + x.List
	case spec.Options:
		if spec.Multiple {
			t.text(row, "none", d, func(d *survey.Definition) string { return in(d).None })
		}
		if q.Preset != "" {
			row["type"] = x.Type + " " + q.Preset
			break
		}
		list := q.ID
		for lists[list] {
			list += "-choices"
		}
		lists[list] = true
		row["type"] = x.Type + " " + list
		for i, o := range q.Options {
			orow := map[string]string{"list_name": list, "name": o.Value}
			t.text(orow, "label", d, func(d *survey.Definition) string { return in(d).Options[i].Label })
			t.text(orow, "hint", d, func(d *survey.Definition) string { return in(d).Options[i].Hint })
			t.add(sheetChoices, orow)
		}
	case spec.Number:
		if q.Min != nil {
			row["min"] = strconv.Itoa(*q.Min)
		}
		if q.Max != nil {
			row["max"] = strconv.Itoa(*q.Max)
		}
		row["bands"] = bandsText(q)
	case spec.Text:
		row["max_length"], row["pattern"] = number(q.MaxLength), q.Pattern
		t.text(row, "pattern_message", d, func(d *survey.Definition) string { return in(d).PatternMessage })
	}
	t.add(sheetSurvey, row)
}

// relevant writes a condition as XLSForm does: ${q} = 'a' or ${q} = 'b',
// or selected(${q}, 'a') for a multiple choice.
func relevant(d *survey.Definition, c *survey.Condition) string {
	if c == nil {
		return ""
	}
	multiple := false
	if q, _, ok := d.QuestionOf(c.Question); ok {
		multiple = q.Spec().Multiple
	}
	parts := make([]string, len(c.AnswerIs))
	for i, v := range c.AnswerIs {
		quoted := "'" + v + "'"
		if strings.Contains(v, "'") {
			quoted = `"` + v + `"`
		}
		if multiple {
			parts[i] = fmt.Sprintf("selected(${%s}, %s)", c.Question, quoted)
		} else {
			parts[i] = fmt.Sprintf("${%s} = %s", c.Question, quoted)
		}
	}
	return strings.Join(parts, " or ")
}

// headers are a sheet's columns in the survey's languages: each translated
// column followed by its other languages.
func (t *table) headers(s sheet) []column {
	var cols []column
	for _, c := range s.columns {
		cols = append(cols, c)
		if c.translated {
			for _, lang := range t.langs[1:] {
				cols = append(cols, column{name: languageHeader(c.name, lang), width: c.width, help: c.help + " In " + strings.TrimPrefix(languageHeader("", lang), "::") + "."})
			}
		}
	}
	return cols
}

// workbook writes the sheets with a bold frozen header row, sensible
// widths, a comment on each header saying what the column holds, and a
// Read me sheet listing them all.
func (t *table) workbook() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDDDDD"}}})
	if err != nil {
		return nil, fmt.Errorf("workbook: %w", err)
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return nil, fmt.Errorf("workbook: %w", err)
	}
	for i, s := range layout {
		if i == 0 {
			err = f.SetSheetName("Sheet1", s.name)
		} else {
			_, err = f.NewSheet(s.name)
		}
		if err != nil {
			return nil, fmt.Errorf("workbook: sheet %s: %w", s.name, err)
		}
		if err := t.sheet(f, s, bold, wrap); err != nil {
			return nil, fmt.Errorf("workbook: sheet %s: %w", s.name, err)
		}
	}
	if err := t.readMe(f, bold, wrap); err != nil {
		return nil, fmt.Errorf("workbook: read me: %w", err)
	}
	f.SetActiveSheet(0)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, fmt.Errorf("workbook: %w", err)
	}
	return buf.Bytes(), nil
}

func (t *table) sheet(f *excelize.File, s sheet, bold, wrap int) error {
	cols := t.headers(s)
	for c, col := range cols {
		cell, _ := excelize.CoordinatesToCellName(c+1, 1)
		if err := f.SetCellStr(s.name, cell, col.name); err != nil {
			return err
		}
		if err := f.AddComment(s.name, excelize.Comment{Cell: cell, Author: "iwtoolkit",
			Paragraph: []excelize.RichTextRun{{Text: col.help}}, Width: 300, Height: 90}); err != nil {
			return err
		}
		name, _ := excelize.ColumnNumberToName(c + 1)
		if err := f.SetColWidth(s.name, name, name, col.width); err != nil {
			return err
		}
	}
	for r, row := range t.rows[s.name] {
		for c, col := range cols {
			v := row[col.name]
			if v == "" {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(c+1, r+2)
			// SetCellStr keeps every value text, so that Excel shows
			// 007 or 1-2 as written rather than as a number or a date.
			if err := f.SetCellStr(s.name, cell, v); err != nil {
				return err
			}
		}
	}
	last, _ := excelize.CoordinatesToCellName(len(cols), 1)
	if err := f.SetCellStyle(s.name, "A1", last, bold); err != nil {
		return err
	}
	if n := len(t.rows[s.name]); n > 0 {
		end, _ := excelize.CoordinatesToCellName(len(cols), n+1)
		if err := f.SetCellStyle(s.name, "A2", end, wrap); err != nil {
			return err
		}
	}
	return f.SetPanes(s.name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}

func (t *table) readMe(f *excelize.File, bold, wrap int) error {
	if _, err := f.NewSheet(sheetReadMe); err != nil {
		return err
	}
	lines := [][]string{
		{"sheet", "column", "what it holds"},
		{"", "", "This workbook is a survey of the Integrated Working Toolkit. Change it in Excel, keep the sheet and column names, and give it back to the toolkit (iwtoolkit check FILE.xlsx lists every problem by cell). Write values, not formulas. A column name ending ::Cymraeg (cy) holds the same text in that language; add such columns for every text to offer a language. docs/surveys.md, Surveys in a spreadsheet, is the full guide."},
	}
	for _, s := range layout {
		lines = append(lines, []string{s.name, "", s.help})
		for _, c := range s.columns {
			lines = append(lines, []string{"", c.name, c.help})
		}
	}
	for r, line := range lines {
		cell, _ := excelize.CoordinatesToCellName(1, r+1)
		if err := f.SetSheetRow(sheetReadMe, cell, &line); err != nil {
			return err
		}
	}
	if err := f.SetColWidth(sheetReadMe, "A", "B", 22); err != nil {
		return err
	}
	if err := f.SetColWidth(sheetReadMe, "C", "C", 100); err != nil {
		return err
	}
	if err := f.SetCellStyle(sheetReadMe, "A1", "C1", bold); err != nil {
		return err
	}
	end, _ := excelize.CoordinatesToCellName(3, len(lines))
	if err := f.SetCellStyle(sheetReadMe, "A2", end, wrap); err != nil {
		return err
	}
	return f.SetPanes(sheetReadMe, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}

//go:embed example.yaml
var exampleYAML []byte

// Example is the workbook of a short example survey with a question of
// every type, to download and change.
func Example() ([]byte, error) {
	d, ps := survey.Parse("example.yaml", exampleYAML)
	if len(ps) > 0 {
		return nil, fmt.Errorf("workbook: the example survey: %w", ps)
	}
	return Write(d)
}
