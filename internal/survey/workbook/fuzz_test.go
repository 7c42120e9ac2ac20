package workbook

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzRead feeds the reader the workbook of every bundled survey, the
// template, the example and the workbooks saved by another program, and
// what the fuzzer makes of them. Whatever
// the bytes, Read must not panic, and it returns either a definition or
// problems, each with a message, that check prints one a line.
func FuzzRead(f *testing.F) {
	for _, d := range bundled(f) {
		data, err := Write(d)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, make := range []func() ([]byte, error){Template, Example} {
		data, err := make()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	others, _ := filepath.Glob("testdata/*.xlsx") // saved by another program
	for _, name := range others {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var ps Problems
		var ok bool
		done := make(chan struct{})
		go func() {
			defer close(done)
			d, problems := Read("fuzz.xlsx", data)
			ps, ok = problems, d != nil
		}()
		select {
		case <-done:
		case <-time.After(60 * time.Second): // a hang, not a speed: a read takes well under a second
			t.Fatalf("Read has not finished after a minute")
		}
		if ok == (len(ps) > 0) {
			t.Fatalf("Read gave a definition %v and %d problems: want exactly one of them", ok, len(ps))
		}
		for _, p := range ps {
			if strings.TrimSpace(p.Message) == "" || strings.Contains(p.String(), "\n") && !strings.Contains(p.Message, "\n") {
				t.Errorf("problem %+v prints as %q", p, p.String())
			}
			if p.Row < 0 || (p.Row > 0 && p.Sheet == "") {
				t.Errorf("problem %+v: a row without a sheet", p)
			}
		}
	})
}
