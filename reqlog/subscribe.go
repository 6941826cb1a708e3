package reqlog

import "github.com/octopuscaddy/octopus/store"

// subscriber is one live reader of new rows.
type subscriber struct {
	ch chan store.RequestLog
}

// Subscribe returns a channel of the rows written from now on and a
// cancel func that ends the subscription and closes the channel. A reader
// that falls behind misses rows rather than slowing the writer. The
// channel is closed too when the writer stops. Rows carry no ID (0): the
// batch insert does not report them.
func (w *Writer) Subscribe() (<-chan store.RequestLog, func()) {
	s := &subscriber{ch: make(chan store.RequestLog, subscriberBuffer)}
	w.subMu.Lock()
	defer w.subMu.Unlock()
	if w.subs == nil { // stopped
		close(s.ch)
		return s.ch, func() {}
	}
	w.subs[s] = struct{}{}
	return s.ch, func() {
		w.subMu.Lock()
		defer w.subMu.Unlock()
		if _, ok := w.subs[s]; ok {
			delete(w.subs, s)
			close(s.ch)
		}
	}
}

// publish sends rows to every subscriber without blocking. It holds subMu
// so a cancel cannot close a channel mid-send.
func (w *Writer) publish(rows []store.RequestLog) {
	w.subMu.Lock()
	defer w.subMu.Unlock()
	for s := range w.subs {
		for i := range rows {
			select {
			case s.ch <- rows[i]:
			default: // slow reader: it misses this row
			}
		}
	}
}

// closeSubscribers ends every subscription; later Subscribe calls get a
// closed channel.
func (w *Writer) closeSubscribers() {
	w.subMu.Lock()
	defer w.subMu.Unlock()
	for s := range w.subs {
		close(s.ch)
	}
	w.subs = nil
}
