package fakeprovider

import (
	"net/http"
	"strings"

	"github.com/tidwall/gjson"
)

// Google's generic message for a malformed request.
const googleInvalidArgument = "Request contains an invalid argument."

// serveAntigravity handles POST /v1internal:{method}.
func (s *Server) serveAntigravity(x *exchange) {
	method := strings.TrimPrefix(x.r.URL.Path, "/v1internal:")
	if len(x.body) > 0 && !gjson.ValidBytes(x.body) {
		x.fail(googleBadJSON())
		return
	}
	root := gjson.ParseBytes(x.body)
	switch method {
	case "loadCodeAssist":
		s.loadCodeAssist(x)
	case "onboardUser":
		x.writeJSON(obj("name", "operations/fake-onboard", "done", true,
			"response", obj("@type", "type.googleapis.com/google.internal.cloud.code.v1internal.OnboardUserResponse",
				"cloudaicompanionProject", obj("id", s.currentProject(), "name", s.currentProject()))))
	case "fetchAvailableModels":
		models := make([]any, 0)
		for _, id := range s.modelList(Antigravity) {
			models = append(models, id, obj("displayName", displayName(id), "maxTokens", 1048576, "maxOutputTokens", 65536,
				"supportsThinking", strings.Contains(id, "think") || strings.HasPrefix(id, "gemini")))
		}
		x.writeJSON(obj("models", obj(models...)))
	case "countTokens":
		req := root.Get("request")
		if !req.Exists() {
			x.fail(badRequest(googleInvalidArgument))
			return
		}
		model := strings.TrimPrefix(req.Get("model").String(), "models/")
		s.countTokensGoogle(x, req, model)
	case "generateContent", "streamGenerateContent":
		if e := s.checkEnvelope(root); e != nil {
			x.fail(e)
			return
		}
		model := root.Get("model").String()
		if e := modelMissing(x.f, model); e != nil {
			x.fail(e)
			return
		}
		req, e := parseGemini(root.Get("request"), Antigravity, model, false)
		if e != nil {
			x.fail(e)
			return
		}
		x.generate(req, method == "streamGenerateContent")
	default:
		x.fail(&apiError{status: http.StatusNotFound, msg: "The requested URL " + x.r.URL.Path + " was not found on this server."})
	}
}

// checkEnvelope enforces the {project, model, request} envelope.
func (s *Server) checkEnvelope(root gjson.Result) *apiError {
	if !root.IsObject() || root.Get("project").String() == "" || root.Get("model").String() == "" || !root.Get("request").IsObject() {
		return badRequest(googleInvalidArgument)
	}
	if p := root.Get("project").String(); p != s.currentProject() {
		return &apiError{status: http.StatusForbidden, msg: "Permission denied on resource project " + p + ".", reason: "CONSUMER_INVALID"}
	}
	return nil
}

// loadCodeAssist reports the user's tier and Cloud Code project.
func (s *Server) loadCodeAssist(x *exchange) {
	tier := obj("id", "standard-tier", "name", "Gemini Code Assist",
		"description", "Unlimited coding assistant with the most powerful Gemini models",
		"userDefinedCloudaicompanionProject", true)
	x.writeJSON(obj(
		"currentTier", tier,
		"allowedTiers", []any{obj("id", "standard-tier", "name", "Gemini Code Assist", "isDefault", true, "userDefinedCloudaicompanionProject", true)},
		"cloudaicompanionProject", s.currentProject(),
		"gcpManaged", false,
	))
}
