package transform

import "encoding/json"

// Request is the canonical chat request every codec decodes into and
// encodes from. Pointer fields are nil when the client did not set them, so
// an encoder can tell "unset" from a zero value.
type Request struct {
	// Model is the model name as the client sent it (a group name). The
	// relay substitutes the upstream model before encoding.
	Model string
	// System holds the system prompt blocks in order: CC/RS system and
	// developer messages that came before the first user turn, RS
	// instructions, AN system, GE systemInstruction parts. Only text parts.
	System []Part
	// Messages is the conversation. Roles are user and assistant; a system
	// message in the middle of the conversation keeps RoleSystem and each
	// encoder decides how to carry it. Tool results are parts of type
	// PartToolResult inside user messages.
	Messages []Message
	// Tools are the function declarations.
	Tools []Tool
	// ToolChoice is nil when unset.
	ToolChoice *ToolChoice
	// ParallelToolCalls is nil when unset.
	ParallelToolCalls *bool

	// MaxTokens is the output token cap (CC max_completion_tokens or
	// max_tokens, RS max_output_tokens, AN max_tokens, GE maxOutputTokens).
	MaxTokens   *int
	Temperature *float64
	TopP        *float64
	TopK        *int
	Stop        []string
	Seed        *int64
	// PresencePenalty and FrequencyPenalty are CC/GE only.
	PresencePenalty  *float64
	FrequencyPenalty *float64
	// N is the number of candidates asked for (CC n, GE candidateCount).
	N *int
	// User is the end-user id (CC user, AN metadata.user_id).
	User string

	// Stream is true when the client asked for a stream (CC/RS/AN stream
	// field; Gemini: the streamGenerateContent endpoint).
	Stream bool
	// IncludeUsage is CC stream_options.include_usage: whether the client
	// wants the final usage chunk.
	IncludeUsage bool
	// StreamArray is set for a Gemini client that called
	// streamGenerateContent without alt=sse: the answer is one JSON array
	// streamed element by element instead of SSE.
	StreamArray bool

	Reasoning      *Reasoning
	ResponseFormat *ResponseFormat
	// LegacyMaxTokens is set when an OpenAI Chat client sent max_tokens
	// rather than max_completion_tokens, so that a Chat upstream gets the
	// field the client chose (the value is MaxTokens).
	LegacyMaxTokens bool

	// Extra keeps the top-level fields of the client's request that the
	// canonical model does not know, by JSON key, raw. Encoders for the
	// same format may copy them back; others drop them.
	Extra map[string]json.RawMessage
	// SourceFormat is the format the request was decoded from ("" when it
	// was built in Go). An encoder copies Extra back only when SourceFormat
	// is its own format, since the keys mean nothing to another API.
	SourceFormat Format
}

// Role of a message.
type Role string

const (
	RoleSystem    Role = "system"
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
)

// Message is one turn of the conversation.
type Message struct {
	Role  Role
	Parts []Part
}

// PartType says which fields of a Part are meaningful.
type PartType string

const (
	PartText             PartType = "text"
	PartImage            PartType = "image"
	PartFile             PartType = "file" // documents such as PDF
	PartAudio            PartType = "audio"
	PartToolCall         PartType = "tool_call"
	PartToolResult       PartType = "tool_result"
	PartThinking         PartType = "thinking"
	PartRedactedThinking PartType = "redacted_thinking"
)

// Part is one content block.
type Part struct {
	Type PartType

	// Text is the text of a text or thinking part.
	Text string

	// MediaType, Data and URL describe image, file and audio parts: Data is
	// base64 without a data: prefix; URL is set instead when the content is
	// by reference (https URL, or a provider file id in FileID).
	MediaType string
	Data      string
	URL       string
	FileID    string
	FileName  string
	// Detail is the CC/RS image detail hint (auto, low, high).
	Detail string

	// ToolCallID is the call id of a tool call, or the id a tool result
	// answers. ToolName is the function name (on results when known).
	ToolCallID string
	ToolName   string
	// Arguments is the JSON object text of a tool call's arguments, always
	// a complete object ("{}" when empty), never a JSON string of JSON.
	Arguments json.RawMessage
	// Content is the content of a tool result: text and image parts.
	Content []Part
	// IsError marks a tool result that reports a failure.
	IsError bool

	// Signature is the opaque reasoning signature that came with this part
	// (AN thinking signature, GE/AG thoughtSignature, RS encrypted_content,
	// AN redacted_thinking data). SignatureFamily is the Format.Family() of
	// the provider that minted it; encoders drop signatures whose family is
	// not the target's. See signature.go for how the family survives a
	// round trip through a client of another format.
	Signature       string
	SignatureFamily string
	// ItemID is the RS item id (rs_…, fc_…, msg_…) when the part came from
	// an RS item, kept so a same-provider round trip keeps its ids.
	ItemID string

	// CacheControl is the AN cache_control object, raw, when present.
	CacheControl json.RawMessage
}

// Tool is one function declaration.
type Tool struct {
	Name        string
	Description string
	// Parameters is the JSON Schema of the arguments, raw; nil means none.
	Parameters json.RawMessage
	Strict     *bool
	// CacheControl is the AN cache_control object, raw, when present.
	CacheControl json.RawMessage
}

// ToolChoiceMode is how the model may use tools.
type ToolChoiceMode string

const (
	ToolChoiceAuto     ToolChoiceMode = "auto"
	ToolChoiceNone     ToolChoiceMode = "none"
	ToolChoiceRequired ToolChoiceMode = "required" // AN any, GE ANY
	ToolChoiceTool     ToolChoiceMode = "tool"     // one named function
)

// ToolChoice is the client's tool_choice.
type ToolChoice struct {
	Mode ToolChoiceMode
	// Name is the function to call when Mode is ToolChoiceTool.
	Name string
}

// Reasoning is the reasoning/thinking request.
type Reasoning struct {
	// Effort is none, minimal, low, medium, high or xhigh ("" when the
	// client gave a budget instead).
	Effort string
	// BudgetTokens is the thinking budget when the client gave one (AN
	// budget_tokens, GE thinkingBudget; -1 means dynamic).
	BudgetTokens *int
	// Disabled is true when the client turned thinking off explicitly.
	Disabled bool
	// Adaptive is AN thinking type "adaptive".
	Adaptive bool
	// IncludeThoughts asks for thought text in the answer (GE
	// includeThoughts, RS summary requested).
	IncludeThoughts bool
	// Summary is the RS reasoning.summary value (auto, concise, detailed).
	Summary string
}

// ResponseFormat is structured-output control.
type ResponseFormat struct {
	// Type is text, json_object or json_schema.
	Type        string
	Name        string
	Description string
	Schema      json.RawMessage
	Strict      *bool
}

// StopReason is the canonical reason a response ended.
type StopReason string

const (
	StopEndTurn       StopReason = "end_turn"
	StopMaxTokens     StopReason = "max_tokens"
	StopSequence      StopReason = "stop_sequence"
	StopToolUse       StopReason = "tool_use"
	StopContentFilter StopReason = "content_filter"
	StopRefusal       StopReason = "refusal"
	StopPause         StopReason = "pause_turn"
	StopContextWindow StopReason = "context_window_exceeded"
	StopError         StopReason = "error"
)

// Usage is token usage in canonical terms. InputTokens counts every prompt
// token including cache reads and cache writes; OutputTokens counts every
// generated token including reasoning. The cache and reasoning counts are
// subsets of those, never to be added on top.
type Usage struct {
	InputTokens      int64
	OutputTokens     int64
	CacheReadTokens  int64
	CacheWriteTokens int64
	ReasoningTokens  int64
}

// IsZero reports whether no count is set.
func (u Usage) IsZero() bool { return u == Usage{} }

// Response is the canonical non-streaming answer.
type Response struct {
	ID    string
	Model string
	// Created is the Unix time in seconds.
	Created int64
	// Content holds the assistant parts in order: thinking, text, tool
	// calls, as the upstream produced them.
	Content      []Part
	StopReason   StopReason
	StopSequence string
	Usage        Usage
}

// EventType says what a stream event carries.
type EventType uint8

const (
	// EventStart opens the stream: ID, Model. Always the first event.
	EventStart EventType = iota + 1
	// EventText appends Text to the answer text.
	EventText
	// EventThinking appends Text to the reasoning text.
	EventThinking
	// EventSignature sets the signature of the current reasoning block
	// (Signature, SignatureFamily); for redacted thinking, Redacted is true.
	EventSignature
	// EventToolCallStart opens tool call number ToolIndex (a dense ordinal
	// 0, 1, 2… in order of first appearance) with ToolCallID and ToolName.
	EventToolCallStart
	// EventToolCallArgs appends Text (a fragment of the arguments JSON) to
	// tool call ToolIndex.
	EventToolCallArgs
	// EventToolCallEnd closes tool call ToolIndex; Signature may be set
	// (Gemini signs function-call parts).
	EventToolCallEnd
	// EventUsage reports cumulative usage so far (Usage); the last one wins.
	EventUsage
	// EventFinish ends the answer: StopReason, StopSequence and the final
	// Usage. Emitted exactly once, last, by every stream decoder, also when
	// the upstream ended without a finish of its own.
	EventFinish
	// EventError reports an upstream error in the middle of the stream
	// (Error). EventFinish still follows.
	EventError
)

// Event is one canonical stream event. Decoders reuse nothing across
// events; encoders must not keep references to Text after Encode returns.
type Event struct {
	Type EventType

	ID    string
	Model string

	Text string

	ToolIndex  int
	ToolCallID string
	ToolName   string

	Signature       string
	SignatureFamily string
	Redacted        bool

	StopReason   StopReason
	StopSequence string
	Usage        *Usage
	Error        *Error
}
