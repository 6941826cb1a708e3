package transform

import (
	"encoding/json"
	"strings"
)

// Accumulator builds a complete Response from canonical stream events. The
// relay uses it to answer a non-streaming client from a streaming
// upstream: feed every decoded event to Add, then call Response.
//
// Consecutive text events form one text part and consecutive thinking
// events one thinking part; tool-call argument fragments are joined per
// call and normalised to a JSON object when the call ends.
type Accumulator struct {
	resp Response
	// open is the index in resp.Content of the text or thinking part that
	// deltas extend, when isOpen; its text is built in buf (appending to a
	// string would copy it on every delta).
	open   int
	isOpen bool
	buf    strings.Builder
	// calls maps a ToolIndex to its part index and argument buffer.
	calls    []accCall
	err      *Error
	finished bool
}

// accToolIndexOK reports whether tool index i may open a call when n are
// known. Indexes are dense, so anything far beyond n is a broken event
// that must not make the slice grow without bound.
func accToolIndexOK(i, n int) bool { return i >= 0 && i <= n+64 }

type accCall struct {
	part int
	args []byte
}

// NewAccumulator returns an empty Accumulator. The zero value is ready to
// use as well.
func NewAccumulator() *Accumulator { return &Accumulator{} }

// Add takes one event. Events after EventFinish are ignored.
func (a *Accumulator) Add(ev *Event) {
	if a.finished {
		return
	}
	switch ev.Type {
	case EventStart:
		if ev.ID != "" {
			a.resp.ID = ev.ID
		}
		if ev.Model != "" {
			a.resp.Model = ev.Model
		}
	case EventText:
		a.appendText(PartText, ev.Text)
	case EventThinking:
		a.appendText(PartThinking, ev.Text)
	case EventSignature:
		a.signature(ev)
	case EventToolCallStart:
		if !accToolIndexOK(ev.ToolIndex, len(a.calls)) {
			return
		}
		a.closeOpen()
		for len(a.calls) <= ev.ToolIndex {
			a.calls = append(a.calls, accCall{part: -1})
		}
		a.calls[ev.ToolIndex].part = len(a.resp.Content)
		a.resp.Content = append(a.resp.Content, Part{Type: PartToolCall, ToolCallID: ev.ToolCallID, ToolName: ev.ToolName})
	case EventToolCallArgs:
		if c := a.call(ev.ToolIndex); c != nil {
			c.args = append(c.args, ev.Text...)
		}
	case EventToolCallEnd:
		if c := a.call(ev.ToolIndex); c != nil {
			p := &a.resp.Content[c.part]
			if ev.Signature != "" {
				p.Signature, p.SignatureFamily = ev.Signature, ev.SignatureFamily
			}
			a.endCall(c)
		}
	case EventUsage:
		if ev.Usage != nil {
			a.resp.Usage = *ev.Usage
		}
	case EventError:
		if ev.Error != nil {
			a.err = ev.Error
		} else {
			a.err = &Error{Status: 502, Kind: KindServer, Message: "upstream error"}
		}
	case EventFinish:
		a.finished = true
		a.resp.StopReason = ev.StopReason
		a.resp.StopSequence = ev.StopSequence
		if ev.Usage != nil {
			a.resp.Usage = *ev.Usage
		}
	}
}

// appendText extends the open part of type t or starts a new one.
func (a *Accumulator) appendText(t PartType, text string) {
	if text == "" {
		return
	}
	if !a.isOpen || a.resp.Content[a.open].Type != t {
		a.closeOpen()
		a.open, a.isOpen = len(a.resp.Content), true
		a.resp.Content = append(a.resp.Content, Part{Type: t})
	}
	a.buf.WriteString(text)
}

// closeOpen stores the text of the open part; the next delta starts a new
// part.
func (a *Accumulator) closeOpen() {
	if !a.isOpen {
		return
	}
	a.resp.Content[a.open].Text = a.buf.String()
	a.buf = strings.Builder{}
	a.isOpen = false
}

// signature signs the thinking part being built, or adds a part for a
// signature that came alone or for redacted thinking.
func (a *Accumulator) signature(ev *Event) {
	a.closeOpen() // a signature ends its thinking block
	if ev.Redacted {
		a.resp.Content = append(a.resp.Content, Part{Type: PartRedactedThinking,
			Signature: ev.Signature, SignatureFamily: ev.SignatureFamily})
		return
	}
	if n := len(a.resp.Content); n > 0 {
		last := &a.resp.Content[n-1]
		if last.Type == PartThinking && last.Signature == "" {
			last.Signature, last.SignatureFamily = ev.Signature, ev.SignatureFamily
			return
		}
	}
	a.resp.Content = append(a.resp.Content, Part{Type: PartThinking,
		Signature: ev.Signature, SignatureFamily: ev.SignatureFamily})
}

func (a *Accumulator) call(i int) *accCall {
	if i < 0 || i >= len(a.calls) || a.calls[i].part < 0 {
		return nil
	}
	return &a.calls[i]
}

// endCall stores the joined arguments as a JSON object.
func (a *Accumulator) endCall(c *accCall) {
	p := &a.resp.Content[c.part]
	if p.Arguments == nil {
		p.Arguments = oaiArgs(string(c.args))
		c.args = nil
	}
}

// Err returns the error an EventError reported, nil when none.
func (a *Accumulator) Err() *Error { return a.err }

// Response returns the accumulated response. Calls that never got their
// end event are closed; a stream that ended without EventFinish counts as
// having ended its turn (tool_use when it made calls).
func (a *Accumulator) Response() *Response {
	a.closeOpen()
	for i := range a.calls {
		if a.calls[i].part >= 0 {
			a.endCall(&a.calls[i])
		}
	}
	if a.resp.StopReason == "" {
		a.resp.StopReason = StopEndTurn
		if a.err != nil {
			a.resp.StopReason = StopError
		}
	}
	if a.resp.StopReason == StopEndTurn && oaiHasToolCall(a.resp.Content) {
		a.resp.StopReason = StopToolUse
	}
	return &a.resp
}

// ResponseEvents turns a complete Response into the canonical event
// sequence a stream decoder would have produced, for a streaming client
// served by a non-streaming upstream. Text and arguments go out in one
// event each.
func ResponseEvents(resp *Response) []Event {
	evs := make([]Event, 0, 3+2*len(resp.Content))
	evs = append(evs, Event{Type: EventStart, ID: resp.ID, Model: resp.Model})
	tool := 0
	for i := range resp.Content {
		p := &resp.Content[i]
		switch p.Type {
		case PartText:
			if p.Text != "" {
				evs = append(evs, Event{Type: EventText, Text: p.Text})
			}
		case PartThinking:
			if p.Text != "" {
				evs = append(evs, Event{Type: EventThinking, Text: p.Text})
			}
			if p.Signature != "" {
				evs = append(evs, Event{Type: EventSignature, Signature: p.Signature, SignatureFamily: p.SignatureFamily})
			}
		case PartRedactedThinking:
			evs = append(evs, Event{Type: EventSignature, Signature: p.Signature,
				SignatureFamily: p.SignatureFamily, Redacted: true})
		case PartToolCall:
			args := p.Arguments
			if len(args) == 0 {
				args = json.RawMessage("{}")
			}
			evs = append(evs,
				Event{Type: EventToolCallStart, ToolIndex: tool, ToolCallID: p.ToolCallID, ToolName: p.ToolName},
				Event{Type: EventToolCallArgs, ToolIndex: tool, Text: string(args)},
				Event{Type: EventToolCallEnd, ToolIndex: tool, Signature: p.Signature, SignatureFamily: p.SignatureFamily})
			tool++
		}
	}
	u := resp.Usage
	evs = append(evs, Event{Type: EventUsage, Usage: &u})
	stop := resp.StopReason
	if stop == "" {
		stop = StopEndTurn
	}
	fu := resp.Usage
	return append(evs, Event{Type: EventFinish, StopReason: stop, StopSequence: resp.StopSequence, Usage: &fu})
}
