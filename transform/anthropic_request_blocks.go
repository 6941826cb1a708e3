package transform

import (
	"encoding/base64"
	"strings"
)

// anAppendTextBlock writes a text block.
func anAppendTextBlock(b []byte, text string, cacheControl []byte) []byte {
	b = append(b, `{"type":"text"`...)
	b = anAppendStringField(b, "text", text)
	b = anAppendCacheControl(b, cacheControl)
	return append(b, '}')
}

func anAppendCacheControl(b, cc []byte) []byte {
	if len(cc) > 0 && anIsObject(cc) {
		b = anAppendRawField(b, "cache_control", cc)
	}
	return b
}

// anAppendMessage writes one shaped message.
func anAppendMessage(b []byte, m *anMsg) []byte {
	b = append(b, `{"role":`...)
	b = appendJSONString(b, string(m.role))
	b = append(b, `,"content":[`...)
	for i, p := range m.parts {
		if i > 0 {
			b = append(b, ',')
		}
		b = anAppendBlock(b, p)
	}
	return append(b, "]}"...)
}

// anAppendBlock writes one request content block; parts that reach it were
// accepted by anKeepPart.
func anAppendBlock(b []byte, p *Part) []byte {
	switch p.Type {
	case PartText:
		return anAppendTextBlock(b, p.Text, p.CacheControl)
	case PartImage:
		b = append(b, `{"type":"image","source":`...)
		b = anAppendImageSource(b, p)
	case PartFile:
		b = append(b, `{"type":"document","source":`...)
		b = anAppendDocumentSource(b, p)
		if p.FileName != "" {
			b = anAppendStringField(b, "title", p.FileName)
		}
	case PartToolCall:
		b = append(b, `{"type":"tool_use"`...)
		b = anAppendStringField(b, "id", anSanitizeToolID(p.ToolCallID))
		b = anAppendStringField(b, "name", p.ToolName)
		b = anAppendRawField(b, "input", anObjectArgs(p.Arguments))
	case PartToolResult:
		b = append(b, `{"type":"tool_result"`...)
		b = anAppendStringField(b, "tool_use_id", anSanitizeToolID(p.ToolCallID))
		b = anAppendToolResultContent(b, p.Content)
		if p.IsError {
			b = append(b, `,"is_error":true`...)
		}
	case PartThinking:
		b = append(b, `{"type":"thinking"`...)
		b = anAppendStringField(b, "thinking", p.Text)
		b = anAppendStringField(b, "signature", p.Signature)
		return append(b, '}') // thinking blocks take no cache_control
	case PartRedactedThinking:
		b = append(b, `{"type":"redacted_thinking"`...)
		b = anAppendStringField(b, "data", p.Signature)
		return append(b, '}')
	}
	b = anAppendCacheControl(b, p.CacheControl)
	return append(b, '}')
}

// anAppendImageSource writes an image source object: base64, URL (a data
// URL is unpacked to base64) or file id.
func anAppendImageSource(b []byte, p *Part) []byte {
	mediaType, data := p.MediaType, p.Data
	if data == "" && p.URL != "" {
		if mt, d, ok := ParseDataURL(p.URL); ok {
			mediaType, data = mt, d
		} else {
			b = append(b, `{"type":"url"`...)
			b = anAppendStringField(b, "url", p.URL)
			return append(b, '}')
		}
	}
	if data == "" && p.FileID != "" {
		b = append(b, `{"type":"file"`...)
		b = anAppendStringField(b, "file_id", p.FileID)
		return append(b, '}')
	}
	if !strings.HasPrefix(mediaType, "image/") {
		mediaType = anSniffImage(data)
	}
	b = append(b, `{"type":"base64"`...)
	b = anAppendStringField(b, "media_type", mediaType)
	b = anAppendStringField(b, "data", data)
	return append(b, '}')
}

// anSniffImage guesses an image media type from the start of its base64
// data (the API requires one of jpeg, png, gif, webp).
func anSniffImage(data string) string {
	switch {
	case strings.HasPrefix(data, "/9j/"):
		return "image/jpeg"
	case strings.HasPrefix(data, "R0lG"):
		return "image/gif"
	case strings.HasPrefix(data, "UklGR"):
		return "image/webp"
	}
	return "image/png"
}

// anAppendDocumentSource writes a document source (see anFileKind).
func anAppendDocumentSource(b []byte, p *Part) []byte {
	mediaType, data := p.MediaType, p.Data
	kind := anFileKind(p)
	if kind == "dataurl" {
		mediaType, data, _ = ParseDataURL(p.URL)
		kind = "pdf"
		if strings.HasPrefix(mediaType, "text/") {
			kind = "text"
		}
	}
	switch {
	case kind == "file":
		b = append(b, `{"type":"file"`...)
		b = anAppendStringField(b, "file_id", p.FileID)
	case kind == "text":
		b = append(b, `{"type":"text","media_type":"text/plain"`...)
		b = anAppendStringField(b, "data", anDecodeBase64Text(data))
	case data != "":
		b = append(b, `{"type":"base64","media_type":"application/pdf"`...)
		b = anAppendStringField(b, "data", data)
	default:
		b = append(b, `{"type":"url"`...)
		b = anAppendStringField(b, "url", p.URL)
	}
	return append(b, '}')
}

// anAppendToolResultContent writes ,"content":[…] for a tool result, or
// nothing when it is empty. Blocks are always used: the string shorthand
// is not in the 2026-10-21 request types (checked in anthropic-sdk-go v2).
func anAppendToolResultContent(b []byte, content []Part) []byte {
	n := 0
	for i := range content {
		if anToolResultBlockOK(&content[i]) {
			n++
		}
	}
	if n == 0 {
		return b
	}
	b = append(anAppendKey(b, "content"), '[')
	first := true
	for i := range content {
		c := &content[i]
		if !anToolResultBlockOK(c) {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = anAppendBlock(b, c)
	}
	return append(b, ']')
}

// anToolResultBlockOK says whether a tool result content part can be sent.
func anToolResultBlockOK(p *Part) bool {
	switch p.Type {
	case PartText:
		return p.Text != ""
	case PartImage:
		return p.Data != "" || p.URL != "" || p.FileID != ""
	case PartFile:
		return anFileKind(p) != ""
	}
	return false
}

// anDecodeBase64Text decodes the base64 data of a text file; data that is
// not base64 is taken as the text itself.
func anDecodeBase64Text(data string) string {
	if raw, err := base64.StdEncoding.DecodeString(data); err == nil {
		return string(raw)
	}
	if raw, err := base64.RawStdEncoding.DecodeString(data); err == nil {
		return string(raw)
	}
	return data
}
