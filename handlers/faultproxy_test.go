package handlers_test

import (
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// faultProxy stands between the app and PostgreSQL on 127.0.0.1 and fails
// the way networks do:
//
//   - pass: bytes flow both ways.
//   - silent: a partition. Connections stay open and every byte is dropped,
//     both ways; new connections are accepted and never answered. Bytes
//     dropped are gone for good, so a connection caught mid-request stays
//     stuck after the network returns, as one would after a long outage.
//   - refuse: the listener is closed and every connection reset.
type faultProxy struct {
	t      testing.TB
	addr   string // host:port the app dials
	target func() (net.Conn, error)

	mu     sync.Mutex
	mode   proxyMode
	ln     net.Listener
	links  map[*proxyLink]struct{}
	closed bool
	wg     sync.WaitGroup
}

type proxyMode int

const (
	proxyPass proxyMode = iota
	proxySilent
	proxyRefuse
)

// proxyLink is one client connection and, once dialled, its upstream.
type proxyLink struct {
	client, server net.Conn // server is nil for links black-holed at accept
}

func (l *proxyLink) close() {
	if tc, ok := l.client.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // reset, as a refusing host would
	}
	l.client.Close()
	if l.server != nil {
		l.server.Close()
	}
}

// startFaultProxy proxies 127.0.0.1:<free port> to the server of dbURL (a
// pgtestdb URL; a unix socket when its query names a host directory) and
// returns the proxy and dbURL rewritten to go through it over TCP.
func startFaultProxy(t testing.TB, dbURL string) (*faultProxy, string) {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	port := u.Port()
	if port == "" {
		port = "5432"
	}
	network, address := "tcp", net.JoinHostPort(u.Hostname(), port)
	if h := q.Get("host"); strings.HasPrefix(h, "/") {
		network, address = "unix", h+"/.s.PGSQL."+port
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{
		t: t, addr: ln.Addr().String(), ln: ln, links: map[*proxyLink]struct{}{},
		target: func() (net.Conn, error) { return net.DialTimeout(network, address, 5*time.Second) },
	}
	p.wg.Add(1)
	go p.accept(ln)
	t.Cleanup(p.close)

	q.Del("host")
	u.RawQuery = q.Encode()
	u.Host = p.addr
	return p, u.String()
}

// set switches the proxy to mode. Refusing closes the listener and resets
// every connection; leaving refuse listens again on the same port.
func (p *faultProxy) set(mode proxyMode) {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.mode == mode {
		return
	}
	prev := p.mode
	p.mode = mode
	switch {
	case mode == proxyRefuse:
		p.ln.Close()
		for l := range p.links {
			l.close()
			delete(p.links, l)
		}
	case prev == proxyRefuse:
		ln, err := net.Listen("tcp", p.addr)
		if err != nil {
			p.t.Fatalf("proxy: listen again on %s: %v", p.addr, err)
		}
		p.ln = ln
		p.wg.Add(1)
		go p.accept(ln)
	}
}

func (p *faultProxy) current() proxyMode {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.mode
}

func (p *faultProxy) accept(ln net.Listener) {
	defer p.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			return // closed: refuse mode or the end of the test
		}
		l := &proxyLink{client: c}
		p.mu.Lock()
		if p.closed || p.mode == proxyRefuse {
			p.mu.Unlock()
			l.close()
			continue
		}
		silent := p.mode == proxySilent
		p.links[l] = struct{}{}
		p.wg.Add(1)
		p.mu.Unlock()
		go p.serve(l, silent)
	}
}

// serve forwards one link. A link accepted during silence is never
// connected upstream: its bytes are read and dropped until it closes.
func (p *faultProxy) serve(l *proxyLink, silent bool) {
	defer p.wg.Done()
	defer p.forget(l)
	if silent {
		_, _ = io.Copy(io.Discard, l.client)
		return
	}
	s, err := p.target()
	if err != nil {
		return
	}
	p.mu.Lock()
	if _, ok := p.links[l]; !ok { // reset while dialling
		p.mu.Unlock()
		s.Close()
		return
	}
	l.server = s
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	go func() { p.pipe(s, l.client); done <- struct{}{} }()
	go func() { p.pipe(l.client, s); done <- struct{}{} }()
	<-done
	l.close() // either side gone: end both
	<-done
}

// pipe copies src to dst, dropping whatever arrives while the proxy is not
// passing traffic. It keeps reading meanwhile, so neither end ever sees
// back-pressure: to both, the peer simply stops answering.
func (p *faultProxy) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && p.current() == proxyPass {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (p *faultProxy) forget(l *proxyLink) {
	p.mu.Lock()
	delete(p.links, l)
	p.mu.Unlock()
	l.close()
}

// close ends the proxy and waits for its goroutines.
func (p *faultProxy) close() {
	p.mu.Lock()
	p.closed = true
	p.ln.Close()
	for l := range p.links {
		l.close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}
