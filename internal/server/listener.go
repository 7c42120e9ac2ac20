package server

import (
	"net"
	"sync"
	"time"
)

// SilentListener wraps the service's listener so that a graceful shutdown
// can close connections that were opened but never sent a byte.
//
// Why: fasthttp (before v1.76) counts a new connection as active while it
// waits for its first request, so its Shutdown waits for it until the read
// timeout (30 s), longer than the service allows for shutting down. A
// browser's preconnect, a load balancer's spare connection or anyone
// holding sockets open would then make every shutdown fail. Upgrading
// fasthttp fixes it too, but brings new versions of golang.org/x modules
// and a new dependency; this is the smaller change.
type SilentListener struct {
	net.Listener
	mu     sync.Mutex
	silent map[*watchedConn]time.Time // connection → when it was accepted
}

// NewSilentListener wraps ln.
func NewSilentListener(ln net.Listener) *SilentListener {
	return &SilentListener{Listener: ln, silent: map[*watchedConn]time.Time{}}
}

// Accept accepts a connection and watches it until its first byte.
func (l *SilentListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	w := &watchedConn{Conn: c, l: l}
	l.mu.Lock()
	l.silent[w] = time.Now()
	l.mu.Unlock()
	return w, nil
}

// CloseSilent closes the connections accepted at least age ago that have
// not sent a byte. A client sends its request as soon as it connects, so a
// connection silent for a second or more is not about to.
func (l *SilentListener) CloseSilent(age time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for c, accepted := range l.silent {
		if time.Since(accepted) >= age {
			c.Conn.Close()
			delete(l.silent, c)
		}
	}
}

type watchedConn struct {
	net.Conn
	l    *SilentListener
	once sync.Once
}

func (c *watchedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 || err != nil {
		c.once.Do(c.forget)
	}
	return n, err
}

func (c *watchedConn) Close() error {
	c.once.Do(c.forget)
	return c.Conn.Close()
}

func (c *watchedConn) forget() {
	c.l.mu.Lock()
	delete(c.l.silent, c)
	c.l.mu.Unlock()
}
