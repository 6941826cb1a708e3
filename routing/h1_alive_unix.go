//go:build unix

package routing

import (
	"net"
	"syscall"
)

// alive reports whether an idle connection is still open: a peek that
// does not wait finds nothing to read (EAGAIN). End of file means the
// server closed it; data means it sent something unasked, and the
// connection is out of step either way.
func alive(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return true
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	ok = false
	var b [1]byte
	err = rc.Read(func(fd uintptr) bool {
		_, _, e := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		ok = e == syscall.EAGAIN || e == syscall.EWOULDBLOCK
		return true // never wait for readiness
	})
	return err == nil && ok
}
