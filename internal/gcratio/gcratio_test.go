package gcratio

import (
	"runtime/debug"
	"testing"
)

// Nested and overlapping works lower the ratio to 100 and put it back
// when the last ends; a ratio at or below 100 is left alone.
func TestLower(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	a := Lower()
	b := Lower()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("during two works the ratio is %d, want 100", got)
	}
	a()
	a() // a second call does nothing
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("during one work the ratio is %d, want 100", got)
	}
	b()
	if got := debug.SetGCPercent(50); got != 400 {
		t.Errorf("after both the ratio is %d, want 400 back", got)
	}
	c := Lower()
	if got := debug.SetGCPercent(50); got != 50 {
		t.Errorf("at 50 the ratio was set to %d", got)
	}
	c()
	if got := debug.SetGCPercent(50); got != 50 {
		t.Errorf("after, at 50: %d", got)
	}
}
