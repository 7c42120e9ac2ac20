package workbook

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"iwtoolkit/internal/survey"
)

// book is a workbook of a bundled survey opened for a test to break.
type book struct {
	t *testing.T
	f *excelize.File
}

func bookOf(t *testing.T, id string) *book {
	t.Helper()
	for _, d := range bundled(t) {
		if d.ID != id {
			continue
		}
		data, err := Write(d)
		if err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return &book{t, f}
	}
	t.Fatalf("no bundled survey %s", id)
	return nil
}

// column is the letter of the column with this header.
func (b *book) column(sheet, header string) string {
	b.t.Helper()
	rows, _ := b.f.GetRows(sheet)
	for i, h := range rows[0] {
		if h == header {
			name, _ := excelize.ColumnNumberToName(i + 1)
			return name
		}
	}
	b.t.Fatalf("%s sheet has no column %s", sheet, header)
	return ""
}

// row is the number of the first row whose column has this value.
func (b *book) row(sheet, header, value string) int {
	b.t.Helper()
	col := b.column(sheet, header)
	rows, _ := b.f.GetRows(sheet)
	for i := range rows {
		if v, _ := b.f.GetCellValue(sheet, fmt.Sprintf("%s%d", col, i+1)); v == value {
			return i + 1
		}
	}
	b.t.Fatalf("%s sheet has no row with %s %q", sheet, header, value)
	return 0
}

// set writes a value into the column of a row (row 1 is the header).
func (b *book) set(sheet, header string, row int, value string) {
	b.t.Helper()
	if err := b.f.SetCellStr(sheet, fmt.Sprintf("%s%d", b.column(sheet, header), row), value); err != nil {
		b.t.Fatal(err)
	}
}

func (b *book) bytes() []byte {
	b.t.Helper()
	buf, err := b.f.WriteToBuffer()
	if err != nil {
		b.t.Fatal(err)
	}
	return buf.Bytes()
}

// zipOf makes a zip file of the given parts.
func zipOf(t *testing.T, parts map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	for name, data := range parts {
		w, err := z.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Each kind of problem is reported in plain words at its cell, with every
// other problem of the workbook, and nothing is read.
func TestProblems(t *testing.T) {
	for _, c := range []struct {
		name string
		make func(t *testing.T) []byte
		want []string
	}{
		{"not a workbook", func(*testing.T) []byte { return []byte("title: a survey file\n") },
			[]string{"this file is not an Excel workbook (.xlsx): save it from Excel as an Excel Workbook"}},
		{"an old .xls", func(*testing.T) []byte {
			return append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 600)...)
		},
			[]string{"Excel 97-2003 workbook (.xls)"}},
		{"a damaged zip", func(*testing.T) []byte { return []byte("PK\x03\x04 and then nothing a zip has") },
			[]string{"this file is not an Excel workbook (.xlsx) that can be read: it is damaged"}},
		{"a zip that is not a workbook", func(t *testing.T) []byte { return zipOf(t, map[string][]byte{"a.txt": []byte("hello")}) },
			[]string{"this file is a zip file but not an Excel workbook (.xlsx)"}},
		{"too big", func(*testing.T) []byte { return append([]byte("PK\x03\x04"), make([]byte, MaxFileSize)...) },
			[]string{"this file is 5.0 MB: a survey workbook can be at most 5 MB"}},
		{"a zip bomb", func(t *testing.T) []byte {
			return zipOf(t, map[string][]byte{"xl/worksheets/sheet1.xml": make([]byte, MaxUnzippedSize+1)})
		}, []string{"this workbook unpacks to more than 5 MB: a survey workbook is far smaller, so it is refused (it may be a zip bomb)"}},
		{"a zip bomb that says it is small", func(t *testing.T) []byte {
			// The zip's directory says 100 bytes; the part unpacks to 20 MB,
			// of which no more than 100 bytes are read.
			var packed bytes.Buffer
			fw, _ := flate.NewWriter(&packed, flate.BestCompression)
			fw.Write(make([]byte, 20<<20))
			fw.Close()
			var buf bytes.Buffer
			z := zip.NewWriter(&buf)
			for _, name := range []string{"[Content_Types].xml", "xl/workbook.xml"} {
				w, err := z.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate,
					CompressedSize64: uint64(packed.Len()), UncompressedSize64: 100})
				if err != nil {
					t.Fatal(err)
				}
				w.Write(packed.Bytes())
			}
			z.Close()
			return buf.Bytes()
		}, []string{"this file is not an Excel workbook (.xlsx) that can be read: it is damaged, or it is another kind of file"}},
		{"too many parts", func(t *testing.T) []byte {
			parts := map[string][]byte{}
			for i := range MaxParts + 1 {
				parts[fmt.Sprintf("p%d.xml", i)] = nil
			}
			return zipOf(t, parts)
		}, []string{"this workbook has 1001 parts inside it: a survey workbook has at most 1000"}},
		{"a formula", func(t *testing.T) []byte {
			b := bookOf(t, "children")
			r := b.row("survey", "name", "happy-at-school")
			b.f.SetCellFormula("survey", fmt.Sprintf("%s%d", b.column("survey", "label"), r), `"How "&"happy"`)
			return b.bytes()
		}, []string{`survey sheet, row 6, column label: this cell has a formula (="How "&"happy"): write the value itself`}},
		{"an unknown sheet", func(t *testing.T) []byte {
			b := bookOf(t, "children")
			b.f.NewSheet("Sheet1")
			b.f.SetCellStr("Sheet1", "A1", "notes")
			b.f.SetSheetName("rounds", "round")
			return b.bytes()
		}, []string{"Sheet1 sheet: this sheet is not one the toolkit reads (survey, choices,", "round sheet: this sheet is not one the toolkit reads: did you mean rounds?", "rounds sheet: rounds: at least one round is required"}},
		{"unknown columns", func(t *testing.T) []byte {
			b := bookOf(t, "children")
			b.set("survey", "relevant", 1, "relevent")
			b.set("choices", "label", 1, "label::Klingon (tlh)")
			b.set("rounds", "open", 1, "open::Cymraeg (cy)")
			b.f.SetCellStr("survey", "Z5", "a note to myself")
			return b.bytes()
		}, []string{
			`survey sheet, row 1, column J: column "relevent" is not one this sheet has: did you mean relevant?`,
			`survey sheet, row 5, column Z: this cell is in a column without a name in row 1`,
			`choices sheet, row 1, column C: column "label::Klingon (tlh)": "Klingon (tlh)" is not a language the service speaks (English (en), Cymraeg (cy), Polski (pl)): write it as label::Cymraeg (cy)`,
			`rounds sheet, row 1, column D: column open::Cymraeg (cy) is the same in every language: name it open, without ::`,
		}},
		{"a damaged sheet", func(t *testing.T) []byte {
			// The survey sheet's XML stops short: its rows can be read one
			// by one, the sheet not whole.
			data := bookOf(t, "children").bytes()
			z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
			if err != nil {
				t.Fatal(err)
			}
			parts := map[string][]byte{}
			for _, zf := range z.File {
				rc, _ := zf.Open()
				b, _ := io.ReadAll(rc)
				rc.Close()
				if zf.Name == "xl/worksheets/sheet1.xml" {
					b = b[:bytes.Index(b, []byte("</sheetData>"))]
				}
				parts[zf.Name] = b
			}
			return zipOf(t, parts)
		}, []string{"survey sheet: this sheet is damaged: open the workbook in Excel and save it again"}},
		{"a missing column", func(t *testing.T) []byte {
			b := bookOf(t, "children")
			b.set("survey", "type", 1, "")
			return b.bytes()
		}, []string{"survey sheet: there is no type column: row 1 names each column (type, name, label, …)"}},
		{"relevant the toolkit cannot ask", func(t *testing.T) []byte {
			b := bookOf(t, "children")
			b.set("survey", "relevant", b.row("survey", "name", "happy-at-school"), "${school-year} > 'year-4'")
			b.set("survey", "relevant", b.row("survey", "name", "safe-near-home"), "${grown-ups-listen} = '1'")
			return b.bytes()
		}, []string{
			"survey sheet, row 6, column relevant: this toolkit understands ${question} = 'answer', several joined by or",
			`survey sheet, row 7, column relevant: relevant: question "grown-ups-listen" must be asked earlier in the survey`,
		}},
		{"texts blank and missing", func(t *testing.T) []byte {
			b := bookOf(t, "young-people")
			r := b.row("survey", "name", "feel-safe")
			b.set("survey", "label::Polski (pl)", r, "")
			b.set("survey", "label", b.row("survey", "name", "trusted-adult"), "")
			b.set("survey", "label::Polski (pl)", b.row("survey", "name", "trusted-adult"), "")
			b.set("texts", "name", b.row("texts", "name", "introduction"), "intro")
			return b.bytes()
		}, []string{
			"survey sheet, row 8, column label::Polski (pl): there is no pl wording: write it in this cell",
			"survey sheet, row 9, column label: label is required: the statement's wording",
			`texts sheet, row 2, column name: "intro" is not a text the survey has: did you mean introduction?`,
			"texts sheet: introduction is required: add a row named introduction with its text",
		}},
		{"types and lists", func(t *testing.T) []byte {
			b := bookOf(t, "children")
			b.set("survey", "type", b.row("survey", "name", "happy-at-school"), "select_one feelngs")
			b.set("survey", "type", b.row("survey", "name", "safe-near-home"), "intger")
			b.set("survey", "type", b.row("survey", "name", "anything-else-comment"), "decimal")
			b.set("choices", "name", b.row("choices", "list_name", "faces"), "one")
			b.set("choices", "list_name", b.row("choices", "list_name", "school-year"), "spare")
			return b.bytes()
		}, []string{
			`survey sheet, row 6, column type: there is no list "feelngs" on the choices sheet, nor a scale of that name on the scales sheet`,
			`survey sheet, row 7, column type: "intger" is not a type this toolkit can ask: did you mean integer?`,
			`column type: "decimal" is not a type this toolkit can ask: did you mean integer: this toolkit asks for whole numbers only`,
			`choices sheet, row 2, column name: a level of scale "faces" is a whole number (1, 2, 3…): "one" is not`,
			`choices sheet, row 5, column list_name: list "spare" is not used`,
		}},
		{"appearances and scales", func(t *testing.T) []byte {
			b := bookOf(t, "children")
			b.set("survey", "appearance", b.row("survey", "name", "school-year"), "likert")
			b.set("survey", "type", b.row("survey", "name", "happy-at-school"), "select_multiple faces")
			r := b.row("survey", "name", "safe-near-home")
			b.set("survey", "type", r, "integer")
			b.set("survey", "appearance", r, "minimal")
			b.set("survey", "appearance", b.row("survey", "name", "anything-else-comment"), "wide")
			return b.bytes()
		}, []string{
			`column appearance: appearance "likert" is not one this toolkit uses here: leave it blank (likert is for a rating on a scale)`,
			`column type: "faces" is a scale: a rating is select_one faces`,
			`column appearance: appearance "minimal" is not one this toolkit uses: leave it blank`,
			`column appearance: appearance "wide" is not one this toolkit uses: multiline for a box of text, or blank for a line`,
		}},
		{"groups", func(t *testing.T) []byte {
			b := bookOf(t, "children")
			rows, _ := b.f.GetRows("survey")
			b.f.RemoveRow("survey", len(rows)) // the last end_group
			b.set("survey", "required", b.row("survey", "name", "about-you"), "yes")
			return b.bytes()
		}, []string{
			"survey sheet, row 2, column required: a section (begin_group) has no required: leave it blank",
			"column type: this section has no end_group row after its questions",
		}},
		{"settings", func(t *testing.T) []byte {
			b := bookOf(t, "children")
			b.set("settings", "form_id", 2, "My Survey")
			b.set("settings", "min_group_size", 2, "3")
			b.set("settings", "task_list", 2, "maybe")
			b.set("settings", "audience", 2, "pupils")
			return b.bytes()
		}, []string{
			`settings sheet, row 2, column task_list: "maybe": write yes, or leave it blank for no`,
			`settings sheet, row 2, column form_id: form_id "My Survey" must be lowercase letters, digits and hyphens`,
			`settings sheet, row 2, column audience: audience "pupils" must be one of: staff, organisations, children, young-people, parents-carers`,
			"settings sheet, row 2, column min_group_size: min_group_size must be 5 or more",
		}},
		{"tags and rounds", func(t *testing.T) []byte {
			b := bookOf(t, "integrated-working")
			b.set("tags", "section", 2, "nowhere")
			b.set("tags", "kind", 3, "ecm_outcome")
			b.set("tags", "tag", 4, "be-happy")
			b.set("rounds", "id", 2, "Baseline 2026")
			return b.bytes()
		}, []string{
			`tags sheet, row 2, column section: "nowhere" is not the name of a section`,
			`tags sheet, row 3, column kind: "ecm_outcome" is not a kind of tag: did you mean ecm_outcomes?`,
			`tags sheet, row 4, column tag: Every Child Matters outcome "be-happy" must be one of`,
			`rounds sheet, row 2, column id: name "Baseline 2026" must be lowercase letters`,
		}},
		{"indicators and bands", func(t *testing.T) []byte {
			b := bookOf(t, "training-needs")
			b.set("indicators", "answer", b.row("indicators", "name", "safeguarding-at-level"), "safeguarding-levl")
			b.set("indicators", "type", b.row("indicators", "name", "cpd-demand"), "deman")
			b.set("survey", "bands", b.row("survey", "name", "training-days"), "0, 1-2, 4+")
			b.set("survey", "bands", b.row("survey", "name", "sector"), "0+")
			return b.bytes()
		}, []string{
			`survey sheet, row 3, column bands: only number questions have bands`,
			`column bands: band "4+" does not follow on from the band before it, which ends at 2: it should begin at 3, so that every answer is in one band`,
			`indicators sheet, row 2, column answer: answer: there is no question "safeguarding-levl"`,
			`indicators sheet, row 3, column type: type "deman" must be reaches or demand`,
		}},
		{"too many rows and columns", func(t *testing.T) []byte {
			b := bookOf(t, "children")
			b.f.SetCellStr("safeguarding_words", fmt.Sprintf("A%d", MaxRows+1), "last")
			cell, _ := excelize.CoordinatesToCellName(MaxColumns+1, 3)
			b.f.SetCellStr("rounds", cell, "far right")
			return b.bytes()
		}, []string{
			"safeguarding_words sheet: this sheet has more than 5000 rows: a survey workbook has far fewer",
			"rounds sheet, row 3: this row has more than 100 columns: a survey workbook has far fewer",
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, ps := Read("broken.xlsx", c.make(t))
			if d != nil || len(ps) == 0 {
				t.Fatalf("read a broken workbook: definition %v, %d problems", d != nil, len(ps))
			}
			all := ps.Error()
			for _, want := range c.want {
				if !strings.Contains(all, want) {
					t.Errorf("problems do not say\n%s\nthey are:\n%s", want, all)
				}
			}
		})
	}
}

// A workbook's relevant reads the part of XLSForm the toolkit can ask.
func TestParseRelevant(t *testing.T) {
	for _, c := range []struct {
		expr     string
		question string
		values   []string
	}{
		{"${q} = 'a'", "q", []string{"a"}},
		{`${ q }='a' or ${q} = "b's" OR ${q} = 3`, "q", []string{"a", "b's", "3"}},
		{"selected(${q}, 'a') or selected( ${q} , 'b' )", "q", []string{"a", "b"}},
		{"${q} = 'a' and ${q} = 'b'", "", nil},
		{"${q} = 'a' or ${r} = 'b'", "", nil},
		{"${q} != 'a'", "", nil},
		{"not(selected(${q}, 'a'))", "", nil},
		{"${q} = 'a' or", "", nil},
	} {
		q, vs, ok := parseRelevant(c.expr)
		if ok != (c.question != "") || q != c.question || strings.Join(vs, "|") != strings.Join(c.values, "|") {
			t.Errorf("%s: %q %q %v, want %q %q", c.expr, q, vs, ok, c.question, c.values)
		}
	}
}

// The template has every sheet and column and reads as a survey with
// nothing in it yet; the example is a whole survey.
func TestTemplateAndExample(t *testing.T) {
	data, err := Template()
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := []string{}
	for _, s := range layout {
		want = append(want, s.name)
	}
	want = append(want, sheetReadMe)
	if got := f.GetSheetList(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("sheets %v, want %v", got, want)
	}
	for _, s := range layout {
		header, _ := f.GetRows(s.name)
		if len(header) == 0 || len(header[0]) != len(s.columns) {
			t.Errorf("%s sheet: header %v", s.name, header)
		}
		panes, err := f.GetPanes(s.name)
		if err != nil || !panes.Freeze || panes.YSplit != 1 {
			t.Errorf("%s sheet: header row not frozen: %+v %v", s.name, panes, err)
		}
		comments, _ := f.GetComments(s.name)
		if len(comments) != len(s.columns) {
			t.Errorf("%s sheet: %d header comments, want %d", s.name, len(comments), len(s.columns))
		}
	}
	_, ps := Read("template.xlsx", data)
	for _, want := range []string{
		"settings sheet, row 2, column form_id: form_id \"\" must be",
		"rounds sheet: rounds: at least one round is required",
		"survey sheet: sections: at least one section is required",
	} {
		if !strings.Contains(ps.Error(), want) {
			t.Errorf("the template's problems do not say %q:\n%v", want, ps)
		}
	}

	data, err = Example()
	if err != nil {
		t.Fatal(err)
	}
	d, ps := Read("example.xlsx", data)
	if len(ps) > 0 {
		t.Fatalf("the example has problems:\n%v", ps)
	}
	kinds := map[string]bool{}
	for _, s := range d.Sections {
		for _, q := range s.Questions {
			kinds[q.Type] = true
		}
	}
	for _, k := range survey.QuestionTypes {
		if !kinds[k] {
			t.Errorf("the example has no %s question", k)
		}
	}
}

// A language column may be headed label::pl as well as label::Polski (pl).
func TestShortLanguageHeader(t *testing.T) {
	b := bookOf(t, "young-people")
	b.set("survey", "label::Polski (pl)", 1, "label::pl")
	b.set("texts", "text::Polski (pl)", 1, "text:: Polski ")
	d, ps := Read("young-people.xlsx", b.bytes())
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	for _, want := range bundled(t) {
		if want.ID == d.ID {
			same(t, want, d)
		}
	}
}

// A workbook edited and saved by another program (openpyxl, as
// testdata/README says) reads as the survey with the edits: changed
// wording, an inserted question, numbers and true/false typed as such;
// and its formulas, which have no value saved with them, are refused.
func TestWorkbookFromAnotherProgram(t *testing.T) {
	data, err := os.ReadFile("testdata/openpyxl-edited.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	d, ps := Read("openpyxl-edited.xlsx", data)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	q, s, ok := d.Question("new-question")
	if !ok || s.ID != "about-you" || q.Type != survey.TypeText || !q.Optional || d.In("pl").Sections[0].Questions[1].Text != "Nowe pytanie" {
		t.Errorf("the inserted question: %+v in %v", q, s)
	}
	if q, _, _ := d.Question("age-band"); !strings.HasSuffix(q.Text, " (changed in Excel)") {
		t.Errorf("changed wording: %q", q.Text)
	}
	if d.MinGroupSize != 10 || d.Rounds[0].Practice || !d.Rounds[1].Practice {
		t.Errorf("typed cells: min_group_size %d, rounds %+v", d.MinGroupSize, d.Rounds)
	}

	data, err = os.ReadFile("testdata/openpyxl-formulas.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	_, ps = Read("openpyxl-formulas.xlsx", data)
	for _, want := range []string{
		"survey sheet, row 3, column breakdown: this cell has a formula (=1+1)",
		"rounds sheet, row 9, column id: this cell has a formula (=1+2)",
	} {
		if !strings.Contains(ps.Error(), want) {
			t.Errorf("problems do not say %s:\n%v", want, ps)
		}
	}
}

// A number typed into Excel is read as typed, whatever format shows it.
func TestNumberUnderAFormat(t *testing.T) {
	b := bookOf(t, "children")
	cell := fmt.Sprintf("%s2", b.column("settings", "min_group_size"))
	b.f.SetCellInt("settings", cell, 10)
	style, _ := b.f.NewStyle(&excelize.Style{NumFmt: 2}) // 0.00
	b.f.SetCellStyle("settings", cell, cell, style)
	if shown, _ := b.f.GetCellValue("settings", cell); shown != "10.00" {
		t.Fatalf("Excel shows %q", shown)
	}
	d, ps := Read("children.xlsx", b.bytes())
	if len(ps) > 0 || d.MinGroupSize != 10 {
		t.Errorf("min_group_size %v, problems %v", d, ps)
	}
}
