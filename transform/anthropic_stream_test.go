package transform

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// anFeedAll feeds "event\ndata" pairs to a fresh decoder and returns every
// event, with Close called at the end as the relay does.
func anFeedAll(t *testing.T, pairs ...string) []Event {
	t.Helper()
	d := Get(Anthropic).NewStreamDecoder()
	var out []Event
	for _, p := range pairs {
		name, data, _ := strings.Cut(p, "\n")
		var err error
		out, _, err = d.Feed(out, []byte(name), []byte(data))
		if err != nil {
			t.Fatalf("feed %s: %v", name, err)
		}
	}
	return d.Close(out)
}

// anCheckInvariants checks the stream decoder contract: EventStart first,
// exactly one EventFinish and it is last, dense tool ordinals.
func anCheckInvariants(t *testing.T, evs []Event) {
	t.Helper()
	if len(evs) == 0 || evs[0].Type != EventStart {
		t.Fatalf("first event must be EventStart: %+v", evs)
	}
	finishes, next := 0, 0
	for i, e := range evs {
		switch e.Type {
		case EventFinish:
			finishes++
			if i != len(evs)-1 {
				t.Errorf("EventFinish at %d of %d", i, len(evs))
			}
			if e.Usage == nil {
				t.Error("EventFinish without usage")
			}
		case EventToolCallStart:
			if e.ToolIndex != next {
				t.Errorf("tool ordinal %d, want %d", e.ToolIndex, next)
			}
			next++
		case EventStart:
			if i != 0 {
				t.Errorf("second EventStart at %d", i)
			}
		}
	}
	if finishes != 1 {
		t.Errorf("%d EventFinish events", finishes)
	}
}

const (
	anMsgStart = "message_start\n" + `{"type":"message_start","message":{"id":"msg_1","model":"claude-x","usage":{"input_tokens":10,"cache_read_input_tokens":5,"cache_creation_input_tokens":2,"output_tokens":1}}}`
	anPing     = "ping\n" + `{"type":"ping"}`
	anStop     = "message_stop\n" + `{"type":"message_stop"}`
)

func anBlockStart(i int, block string) string {
	return "content_block_start\n" + `{"type":"content_block_start","index":` + strconv.Itoa(i) + `,"content_block":` + block + `}`
}

func anDelta(i int, delta string) string {
	return "content_block_delta\n" + `{"type":"content_block_delta","index":` + strconv.Itoa(i) + `,"delta":` + delta + `}`
}

func anBlockStop(i int) string {
	return "content_block_stop\n" + `{"type":"content_block_stop","index":` + strconv.Itoa(i) + `}`
}

func anMsgDelta(reason, usage string) string {
	return "message_delta\n" + `{"type":"message_delta","delta":{"stop_reason":"` + reason + `","stop_sequence":null},"usage":` + usage + `}`
}

func TestAnthropicStreamDecoder(t *testing.T) {
	evs := anFeedAll(t,
		anMsgStart, anPing,
		anBlockStart(0, `{"type":"text","text":""}`), anDelta(0, `{"type":"text_delta","text":"Hi"}`), anBlockStop(0),
		anBlockStart(1, `{"type":"tool_use","id":"toolu_a","name":"f","input":{}}`),
		anDelta(1, `{"type":"input_json_delta","partial_json":""}`),
		anDelta(1, `{"type":"input_json_delta","partial_json":"{\"a\":"}`),
		anDelta(1, `{"type":"input_json_delta","partial_json":"1}"}`),
		anBlockStop(1),
		anBlockStart(2, `{"type":"server_tool_use","id":"srv","name":"web_search","input":{}}`),
		anDelta(2, `{"type":"input_json_delta","partial_json":"{\"q\":1}"}`),
		anBlockStop(2),
		anBlockStart(3, `{"type":"tool_use","id":"octo_Y2FsbC5wYXJpcw","name":"g","input":{}}`), anBlockStop(3),
		anMsgDelta("end_turn", `{"output_tokens":7}`),
		anMsgDelta("end_turn", `{"output_tokens":9,"output_tokens_details":{"thinking_tokens":4}}`),
		anStop)
	anCheckInvariants(t, evs)
	var args [2]string
	var names []string
	for _, e := range evs {
		switch e.Type {
		case EventToolCallStart:
			names = append(names, e.ToolCallID+"/"+e.ToolName)
		case EventToolCallArgs:
			args[e.ToolIndex] += e.Text
		}
	}
	if len(names) != 2 || names[0] != "toolu_a/f" || names[1] != "call.paris/g" {
		t.Errorf("tool calls %v (server tools must not count; ids restored)", names)
	}
	if args[0] != `{"a":1}` || args[1] != "{}" {
		t.Errorf("args %q", args)
	}
	if evs[0].ID != "msg_1" || evs[0].Model != "claude-x" {
		t.Errorf("start %+v", evs[0])
	}
	fin := evs[len(evs)-1]
	want := Usage{InputTokens: 17, CacheReadTokens: 5, CacheWriteTokens: 2, OutputTokens: 9, ReasoningTokens: 4}
	if fin.StopReason != StopToolUse || *fin.Usage != want {
		t.Errorf("finish %+v usage %+v", fin, *fin.Usage)
	}
}

func TestAnthropicStreamDecoderThinking(t *testing.T) {
	evs := anFeedAll(t, anMsgStart,
		anBlockStart(0, `{"type":"thinking","thinking":"","signature":""}`),
		anDelta(0, `{"type":"thinking_delta","thinking":"hmm"}`),
		anDelta(0, `{"type":"signature_delta","signature":"EqQ"}`),
		anBlockStop(0),
		anBlockStart(1, `{"type":"redacted_thinking","data":"Emw"}`), anBlockStop(1),
		anMsgDelta("max_tokens", `{"output_tokens":3}`), anStop)
	anCheckInvariants(t, evs)
	var got []string
	for _, e := range evs {
		switch e.Type {
		case EventThinking:
			got = append(got, "think:"+e.Text)
		case EventSignature:
			s := "sig:" + e.Signature + ":" + e.SignatureFamily
			if e.Redacted {
				s += ":redacted"
			}
			got = append(got, s)
		}
	}
	want := []string{"think:hmm", "sig:EqQ:anthropic", "sig:Emw:anthropic:redacted"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("got %v", got)
	}
	if evs[len(evs)-1].StopReason != StopMaxTokens {
		t.Errorf("stop %s", evs[len(evs)-1].StopReason)
	}
}

func TestAnthropicStreamDecoderEndings(t *testing.T) {
	cases := []struct {
		name  string
		pairs []string
		want  StopReason
		err   bool
	}{
		{"cut off before message_delta", []string{anMsgStart, anBlockStart(0, `{"type":"text","text":""}`), anDelta(0, `{"type":"text_delta","text":"x"}`)}, StopError, false},
		{"message_delta without message_stop", []string{anMsgStart, anMsgDelta("stop_sequence", `{"output_tokens":2}`)}, StopSequence, false},
		{"tool call cut off by max_tokens keeps max_tokens", []string{anMsgStart, anBlockStart(0, `{"type":"tool_use","id":"t","name":"f","input":{}}`), anBlockStop(0), anMsgDelta("max_tokens", `{"output_tokens":2}`), anStop}, StopMaxTokens, false},
		{"in-stream error", []string{anMsgStart, "error\n" + `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`}, StopError, true},
		{"empty upstream", nil, StopError, false},
		{"refusal", []string{anMsgStart, anMsgDelta("refusal", `{"output_tokens":2}`), anStop}, StopRefusal, false},
		{"context window", []string{anMsgStart, anMsgDelta("model_context_window_exceeded", `{"output_tokens":2}`), anStop}, StopContextWindow, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			evs := anFeedAll(t, c.pairs...)
			anCheckInvariants(t, evs)
			if got := evs[len(evs)-1].StopReason; got != c.want {
				t.Errorf("stop %s, want %s", got, c.want)
			}
			var sawErr *Error
			for _, e := range evs {
				if e.Type == EventError {
					sawErr = e.Error
				}
			}
			if c.err != (sawErr != nil) {
				t.Fatalf("error event: %v", sawErr)
			}
			if sawErr != nil && (sawErr.Status != 529 || sawErr.Message != "Overloaded" || sawErr.Kind != KindOverloaded) {
				t.Errorf("error %+v", sawErr)
			}
		})
	}
}

func TestAnthropicStreamDecoderDoneAndBadData(t *testing.T) {
	d := Get(Anthropic).NewStreamDecoder()
	evs, done, err := d.Feed(nil, []byte("message_stop"), []byte(`{"type":"message_stop"}`))
	if err != nil || !done || evs[len(evs)-1].Type != EventFinish {
		t.Fatalf("%v %v %+v", err, done, evs)
	}
	if evs, done, _ = d.Feed(nil, []byte("ping"), []byte(`{}`)); !done || len(evs) != 0 {
		t.Errorf("feed after done: %v %+v", done, evs)
	}
	if len(d.Close(nil)) != 0 {
		t.Error("Close after finish must add nothing")
	}
	_, _, err = Get(Anthropic).NewStreamDecoder().Feed(nil, []byte("x"), []byte(`{"type":`))
	var e *Error
	if !errors.As(err, &e) || e.Status != 502 {
		t.Errorf("bad data: %v", err)
	}
}

func TestAnthropicDecodeResponse(t *testing.T) {
	c := Get(Anthropic)
	resp, err := c.DecodeResponse([]byte(`{"id":"msg_1","model":"claude","content":[
		{"type":"thinking","thinking":"t","signature":"EqQ"},
		{"type":"tool_use","id":"toolu_1","name":"f","input":"{\"a\":1}"}],
		"stop_reason":"end_turn","usage":{"input_tokens":3,"cache_read_input_tokens":100,"cache_creation_input_tokens":20,"output_tokens":9}}`))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StopReason != StopToolUse || string(resp.Content[1].Arguments) != `{"a":1}` || resp.Content[0].SignatureFamily != "anthropic" {
		t.Errorf("%+v", resp)
	}
	if want := (Usage{InputTokens: 123, CacheReadTokens: 100, CacheWriteTokens: 20, OutputTokens: 9}); resp.Usage != want {
		t.Errorf("usage %+v", resp.Usage)
	}
	_, err = c.DecodeResponse([]byte(`{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}`))
	var e *Error
	if !errors.As(err, &e) || e.Status != 429 || e.Message != "slow down" {
		t.Errorf("error body: %v", err)
	}
	if _, err = c.DecodeResponse([]byte(`{"id":`)); err == nil {
		t.Error("invalid JSON must fail")
	}
}

func TestAnthropicStopReasonMapping(t *testing.T) {
	for _, s := range []string{"end_turn", "max_tokens", "stop_sequence", "tool_use", "pause_turn", "refusal", "model_context_window_exceeded"} {
		if got := anStopReasonString(anStopReason(s)); got != s {
			t.Errorf("%s round trips to %s", s, got)
		}
	}
	if anStopReasonString(StopContentFilter) != "refusal" || anStopReasonString(StopError) != "end_turn" || anStopReason("new_reason") != StopEndTurn {
		t.Error("fallbacks")
	}
}
