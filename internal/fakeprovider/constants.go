package fakeprovider

// Format names one of the wire formats the fake speaks. The values are the
// gateway's channel type names, and they appear in the default answer text
// ("Hello from anthropic! ...") so a test can see which upstream served a
// request.
type Format string

// The five wire formats.
const (
	OpenAIChat      Format = "openai_chat"
	OpenAIResponses Format = "openai_responses"
	Anthropic       Format = "anthropic"
	Gemini          Format = "gemini"
	Antigravity     Format = "antigravity"
	// OAuth marks requests to the token endpoint in the request log.
	OAuth Format = "oauth"
)

// Fixed token counts reported by every answer. Each format expresses them
// with its own field semantics:
//
//   - OpenAI Chat: prompt_tokens = PromptTokens (cached included),
//     completion_tokens = CompletionTokens (reasoning included).
//   - OpenAI Responses: the same numbers under input/output_tokens.
//   - Anthropic: input_tokens excludes the cache, so it is
//     PromptTokens - CachedTokens - CacheWriteTokens on "cache" models.
//   - Gemini/Antigravity: candidatesTokenCount excludes thoughts, so it is
//     CompletionTokens - ReasoningTokens on "think" models.
const (
	// PromptTokens is the whole input, cache reads and writes included.
	PromptTokens = 30
	// CachedTokens are cache reads, reported when the model name contains "cache".
	CachedTokens = 12
	// CacheWriteTokens are cache writes, reported by Anthropic only (the
	// other formats have no field for them) on "cache" models.
	CacheWriteTokens = 6
	// CompletionTokens is the whole output, reasoning included.
	CompletionTokens = 20
	// ReasoningTokens is the reasoning share of the output on "think" models.
	ReasoningTokens = 8
	// TotalTokens is PromptTokens + CompletionTokens.
	TotalTokens = PromptTokens + CompletionTokens
)

// Answer texts.
const (
	// GreetingFormat is the default answer: format name, last user text.
	GreetingFormat = "Hello from %s! You said: %s"
	// ImageFormat is appended to the greeting once per image in the request:
	// MIME type and decoded size in bytes (0 for images given by URL).
	ImageFormat = " I see an image (%s, %d bytes)."
	// ToolResultsPrefix starts the answer to a turn that carries tool
	// results; the results follow, joined by ToolResultsSeparator.
	ToolResultsPrefix = "Tool results: "
	// ToolResultsSeparator joins several tool results.
	ToolResultsSeparator = " | "
	// ThinkingText is the reasoning text of "think" models (AN thinking,
	// GE thought part, RS reasoning summary, CC reasoning_content).
	ThinkingText = "The user wants an answer. Let me think this through step by step."
)

// Reasoning continuity tokens minted by the fake. The Anthropic signature is
// bound to the thinking text (see AnthropicSignature); the others are fixed.
const (
	// GeminiSignature is the thoughtSignature of Gemini answers.
	GeminiSignature = "Eh8KHWZha2Vwcm92aWRlci1nZW1pbmktc2lnbmF0dXJl"
	// AntigravitySignature is the thoughtSignature of Antigravity answers.
	// It differs from GeminiSignature because Antigravity is its own
	// signature family.
	AntigravitySignature = "EiQKImZha2Vwcm92aWRlci1hbnRpZ3Jhdml0eS1zaWduYXR1cmU="
	// EncryptedReasoning is the encrypted_content of Responses reasoning
	// items (returned when include has "reasoning.encrypted_content").
	EncryptedReasoning = "gAAAAABfakeprovider-encrypted-reasoning-content=="
)

// Gemini documents these values for history it did not produce; Gemini and
// Antigravity accept them in place of a minted signature.
const (
	BypassSignature    = "skip_thought_signature_validator"
	BypassSignatureAlt = "context_engineering_is_the_way_to_go"
)

// Model name markers that change the answer. They combine freely
// ("claude-think-parallel-cache").
const (
	MarkerThink    = "think"    // reasoning block first
	MarkerParallel = "parallel" // two tool calls in one turn
	MarkerCache    = "cache"    // cache tokens in usage
	MarkerLength   = "length"   // text answer cut by max tokens
	MarkerNotFound = "notfound" // 404 model not found
)

// OAuth and Antigravity defaults.
const (
	DefaultClientID      = "fake-client-id.apps.googleusercontent.com"
	DefaultClientSecret  = "fake-client-secret"
	DefaultRefreshToken  = "1//fake-refresh-token"
	DefaultTokenLifetime = 3599 // seconds
	DefaultProject       = "fake-project-123"
)

// Embedding defaults.
const (
	// DefaultEmbeddingDims is the vector length when the request asks for none.
	DefaultEmbeddingDims = 8
)
