package transform

import (
	"bytes"
	"strings"
)

// Reasoning signatures are opaque and valid only for the provider family that
// minted them. When a signature reaches a client of another format it is
// tagged with its family, so that when the client sends the conversation
// back the gateway knows where it came from and never forwards it to a
// provider that would reject it ("Invalid signature in thinking block").
// A signature given to a client of its own family is left untouched.
const sigPrefix = "octo1."

// ExportSignature returns sig as it should be given to a client of format
// client, given the family that minted it.
func ExportSignature(sig, family string, client Format) string {
	if sig == "" || family == "" || family == client.Family() {
		return sig
	}
	return sigPrefix + family + "." + sig
}

// ImportSignature reads a signature sent by a client of format client and
// returns the raw signature and its family.
func ImportSignature(sig string, client Format) (raw, family string) {
	if rest, ok := strings.CutPrefix(sig, sigPrefix); ok {
		if fam, raw, ok := strings.Cut(rest, "."); ok {
			return raw, fam
		}
	}
	return sig, client.Family()
}

// SignatureFor returns the signature of p to send to target, or "" when it
// was minted by another family.
func SignatureFor(p *Part, target Format) string {
	if p.Signature == "" || p.SignatureFamily != target.Family() {
		return ""
	}
	return p.Signature
}

// taggedBase64 is sigPrefix in base64, as Gemini clients carry signatures
// (thoughtSignature is a bytes field).
const taggedBase64 = "b2N0bzEu"

// HasTaggedSignature reports whether a client body may hold a signature
// tagged by ExportSignature. A false positive only costs a decode and
// re-encode of a request that could have passed through untouched.
func HasTaggedSignature(body []byte) bool {
	return bytes.Contains(body, []byte(sigPrefix)) || bytes.Contains(body, []byte(taggedBase64))
}
