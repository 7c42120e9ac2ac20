package sqlite

import (
	"encoding/json"
	"fmt"
	"maps"
	"testing"
)

func TestDecodeFlatAgreesWithJSON(t *testing.T) {
	tricky := []string{"", "3", "dont-know", `a "quoted" word`, `back\slash`, "line\nbreak\r\ttab",
		"<b>&amp;</b>", "ünïcödé — “quotes” 😀", "\u2028\u2029", "\x01\x1f control", "\xff invalid", `\u0041`, "{}", `","`}
	for _, v := range tricky {
		m := map[string]string{"k": v, "caf-1": "3", v + "key": "x"}
		b, _ := json.Marshal(m)
		var want map[string]string
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatal(err)
		}
		got, ok := decodeFlat(string(b))
		if ok && !maps.Equal(got, want) {
			t.Errorf("decodeFlat(%s) = %q, want %q", b, got, want)
		}
		var viaDecode map[string]string
		if err := decode(&viaDecode, string(b)); err != nil || !maps.Equal(viaDecode, want) {
			t.Errorf("decode(%s) = %q, %v; want %q", b, viaDecode, err, want)
		}
	}
	for _, bad := range []string{"", "{", `{"a":1}`, `{"a":"b",}`, `{"a":"b"}x`, `["a"]`, `{"a""b"}`} {
		if _, ok := decodeFlat(bad); ok {
			t.Errorf("decodeFlat(%q) accepted it", bad)
		}
	}
}

// BenchmarkDecode decodes a response's answers as a report reads them: 40
// answers, ratings and choices, one comment with characters JSON escapes.
func BenchmarkDecode(b *testing.B) {
	m := map[string]string{"comment": "Lead professional <b>role</b> & \"quotes\" — ünïcödé"}
	for i := range 39 {
		m[fmt.Sprintf("caf-%d", i)] = fmt.Sprint(1 + i%5)
	}
	text := encode(m)
	b.ReportAllocs()
	for b.Loop() {
		var got map[string]string
		if err := decode(&got, text); err != nil || len(got) != len(m) {
			b.Fatal(err)
		}
	}
}
