package transform

import (
	"fmt"
	"io"
)

// EncodeOptions carries what an encoder needs beyond the canonical request.
type EncodeOptions struct {
	// Model is the upstream model name to put in the request (body model,
	// or for Gemini the caller puts it in the URL and the body has none).
	Model string
	// Project is the Antigravity Cloud Code project.
	Project string
	// AnthropicVersion is the anthropic-version the channel speaks
	// ("2023-06-01" by default). The body is built for that version.
	AnthropicVersion string
	// Stream asks for a streaming upstream request (the relay may stream
	// upstream even when the client did not, and the reverse).
	Stream bool
}

// Codec converts one wire format to and from the canonical model.
//
// Request direction: a client request in this format is decoded with
// DecodeRequest; a request for an upstream of this format is built with
// EncodeRequest. Response direction: an upstream answer of this format is
// read with DecodeResponse or NewStreamDecoder; the client's answer is
// written with EncodeResponse or NewStreamEncoder.
type Codec interface {
	Format() Format

	// DecodeRequest parses a client request body. Errors are *Error with
	// status 400 and a message that says what to fix.
	DecodeRequest(body []byte) (*Request, error)
	// EncodeRequest builds an upstream request body. A request the format
	// cannot express returns an *Error with status 400 saying why.
	EncodeRequest(req *Request, opts EncodeOptions) ([]byte, error)

	// DecodeResponse parses a complete non-streaming upstream answer.
	DecodeResponse(body []byte) (*Response, error)
	// EncodeResponse writes a complete non-streaming answer for the client.
	// req is the client's decoded request (for echoed fields).
	EncodeResponse(resp *Response, req *Request) ([]byte, error)

	// NewStreamDecoder reads an upstream stream of this format.
	NewStreamDecoder() StreamDecoder
	// NewStreamEncoder writes a client stream of this format to w. req is
	// the client's decoded request (include_usage, echoed fields).
	NewStreamEncoder(w io.Writer, req *Request) StreamEncoder
}

// StreamDecoder turns upstream stream data into canonical events.
type StreamDecoder interface {
	// Feed takes one SSE event (event name and data payload; for Gemini's
	// JSON-array stream, one array element as data) and appends the
	// canonical events it yields to dst, returning dst. It returns done
	// true once the format's terminal event was seen. The events never
	// alias data, which the caller may reuse.
	Feed(dst []Event, event, data []byte) (out []Event, done bool, err error)
	// Close is called when the upstream body ended; it appends the events
	// still owed (always a final EventFinish if none was emitted).
	Close(dst []Event) []Event
}

// StreamIdler is implemented by stream decoders that keep scratch memory
// between events. A caller about to wait for the upstream calls Idle, and
// the decoder lets go of what it does not need while the stream is quiet;
// events it returned before stay valid.
type StreamIdler interface {
	Idle()
}

// availableBuffer is implemented by writers that lend their free space
// (bytes.Buffer, bufio.Writer, the relay's pending output): a stream
// encoder builds its bytes there and keeps no buffer of its own between
// events, which an open stream would otherwise hold while it waits.
type availableBuffer interface {
	AvailableBuffer() []byte
}

// StreamEncoder writes canonical events as the client's stream format.
type StreamEncoder interface {
	// Encode writes the bytes for one event. It may buffer nothing beyond
	// what the format forces (Gemini function calls are whole).
	Encode(ev *Event) error
	// Close writes what the format needs at the end if EventFinish did not
	// already write it (terminator, final events). Safe to call twice.
	Close() error
}

var codecs = map[Format]Codec{}

// Register adds a codec. Codec files call it from init.
func Register(c Codec) {
	if _, dup := codecs[c.Format()]; dup {
		panic(fmt.Sprintf("transform: codec %s registered twice", c.Format()))
	}
	codecs[c.Format()] = c
}

// Get returns the codec of format f, or nil when none is registered.
func Get(f Format) Codec { return codecs[f] }
