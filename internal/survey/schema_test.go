package survey

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// surveys/survey.schema.json lets an editor complete and check a survey file
// as it is typed. These tests keep it in step with the loader: every survey
// the loader accepts, the schema accepts; documents the loader refuses for
// a reason the schema can see, the schema refuses too; and the schema's
// lists of allowed values are the model's.

const schemaFile = "../../surveys/survey.schema.json"

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	path, err := filepath.Abs(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	s, err := jsonschema.NewCompiler().Compile(path)
	if err != nil {
		t.Fatalf("compile %s: %v", schemaFile, err)
	}
	return s
}

// instance turns a survey file into the JSON value the schema checks.
func instance(t *testing.T, data []byte) any {
	t.Helper()
	j, err := yaml.YAMLToJSON(data)
	if err != nil {
		t.Fatalf("YAML to JSON: %v", err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		t.Fatalf("read JSON: %v", err)
	}
	return v
}

func TestSchemaAcceptsValidSurveys(t *testing.T) {
	schema := compileSchema(t)
	bundled, _ := filepath.Glob("../../surveys/*.yaml")
	examples, _ := filepath.Glob("testdata/valid/*.yaml")
	if len(bundled) == 0 || len(examples) == 0 {
		t.Fatalf("found %d bundled surveys and %d examples, want some of each", len(bundled), len(examples))
	}
	for _, file := range append(bundled, examples...) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if err := schema.Validate(instance(t, data)); err != nil {
				t.Errorf("the schema refuses a survey the loader accepts:\n%v", err)
			}
		})
	}
}

// Editors find the schema through the modeline on each bundled survey's
// first line.
func TestBundledSurveysNameSchema(t *testing.T) {
	bundled, _ := filepath.Glob("../../surveys/*.yaml")
	for _, file := range bundled {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		first, _, _ := strings.Cut(string(data), "\n")
		if want := "# yaml-language-server: $schema=survey.schema.json"; first != want {
			t.Errorf("%s: first line %q, want %q", file, first, want)
		}
	}
}

// schemaBase is a small valid survey; each case below breaks it in one way.
const schemaBase = `title: Test
audience: staff
introduction: Hello.
how_answers_are_used: Only group results are reported.
rounds:
  - {id: baseline, label: Baseline, open: true}
scales:
  agree:
    levels:
      - {value: 1, label: Disagree}
      - {value: 2, label: Agree}
sections:
  - id: about
    title: About
    questions:
      - {id: q1, type: scale, scale: agree, text: Rate this}
      - {id: q2, type: long-text, text: Comments, optional: true}
`

func TestSchemaRefusesInvalidSurveys(t *testing.T) {
	schema := compileSchema(t)
	if err := schema.Validate(instance(t, []byte(schemaBase))); err != nil {
		t.Fatalf("the base document should be valid: %v", err)
	}
	if _, ps := Parse("test.yaml", []byte(schemaBase)); ps != nil {
		t.Fatalf("the loader refuses the base document: %v", ps)
	}
	for _, c := range []struct {
		name    string
		replace []string // old, new, old, new …
	}{
		{"unknown field", []string{"title: Test\n", "title: Test\ntitel: Test\n"}},
		{"unknown question type", []string{"type: scale, scale: agree,", "type: essay,"}},
		{"id with capitals", []string{"id: q1,", "id: Q1,"}},
		{"no rounds", []string{"rounds:\n  - {id: baseline, label: Baseline, open: true}\n", "rounds: []\n"}},
		{"min_group_size below 5", []string{"title: Test\n", "title: Test\nmin_group_size: 3\n"}},
		{"language not spoken", []string{"title: Test\n", "title: {en: Test, fr: Essai}\n"}},
		{"languages not starting with en", []string{"title: Test\n", "title: Test\nlanguages: [pl, en]\n"}},
		{"children without a privacy notice", []string{"audience: staff", "audience: children"}},
		{"required free text for young people", []string{"audience: staff\n", "audience: young-people\nprivacy_notice: Hi.\n", ", optional: true}", "}"}},
		{"scale question without a scale", []string{"type: scale, scale: agree,", "type: scale,"}},
		{"grid without statements", []string{"type: scale, scale: agree,", "type: grid, scale: agree,"}},
		{"choice without options", []string{"type: scale, scale: agree,", "type: choice,"}},
		{"options on a number", []string{"type: scale, scale: agree, text: Rate this", "type: number, text: How many, options: [{value: a, label: A}, {value: b, label: B}]"}},
		{"none on a single choice", []string{"type: scale, scale: agree, text: Rate this", "type: choice, preset: roles, none: Neither, text: Rate this"}},
		{"option value none", []string{"type: scale, scale: agree, text: Rate this", "type: choice, text: Pick, options: [{value: none, label: None}, {value: b, label: B}]"}},
		{"prefer not to say on free text", []string{"optional: true}", "optional: true, prefer_not_to_say: true}"}},
		{"breakdown on a scale", []string{"text: Rate this}", "text: Rate this, breakdown: sector}"}},
		{"face not offered", []string{"{value: 1, label: Disagree}", "{value: 1, label: Disagree, face: grin}"}},
		{"Every Child Matters outcome not one of the five", []string{"    title: About\n", "    title: About\n    tags: {ecm_outcomes: [be-happy]}\n"}},
		{"condition without answers", []string{"text: Comments,", "text: Comments, show_if: {question: q1},"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			for i := 0; i < len(c.replace); i += 2 {
				if strings.Count(schemaBase, c.replace[i]) != 1 {
					t.Fatalf("the base document should have %q once", c.replace[i])
				}
			}
			doc := strings.NewReplacer(c.replace...).Replace(schemaBase)
			if err := schema.Validate(instance(t, []byte(doc))); err == nil {
				t.Errorf("the schema accepts:\n%s", doc)
			}
			if _, ps := Parse("test.yaml", []byte(doc)); ps == nil {
				t.Errorf("the loader accepts what the schema refuses:\n%s", doc)
			}
		})
	}
}

// The schema spells out the model's lists of allowed values; this catches
// one changing without the other.
func TestSchemaListsMatchModel(t *testing.T) {
	data, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(data, &schema); err != nil {
		t.Fatal(err)
	}
	at := func(path ...string) any {
		var v any = schema
		for _, p := range path {
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("schema has no %s", strings.Join(path, "."))
			}
			v = m[p]
		}
		return v
	}
	strs := func(path ...string) []string {
		var out []string
		for _, v := range at(path...).([]any) {
			out = append(out, v.(string))
		}
		return out
	}
	values := func(opts []Option) []string {
		var out []string
		for _, o := range opts {
			out = append(out, o.Value)
		}
		return out
	}
	presets := make([]string, 0, len(Presets))
	for name := range Presets {
		presets = append(presets, name)
	}
	slices.Sort(presets)
	for _, c := range []struct {
		path []string
		want []string
	}{
		{[]string{"properties", "audience", "enum"}, Audiences},
		{[]string{"$defs", "question", "properties", "type", "enum"}, QuestionTypes},
		{[]string{"$defs", "question", "properties", "breakdown", "enum"}, Breakdowns},
		{[]string{"$defs", "question", "properties", "preset", "enum"}, presets},
		{[]string{"$defs", "level", "properties", "face", "enum"}, Faces},
		{[]string{"$defs", "tags", "properties", "ecm_outcomes", "items", "enum"}, values(ECMOutcomes)},
		{[]string{"$defs", "language", "enum"}, values(Languages)},
	} {
		if got := strs(c.path...); !slices.Equal(got, c.want) {
			t.Errorf("schema %s = %v, model has %v", strings.Join(c.path, "."), got, c.want)
		}
	}
	if got := at("$defs", "id", "pattern"); got != idPattern.String() {
		t.Errorf("schema id pattern %v, model has %s", got, idPattern)
	}
}

// The schema's conditions on a question's type (which types may have a
// scale, statements, options, min, max_length…) list the types that
// survey.Types says have that field, so a new type is allowed the fields
// of its way of answering in an editor as in the loader.
func TestSchemaTypeConditionsMatchTypes(t *testing.T) {
	data, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	var schema any
	if err := json.Unmarshal(data, &schema); err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case []any:
			for _, x := range v {
				walk(x)
			}
		case map[string]any:
			for _, x := range v {
				walk(x)
			}
			cond, _ := v["if"].(map[string]any)
			props, _ := cond["properties"].(map[string]any)
			typ, ok := props["type"].(map[string]any)
			if !ok {
				return
			}
			var names []string
			if c, ok := typ["const"].(string); ok {
				names = []string{c}
			}
			for _, n := range asList(typ["enum"]) {
				names = append(names, n.(string))
			}
			field := conditionField(v)
			if typesWith[field] == nil {
				t.Errorf("schema: a condition on the types %v governs %q, which survey.typesWith does not name", names, field)
				return
			}
			found[field] = true
			if want := typesWithField(field); !slices.Equal(names, want) {
				t.Errorf("schema: the types that may have %s are %v, survey.Types says %v", field, names, want)
			}
		}
	}
	walk(schema)
	for field := range typesWith {
		if !found[field] {
			t.Errorf("schema: no condition on the types that have %s", field)
		}
	}
	for field, want := range map[string]string{"scale": "scale and grid", "statements": "grid", "options": "choice and multiple-choice",
		"none": "multiple-choice", "min": "number", "max_length": "text and long-text", "breakdown": "choice and yes-no"} {
		if got := namesOf(field); got != want {
			t.Errorf("namesOf(%q) = %q, want %q (the loader's words)", field, got, want)
		}
	}
}

// conditionField is the field an if/then/else of the schema governs: one
// it forbids otherwise that typesWith names, or else the first it
// requires, or one it sets.
func conditionField(v map[string]any) string {
	first := func(m any) string {
		props, _ := m.(map[string]any)
		keys := make([]string, 0, len(props))
		for k := range props {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if typesWith[k] != nil {
				return k
			}
		}
		return strings.Join(keys, ", ")
	}
	if e, ok := v["else"].(map[string]any); ok {
		return first(e["properties"])
	}
	then, _ := v["then"].(map[string]any)
	if req := asList(then["required"]); len(req) > 0 {
		return req[0].(string)
	}
	return first(then["properties"])
}

func asList(v any) []any { l, _ := v.([]any); return l }
