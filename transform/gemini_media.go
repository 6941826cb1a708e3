package transform

import "strings"

// Media parts (images, documents, audio) on their way to Gemini.

// gemIsGoogleFile reports whether a file reference is something Gemini can
// resolve itself (Files API name or URI, Cloud Storage).
func gemIsGoogleFile(s string) bool {
	return strings.HasPrefix(s, "files/") || strings.HasPrefix(s, "gs://") ||
		strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")
}

// gemMediaOut converts an image/file/audio part: inline data when the
// bytes are there (or in a data: URL), fileData for a URL the relay did
// not inline (see InlineRemoteMedia) or a Google file reference.
func gemMediaOut(p *Part) (gemOutPart, bool) {
	mime := p.MediaType
	if mime != "" && !strings.Contains(mime, "/") {
		// A bare format name ("wav", "png") as some formats give it.
		mime = string(gemTypeFamily(p.Type)) + "/" + mime
	}
	switch {
	case p.Data != "":
		if mime == "" {
			mime = gemSniffBase64(p.Data, p.Type)
		}
		return gemOutPart{kind: gemOutInline, mime: mime, data: p.Data}, true
	case p.URL != "":
		if mt, data, ok := ParseDataURL(p.URL); ok {
			if mime == "" || mt != "application/octet-stream" {
				mime = mt
			}
			return gemOutPart{kind: gemOutInline, mime: mime, data: data}, true
		}
		if mime == "" {
			mime = gemGuessMime(p.URL, p.Type)
		}
		return gemOutPart{kind: gemOutFile, mime: mime, data: p.URL}, true
	case p.FileID != "":
		if mime == "" {
			mime = gemGuessMime(p.FileID, p.Type)
		}
		return gemOutPart{kind: gemOutFile, mime: mime, data: p.FileID}, true
	}
	return gemOutPart{}, false
}

// gemTypeFamily is the top-level media type of a part type.
func gemTypeFamily(t PartType) string {
	switch t {
	case PartImage:
		return "image"
	case PartAudio:
		return "audio"
	}
	return "application"
}

// gemSniffBase64 guesses a media type from the first bytes of base64 data.
func gemSniffBase64(data string, t PartType) string {
	for _, s := range [...]struct{ prefix, mime string }{
		{"iVBORw0KGgo", "image/png"}, {"/9j/", "image/jpeg"}, {"R0lGOD", "image/gif"},
		{"UklGR", "image/webp"}, {"JVBERi0", "application/pdf"}, {"SUQz", "audio/mpeg"},
		{"//u", "audio/mpeg"}, {"//s", "audio/mpeg"}, {"T2dnUw", "audio/ogg"}, {"ZkxhQw", "audio/flac"},
	} {
		if strings.HasPrefix(data, s.prefix) {
			return s.mime
		}
	}
	return gemDefaultMime(t)
}

// gemDefaultMime is the media type assumed when nothing better is known.
func gemDefaultMime(t PartType) string {
	switch t {
	case PartImage:
		return "image/jpeg"
	case PartAudio:
		return "audio/wav"
	}
	return "application/pdf"
}

// gemGuessMime guesses a media type from a URL's file extension.
func gemGuessMime(u string, t PartType) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	ext := strings.ToLower(u[strings.LastIndexByte(u, '.')+1:])
	switch ext {
	case "png":
		return "image/png"
	case "jpg", "jpeg":
		return "image/jpeg"
	case "gif":
		return "image/gif"
	case "webp":
		return "image/webp"
	case "heic":
		return "image/heic"
	case "pdf":
		return "application/pdf"
	case "txt":
		return "text/plain"
	case "mp3":
		return "audio/mpeg"
	case "wav":
		return "audio/wav"
	case "mp4":
		return "video/mp4"
	}
	return gemDefaultMime(t)
}
