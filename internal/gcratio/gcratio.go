// Package gcratio lowers the garbage collector's ratio to Go's default
// (GOGC 100) while work that reads every response runs: a raw export, or
// the paired comparison's first read. The service runs at 400
// (cmd/iwtoolkit: fewer collections under respondents' load, for a heap
// that is small), so such work's garbage, a few KB a response, grew the
// heap to five times its live size before a collection: +80 MB resident
// at 250,000 responses for an export, against +16 to +21 MB at 100
// (docs/performance.md, "Exports on the running service"). A ratio already
// at or below 100 is left alone. The setting is the process's, so there
// is one count of such work for all of it, and pages served meanwhile
// collect as often as at Go's default.
package gcratio

import (
	"runtime/debug"
	"sync"
)

var (
	mu  sync.Mutex
	n   int // works running
	old int // the ratio before the first
)

// Lower sets the ratio to 100 until the returned function is called (once)
// by every caller of Lower.
func Lower() (restore func()) {
	mu.Lock()
	defer mu.Unlock()
	if n == 0 {
		old = debug.SetGCPercent(100)
		if old >= 0 && old < 100 {
			debug.SetGCPercent(old)
		}
	}
	n++
	var once sync.Once
	return func() {
		once.Do(func() {
			mu.Lock()
			defer mu.Unlock()
			if n--; n == 0 {
				debug.SetGCPercent(old)
			}
		})
	}
}
