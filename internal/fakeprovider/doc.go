// Package fakeprovider is an in-process fake LLM upstream for tests. One
// loopback HTTP server speaks the five wire formats the gateway relays
// (OpenAI Chat Completions, OpenAI Responses, Anthropic Messages, Gemini and
// Antigravity) plus a Google OAuth token endpoint. It validates requests
// the way the real APIs do, answers byte for byte in each format's shape
// (streams included), records every request and can be told to fail.
//
// It deliberately does not use the gateway's transform package: it writes
// the wire JSON itself, so it can catch the translator's mistakes.
//
// # Starting
//
//	s := fakeprovider.New(t)          // closes itself at the end of the test
//	s, err := fakeprovider.Start()    // outside tests; call s.Close()
//
// Base URLs for gateway channels and SDKs:
//
//	openai_chat, openai_responses, anthropic   s.URL() + "/v1"
//	gemini                                     s.URL() + "/v1beta"
//	antigravity                                s.URL()
//	OAuth token_url                            s.URL() + "/token"
//
// (The Anthropic and genai SDKs take s.URL() itself as their base URL.)
//
// # Routes
//
//	POST /v1/chat/completions            OpenAI Chat (stream: true for SSE)
//	POST /v1/embeddings                  OpenAI embeddings (float or base64)
//	GET  /v1/models[/{id}]               OpenAI list; Anthropic list when the
//	                                     request carries anthropic-version
//	                                     (after_id, before_id, limit)
//	POST /v1/responses                   OpenAI Responses
//	POST /v1/messages                    Anthropic Messages
//	POST /v1/messages/count_tokens       Anthropic token count
//	POST /v1beta/models/{m}:generateContent
//	POST /v1beta/models/{m}:streamGenerateContent   ?alt=sse for SSE, else
//	                                     one JSON array written piecewise
//	POST /v1beta/models/{m}:countTokens, :embedContent, :batchEmbedContents
//	GET  /v1beta/models[/{m}]            Gemini list (pageSize, pageToken)
//	POST /v1internal:generateContent     Antigravity; body {project, model,
//	POST /v1internal:streamGenerateContent   request}; answers {response, traceId}
//	POST /v1internal:loadCodeAssist, :onboardUser, :fetchAvailableModels,
//	     :countTokens
//	POST /token                          refresh_token grant
//
// The /v1/models/{m}:method spelling of the Gemini routes is accepted too.
//
// # Credentials
//
// OpenAI formats take Authorization: Bearer; Anthropic x-api-key or Bearer
// plus a required anthropic-version of 2023-06-01 or 2026-10-21; Gemini
// x-goog-api-key or ?key=. Keys starting "sk-", "fake-" or "AIza" are
// accepted unless RequireKeys was called; AddKey and RevokeKey adjust the
// set. A bad key gets that API's real answer: OpenAI 401 invalid_api_key,
// Anthropic 401 authentication_error, Gemini 400 INVALID_ARGUMENT with
// reason API_KEY_INVALID (Google does not answer 401 for API keys), and a
// missing Gemini key 403.
//
// Antigravity takes only Bearer access tokens issued by POST /token (or
// added with AddAccessToken); anything else, an expired token or one
// invalidated by ExpireTokens gets Google's 401 UNAUTHENTICATED. The token
// endpoint checks client_id/client_secret (DefaultClientID,
// DefaultClientSecret, or SetOAuthClient) and the refresh token
// (DefaultRefreshToken, or AddRefreshToken), answers
// {"access_token":"ya29.…","expires_in":…,"scope":…,"token_type":"Bearer"},
// with expires_in from SetTokenLifetime (default DefaultTokenLifetime), and
// counts successful refreshes in Refreshes. Antigravity requests must name
// the project set by SetProject (default DefaultProject, which
// loadCodeAssist reports as cloudaicompanionProject): a missing project,
// model or request is 400 "Request contains an invalid argument.", another
// project 403.
//
// With the 2026-10-21 Anthropic version, temperature, top_p and top_k are
// rejected ("temperature: Extra inputs are not permitted") and messages may
// have role "system".
//
// # Validation
//
// Each format rejects, with its own status and error body, malformed JSON
// and missing required fields, and:
//
//   - Chat: invalid roles; assistant tool_calls not answered by tool
//     messages before the next other message; tool messages not following
//     such calls or answering an unknown id; non-string arguments.
//   - Responses: missing input; function_call_output without a matching
//     function_call in input and vice versa; reasoning encrypted_content
//     the fake did not mint.
//   - Anthropic: missing max_tokens; empty messages; bad roles; empty text
//     blocks; empty non-final messages; tool_use ids outside
//     ^[a-zA-Z0-9_-]+$; tool_use not answered by tool_result blocks at the
//     start of the next user message; tool_result without tool_use;
//     thinking budget below 1024 or not below max_tokens; thinking with a
//     forced tool_choice; thinking blocks without a signature or with one
//     the fake did not mint for that text (see AnthropicSignature); with
//     thinking on, a final tool loop whose assistant turn does not start
//     with thinking; any redacted_thinking.
//   - Gemini and Antigravity: missing contents; roles other than user and
//     model; part-less contents; parts with no data field; functionResponse
//     without name; a function-response count different from the previous
//     model turn's call count; function declarations with both parameters
//     and parametersJsonSchema; unknown top-level fields (Gemini);
//     thoughtSignature values not minted by that format (GeminiSignature,
//     AntigravitySignature; the bypass values BypassSignature and
//     BypassSignatureAlt are accepted); and on models whose name contains
//     "gemini-3", current-turn function calls without a signature.
//
// # Answers
//
// Answers are deterministic. Markers in the model name change them and
// combine freely:
//
//   - default: text fmt.Sprintf(GreetingFormat, format, lastUserText), plus
//     fmt.Sprintf(ImageFormat, mime, bytes) per image in the request;
//   - tools declared (and tool choice not "none"), last turn not tool
//     results: a call of the first tool (or the forced one) with arguments
//     built from its schema: "city"/"location" strings are "Paris", "unit"
//     "celsius", other strings "example", numbers 42, booleans true, enums
//     their first value; MarkerParallel makes two calls (the first two
//     tools, or the first tool again with "London", "example 2", 43…);
//   - last turn carries tool results: ToolResultsPrefix followed by the
//     results joined with ToolResultsSeparator (Gemini results are the
//     compact JSON of functionResponse.response);
//   - MarkerThink: reasoning ThinkingText first, as an Anthropic thinking
//     block signed with AnthropicSignature(ThinkingText), a Gemini thought
//     part with the format's signature on the next part, a Responses
//     reasoning item (summary; encrypted_content EncryptedReasoning when
//     include has "reasoning.encrypted_content"), or Chat reasoning_content;
//   - MarkerLength: the greeting with the max-tokens stop reason;
//   - MarkerCache: cache tokens in usage;
//   - MarkerNotFound: the format's 404 for an unknown model.
//
// Usage is fixed (PromptTokens, CompletionTokens, CachedTokens,
// CacheWriteTokens, ReasoningTokens) and expressed with each format's
// semantics: Anthropic input_tokens excludes cache reads and writes, Chat
// prompt_tokens includes cached tokens, Gemini candidatesTokenCount
// excludes thoughts. Stop reasons: stop/length/tool_calls,
// completed/incomplete, end_turn/max_tokens/tool_use, STOP/MAX_TOKENS.
//
// Streams follow the real framing and flush after every event: Chat data
// chunks (role first, usage chunk only with stream_options.include_usage,
// usage:null on the others then), then "data: [DONE]"; Responses event and
// data lines with sequence_number and a terminal response.completed or
// response.incomplete; Anthropic message_start, ping, content blocks,
// cumulative message_delta, message_stop; Gemini data lines separated by
// CRLF pairs with cumulative usageMetadata and no terminator; Antigravity the
// same wrapped in {"response":…,"traceId":…}. Text arrives two words per
// delta; Chat, Responses and Anthropic stream tool arguments in three
// fragments, Gemini sends whole calls. SetEventDelay spaces events out.
//
// JSON is laid out as each API does: OpenAI pretty-prints answers (two
// spaces) and errors (four), Google pretty-prints answers and errors (two
// spaces) and writes SSE chunks on one line with a space after each colon,
// Anthropic is compact. OpenAI stream deltas carry an "obfuscation" padding
// field unless stream_options.include_obfuscation is false.
//
// Embeddings (Embedding) and token counts (PromptTokens) are deterministic.
//
// # Faults
//
// Fail(key, Fault) and FailModel(model, Fault) shape the answers for one
// credential or model: Status (with that format's error body, or Body),
// RetryAfter, Times, Only (path filter), HangBeforeHeaders (until the client
// leaves, Release or Close), Delay, EventDelay, CutStreamAfter (drops the
// connection, which is done with panic(http.ErrAbortHandler), net/http's
// documented way to abort a response), StreamErrorAfter (the format's
// in-stream error event, then the end of the stream) and Garbage. Faults apply before
// authentication. For Antigravity the key is the refresh token that minted
// the access token. Clear removes a fault.
//
// # Observation
//
// Requests, RequestsFor, Last, Count, CountFor, CountModel and Cancelled read
// the request log; Wait blocks until no handler runs (the server notices a
// departed client asynchronously); Reset clears the log and faults.
//
// All methods are safe for concurrent use.
package fakeprovider
