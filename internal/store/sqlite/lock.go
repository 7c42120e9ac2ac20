package sqlite

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// LockName is the lock file inside the data folder. A process using the
// folder holds an exclusive lock on it (flock), and writes its pid in it
// for the message another process gets. The kernel releases the lock
// when the process ends, however it ends, so a lock file left by a killed
// process does not stop a restart; the file itself is never removed, as
// removing it could let two processes lock two different files.
const LockName = "iwtoolkit.lock"

// InUseError says that another process holds the data folder: a command
// run beside a running service may say what to do instead.
type InUseError struct{ Dir, Holder string }

func (e *InUseError) Error() string {
	return fmt.Sprintf("sqlite: data directory %s is in use by %s; only one process at a time may use a data directory", e.Dir, e.Holder)
}

// dirLock is one data folder's lock, held by this process, and the cache
// of the stores that share it: the cache is right only while every write
// to the folder's database is made by those stores (cache.go).
type dirLock struct {
	file  *os.File
	users int
	cache *cache
}

// locks are the data folders this process holds, by path. A flock belongs
// to an open file, so a second store opened on the folder in the same
// process (a test looking at a running service's data) shares the first
// one's lock, and its cache, instead of refusing itself; the lock is
// released, and the cache dropped, when the last of them closes.
var locks = struct {
	sync.Mutex
	held map[string]*dirLock
}{held: map[string]*dirLock{}}

// lockDir takes the data folder's lock for this process, or says why it
// cannot: the folder cannot be created, is not writable, or another
// process holds it. It returns the folder's cache, and a function that
// releases this store's share of the lock.
func lockDir(dir string) (c *cache, unlock func() error, err error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, nil, fmt.Errorf("sqlite: data directory %s cannot be created: %w", dir, err)
	}
	key, err := filepath.Abs(dir)
	if err == nil {
		key, err = filepath.EvalSymlinks(key)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: data directory %s: %w", dir, err)
	}
	locks.Lock()
	defer locks.Unlock()
	l := locks.held[key]
	if l == nil {
		f, err := lockFile(dir)
		if err != nil {
			return nil, nil, err
		}
		l = &dirLock{file: f, cache: newCache()}
		locks.held[key] = l
	}
	l.users++
	var once sync.Once
	return l.cache, func() error {
		var err error
		once.Do(func() {
			locks.Lock()
			defer locks.Unlock()
			if l.users--; l.users == 0 {
				delete(locks.held, key)
				err = l.file.Close() // closing the file releases the lock
			}
		})
		return err
	}, nil
}

// lockFile opens the lock file and takes its lock, without waiting.
func lockFile(dir string) (*os.File, error) {
	path := filepath.Join(dir, LockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o640)
	if errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS) {
		return nil, unavailable{fmt.Errorf("sqlite: data directory %s is not writable: %w", dir, err)}
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: data directory %s: %w", dir, err)
	}
	if err := flock(f); err != nil {
		f.Close()
		if !errors.Is(err, errLocked) {
			return nil, fmt.Errorf("sqlite: lock data directory %s: %w", dir, err)
		}
		holder := "another iwtoolkit process"
		if b, _ := os.ReadFile(path); len(b) > 0 {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
				holder += fmt.Sprintf(" (pid %d)", pid)
			}
		}
		return nil, &InUseError{Dir: dir, Holder: holder}
	}
	// The pid is for the message above only: if it cannot be written (a
	// full disk), the lock holds all the same.
	if f.Truncate(0) == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return f, nil
}
